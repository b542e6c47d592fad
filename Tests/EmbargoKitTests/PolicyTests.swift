import EmbargoKit
import EmbargoStore
import Foundation
import Testing

func utc(_ text: String) -> Date { Timestamp.parse(text)! }

@Suite("disclosure policies and scheduling")
struct PolicyTests {
    let lead: TimeInterval = 48 * 3600

    @Test func drupalNextWindowIsWednesdaySixteenUTC() {
        // Monday 09:00 UTC plus 48 h lead is Wednesday 09:00: the window that afternoon.
        let next = PolicyEngine.nextWindow([.drupal], ScheduleFacts(), now: utc("2026-11-23T09:00:00Z"), leadTime: lead)
        #expect(next == utc("2026-11-25T16:00:00Z"))
        // Tuesday 17:00 + 48 h is Thursday: the next Wednesday.
        let later = PolicyEngine.nextWindow([.drupal], ScheduleFacts(), now: utc("2026-11-24T17:00:00Z"), leadTime: lead)
        #expect(later == utc("2026-12-02T16:00:00Z"))
    }

    @Test func drupalDeadlinesAndViolations() {
        let facts = ScheduleFacts(disclosure: utc("2026-12-02T16:00:00Z"))
        let deadlines = PolicyEngine.deadlines([.drupal], facts)
        #expect(deadlines.map(\.kind) == ["tags-ready", "prerelease", "disclosure", "window-closes"])
        #expect(deadlines[0].at == utc("2026-12-02T11:00:00Z"))
        #expect(PolicyEngine.violations([.drupal], facts).isEmpty)

        let friday = PolicyEngine.violations([.drupal], ScheduleFacts(disclosure: utc("2026-12-04T21:00:00Z")))
        #expect(friday.map(\.rule) == ["wednesday", "window"])
        #expect(friday[0].message.contains("Friday"))

        let lateSend = ScheduleFacts(disclosure: utc("2026-12-02T17:00:00Z"), lastPrerelease: utc("2026-12-02T16:30:00Z"))
        #expect(PolicyEngine.violations([.drupal], lateSend).map(\.rule) == ["prerelease-before-16"])
    }

    @Test func distrosAllowOneToFourteenDaysAfterPreNotification() {
        let sent = utc("2026-11-02T10:00:00Z")
        let ok = ScheduleFacts(disclosure: utc("2026-11-10T16:00:00Z"), firstPrerelease: sent, lastPrerelease: sent)
        #expect(PolicyEngine.violations([.distros], ok).isEmpty)
        let late = ScheduleFacts(disclosure: utc("2026-11-20T16:00:00Z"), firstPrerelease: sent, lastPrerelease: sent)
        #expect(PolicyEngine.violations([.distros], late).map(\.rule) == ["max-14-days"])
        let soon = ScheduleFacts(disclosure: utc("2026-11-02T20:00:00Z"), firstPrerelease: sent, lastPrerelease: sent)
        #expect(PolicyEngine.violations([.distros], soon).map(\.rule) == ["min-1-day"])
        // The next window after a pre-notification is at least a day later.
        let next = PolicyEngine.nextWindow([.distros], ScheduleFacts(firstPrerelease: sent), now: sent, leadTime: 0)
        #expect(next == utc("2026-11-03T10:00:00Z"))
    }

    @Test func kubernetesRules() {
        let sent = utc("2026-11-02T10:00:00Z")
        let facts = ScheduleFacts(firstPrerelease: sent, lastPrerelease: sent)
        let next = PolicyEngine.nextWindow([.kubernetes], facts, now: sent, leadTime: lead)
        // Seven days after the patches went out, at 16:00 UTC: Monday the 9th.
        #expect(next == utc("2026-11-09T16:00:00Z"))
        var friday = facts
        friday.disclosure = utc("2026-11-13T16:00:00Z")
        #expect(PolicyEngine.violations([.kubernetes], friday).map(\.rule) == ["weekday"])
        var early = facts
        early.disclosure = utc("2026-11-05T15:00:00Z")
        #expect(PolicyEngine.violations([.kubernetes], early).map(\.rule) == ["16-utc", "patches-7-days"])
        var finalLate = ScheduleFacts(disclosure: utc("2026-11-16T16:00:00Z"), firstPrerelease: sent, lastPrerelease: utc("2026-11-16T01:00:00Z"))
        #expect(PolicyEngine.violations([.kubernetes], finalLate).map(\.rule) == ["final-24-hours"])
        finalLate.lastPrerelease = utc("2026-11-15T15:00:00Z")
        #expect(PolicyEngine.violations([.kubernetes], finalLate).isEmpty)
    }

    @Test func projectZeroNinetyDays() {
        let reported = utc("2026-08-01T00:00:00Z")
        let deadlines = PolicyEngine.deadlines([.projectZero], ScheduleFacts(reportedAt: reported))
        #expect(deadlines.map(\.at) == [utc("2026-10-30T00:00:00Z")])
        let late = ScheduleFacts(disclosure: utc("2026-11-04T16:00:00Z"), reportedAt: reported)
        #expect(PolicyEngine.violations([.projectZero], late).map(\.rule) == ["90-days"])
        // When the deadline has passed, the next window still comes out, with the violation to show.
        let next = PolicyEngine.nextWindow([.drupal, .projectZero], ScheduleFacts(reportedAt: reported),
                                           now: utc("2026-11-23T09:00:00Z"), leadTime: lead)
        #expect(next == utc("2026-11-25T16:00:00Z"))
    }

    @Test func combinedProfilesSatisfyEveryRule() {
        let sent = utc("2026-11-20T10:00:00Z")
        let facts = ScheduleFacts(reportedAt: utc("2026-10-01T00:00:00Z"), firstPrerelease: sent, lastPrerelease: sent)
        let next = PolicyEngine.nextWindow([.drupal, .kubernetes, .distros, .projectZero], facts, now: sent, leadTime: lead)
        // Seven days after the patches (kubernetes), on a Wednesday at 16:00 (drupal).
        #expect(next == utc("2026-12-02T16:00:00Z"))
        var scheduled = facts
        scheduled.disclosure = next
        #expect(PolicyEngine.violations([.drupal, .kubernetes, .distros, .projectZero], scheduled).isEmpty)
    }

    @Test func leadTimeIsAViolationWhenScheduling() {
        let now = utc("2026-11-24T12:00:00Z")
        let facts = ScheduleFacts(disclosure: utc("2026-11-25T16:00:00Z"))
        #expect(PolicyEngine.violations([.drupal], facts, now: now, leadTime: lead).map(\.rule) == ["lead-time"])
    }

    /// Europe moves its clocks forward on 2026-03-29: the window stays 16:00 UTC,
    /// which is 17:00 CET before the change and 18:00 CEST after it.
    @Test func windowsAcrossADaylightSavingChange() throws {
        let brussels = try LocalTime.zone("Europe/Brussels")
        let before = PolicyEngine.nextWindow([.drupal], ScheduleFacts(), now: utc("2026-03-23T08:00:00Z"), leadTime: lead)
        #expect(before == utc("2026-03-25T16:00:00Z"))
        #expect(LocalTime.display(before, zone: brussels) == "Wed 2026-03-25 17:00 Europe/Brussels (UTC+01:00)")
        let after = PolicyEngine.nextWindow([.drupal], ScheduleFacts(), now: utc("2026-03-26T08:00:00Z"), leadTime: lead)
        #expect(after == utc("2026-04-01T16:00:00Z"))
        #expect(LocalTime.display(after, zone: brussels) == "Wed 2026-04-01 18:00 Europe/Brussels (UTC+02:00)")

        // Local input is converted with the offset in force on that day.
        #expect(try LocalTime.parse("2026-04-01 18:00", zone: brussels) == utc("2026-04-01T16:00:00Z"))
        #expect(try LocalTime.parse("2026-03-25T17:00", zone: brussels) == utc("2026-03-25T16:00:00Z"))
        // 02:30 on the 29th does not exist; 02:30 on 25 October happens twice.
        #expect(throws: EmbargoError.self) { try LocalTime.parse("2026-03-29T02:30", zone: brussels) }
        #expect(throws: EmbargoError.self) { try LocalTime.parse("2026-10-25T02:30", zone: brussels) }
        #expect(try LocalTime.parse("2026-10-25T02:30+01:00", zone: brussels) == utc("2026-10-25T01:30:00Z"))
    }

    @Test func badInput() throws {
        #expect(throws: EmbargoError.self) { try PolicyProfile.parseList("drupal,nasa") }
        #expect(throws: EmbargoError.self) { try LocalTime.zone("Mars/Olympus") }
        #expect(throws: EmbargoError.self) { try LocalTime.parse("next tuesday", zone: .gmt) }
        #expect(throws: EmbargoError.self) { try LocalTime.duration("soon") }
        #expect(try LocalTime.duration("3d") == 3 * 86400)
        #expect(try PolicyProfile.parseList("drupal, distros,drupal") == [.drupal, .distros])
    }
}
