import EmbargoKit
import EmbargoStore
import Foundation
import Testing

/// The rules of each release kind at their boundaries. 2026-12-02 is a Wednesday.
@Suite("release calendar: the rules of each kind")
struct ReleaseCalendarTests {
    let monday = utc("2026-11-30T09:00:00Z")

    func names(_ kind: ReleaseKind, _ at: String, profiles: [PolicyProfile] = [.drupal], blackouts: [Blackout] = [],
               now: String? = nil, facts: ScheduleFacts = ScheduleFacts()) -> [String]
    {
        ReleaseCalendar.violations(kind: kind, profiles: profiles, blackouts: blackouts, at: utc(at),
                                   now: now.map(utc) ?? monday, facts: facts).map(\.name)
    }

    @Test func patchIsPublishedOnWednesdayBetweenSixteenAndTwenty() {
        #expect(names(.patch, "2026-12-02T15:59:59Z") == ["drupal.window"])
        #expect(names(.patch, "2026-12-02T16:00:00Z").isEmpty)
        #expect(names(.patch, "2026-12-02T20:00:00Z").isEmpty)
        #expect(names(.patch, "2026-12-02T20:00:01Z") == ["drupal.window"])
        let thursday = ReleaseCalendar.violations(kind: .patch, profiles: [.drupal], blackouts: [], at: utc("2026-12-03T16:00:00Z"), now: monday)
        #expect(thursday.map(\.name) == ["drupal.wednesday"])
        #expect(thursday[0].message.contains("Thursday"))
        // The day and window are the drupal profile's: a kubernetes-only project has no patch day.
        #expect(names(.patch, "2026-12-03T09:00:00Z", profiles: [.kubernetes]).isEmpty)
    }

    @Test func securityIsDisclosedOnWednesdayAfterPrePublicationBeforeSixteen() {
        #expect(names(.security, "2026-12-02T16:00:00Z").isEmpty)
        #expect(names(.security, "2026-12-03T16:00:00Z") == ["drupal.wednesday"])
        // Planned while the preparer can still pre-publish (15:59), and once it is too late (16:00).
        #expect(names(.security, "2026-12-02T17:00:00Z", now: "2026-12-02T15:59:00Z").isEmpty)
        #expect(names(.security, "2026-12-02T17:00:00Z", now: "2026-12-02T16:00:00Z") == ["drupal.prerelease-before-16"])
        // Already pre-published at 15:30: nothing is late.
        let sent = ScheduleFacts(firstPrerelease: utc("2026-12-02T15:30:00Z"), lastPrerelease: utc("2026-12-02T15:30:00Z"))
        #expect(names(.security, "2026-12-02T17:00:00Z", now: "2026-12-02T16:30:00Z", facts: sent).isEmpty)
    }

    @Test func criticalGoesAnyDayAnyTimeEvenInABlackout() throws {
        let holidays = try Blackout.parse("2026-12-24..2027-01-02")
        #expect(names(.critical, "2026-12-25T03:17:00Z", blackouts: [holidays]).isEmpty)
        let warnings = ReleaseCalendar.warnings(kind: .critical, profiles: [.drupal], blackouts: [holidays], at: utc("2026-12-25T03:17:00Z"), now: monday)
        #expect(warnings.map(\.name) == ["blackout"])
        // As soon as possible: the next window is the moment asked for.
        let now = utc("2026-12-26T02:00:00Z")
        #expect(ReleaseCalendar.nextWindow(kind: .critical, profiles: [.drupal, .kubernetes], blackouts: [holidays], after: now) == now)
    }

    @Test func minorAndMajorAnyDayWithAWarningOnAPatchWednesday() {
        for kind in [ReleaseKind.minor, .major] {
            #expect(names(kind, "2026-12-12T03:00:00Z").isEmpty)
            #expect(names(kind, "2026-12-09T17:00:00Z").isEmpty, "a Wednesday is allowed")
            let wednesday = ReleaseCalendar.warnings(kind: kind, profiles: [.drupal], blackouts: [], at: utc("2026-12-09T17:00:00Z"), now: monday)
            #expect(wednesday.map(\.name) == ["drupal.patch-wednesday"])
            // Less than a week of QA is a warning too.
            let soon = ReleaseCalendar.warnings(kind: kind, profiles: [.drupal], blackouts: [], at: utc("2026-12-04T17:00:00Z"), now: monday)
            #expect(soon.map(\.name) == ["embargo.qa-week"])
            // The next window avoids both when it can: a week out, not a Wednesday.
            let next = ReleaseCalendar.nextWindow(kind: kind, profiles: [.drupal], blackouts: [], after: utc("2026-12-02T09:00:00Z"))
            #expect(next == utc("2026-12-10T00:00:00Z"))
        }
    }

    /// Once a patch release is known (2026-12-02), the next go out every
    /// other Wednesday: 2026-12-16, 2026-12-30; the Wednesdays between are
    /// free for minor and major releases.
    @Test func patchReleasesEveryOtherWednesdayOnceACycleIsKnown() {
        let cycle = utc("2026-12-02T16:00:00Z")
        let between = ReleaseCalendar.violations(kind: .patch, profiles: [.drupal], blackouts: [], at: utc("2026-12-09T16:00:00Z"),
                                                 now: monday, patchCycle: cycle)
        #expect(between.map(\.name) == ["drupal.every-other-wednesday"])
        #expect(between.first?.message.contains("2026-12-09 falls between 2026-12-02 and 2026-12-16") == true, "\(between)")
        for onCycle in ["2026-12-16T16:00:00Z", "2026-12-30T17:00:00Z", "2026-11-18T16:00:00Z"] {
            #expect(ReleaseCalendar.violations(kind: .patch, profiles: [.drupal], blackouts: [], at: utc(onCycle), now: nil, patchCycle: cycle).isEmpty,
                    "\(onCycle)")
        }
        // A security release keeps any Wednesday.
        #expect(ReleaseCalendar.violations(kind: .security, profiles: [.drupal], blackouts: [], at: utc("2026-12-09T16:00:00Z"), now: monday,
                                           patchCycle: cycle).isEmpty)
        #expect(ReleaseCalendar.nextWindow(kind: .patch, profiles: [.drupal], blackouts: [], after: utc("2026-12-03T09:00:00Z"), patchCycle: cycle)
                == utc("2026-12-16T16:00:00Z"))
        let offWeek = ReleaseCalendar.warnings(kind: .minor, profiles: [.drupal], blackouts: [], at: utc("2026-12-23T17:00:00Z"), now: monday,
                                               patchCycle: cycle)
        #expect(offWeek.isEmpty)
        let patchWeek = ReleaseCalendar.warnings(kind: .minor, profiles: [.drupal], blackouts: [], at: utc("2026-12-16T17:00:00Z"), now: monday,
                                                 patchCycle: cycle)
        #expect(patchWeek.map(\.name) == ["drupal.patch-wednesday"])
    }

    @Test func mergeCutoffs() throws {
        let wednesday = utc("2026-12-02T16:00:00Z")
        let cutoff = ReleaseCalendar.mergeCutoff(kind: .patch, releaseAt: wednesday)
        // The end of the Tuesday: a merge at 23:59:59 is in, one at midnight is not.
        #expect(cutoff == utc("2026-12-01T23:59:59Z"))
        #expect(try #require(cutoff) >= utc("2026-12-01T23:59:59Z"))
        #expect(!(try #require(cutoff) >= utc("2026-12-02T00:00:00Z")))
        #expect(ReleaseCalendar.mergeCutoff(kind: .minor, releaseAt: wednesday) == utc("2026-11-25T16:00:00Z"))
        #expect(ReleaseCalendar.mergeCutoff(kind: .major, releaseAt: wednesday, qaTime: 14 * 86400) == utc("2026-11-18T16:00:00Z"))
        #expect(ReleaseCalendar.mergeCutoff(kind: .security, releaseAt: wednesday) == nil)
        #expect(ReleaseCalendar.mergeCutoff(kind: .critical, releaseAt: wednesday) == nil)
    }

    @Test func tagsAreReadyByElevenAndSecurityTagsWaitForTheDay() {
        let wednesday = utc("2026-12-02T16:00:00Z")
        let security = ReleaseCalendar.tagWindow(kind: .security, releaseAt: wednesday)
        #expect(security.earliest == utc("2026-12-02T00:00:00Z"))
        #expect(security.readyBy == utc("2026-12-02T11:00:00Z"))
        let patch = ReleaseCalendar.tagWindow(kind: .patch, releaseAt: wednesday)
        #expect(patch.earliest == nil)
        #expect(patch.readyBy == utc("2026-12-02T11:00:00Z"))
        let critical = ReleaseCalendar.tagWindow(kind: .critical, releaseAt: utc("2026-12-05T03:00:00Z"))
        #expect(critical.readyBy == utc("2026-12-05T03:00:00Z"))

        let deadlines = ReleaseCalendar.deadlines(kind: .security, profiles: [.drupal], releaseAt: wednesday)
        #expect(deadlines.map(\.kind) == ["tags-from", "tags-ready", "prerelease", "release", "window-closes"])
        #expect(deadlines[2].at == utc("2026-12-02T16:00:00Z"))
        #expect(ReleaseCalendar.deadlines(kind: .patch, profiles: [.drupal], releaseAt: wednesday).map(\.kind)
            == ["merge-cutoff", "tags-ready", "release", "window-closes"])
    }

    @Test func blackoutFirstAndLastDay() throws {
        let holidays = try Blackout.parse("2026-12-24..2027-01-02")
        let now = utc("2026-12-01T09:00:00Z")
        for kind in [ReleaseKind.patch, .minor, .major, .security] {
            func broken(_ at: String) -> [String] { names(kind, at, profiles: [], blackouts: [holidays], now: "2026-12-01T09:00:00Z") }
            #expect(broken("2026-12-23T23:59:59Z").isEmpty)
            #expect(broken("2026-12-24T00:00:00Z") == ["blackout"])
            #expect(broken("2027-01-02T23:59:59Z") == ["blackout"])
            #expect(broken("2027-01-03T00:00:00Z").isEmpty)
        }
        let message = ReleaseCalendar.violations(kind: .patch, profiles: [.drupal], blackouts: [holidays], at: utc("2026-12-30T16:00:00Z"), now: now)
        #expect(message.map(\.name) == ["blackout"])
        #expect(message[0].message == "2026-12-30 is in the project's blackout 2026-12-24..2027-01-02")
        // Wednesdays 23 Dec is before, 30 Dec inside: the patch after the 30th waits for 6 January.
        #expect(ReleaseCalendar.nextWindow(kind: .patch, profiles: [.drupal], blackouts: [holidays], after: utc("2026-12-24T09:00:00Z"))
            == utc("2027-01-06T16:00:00Z"))
        // A minor release planned on 1 December for after Christmas: the first hour after the blackout.
        #expect(ReleaseCalendar.nextWindow(kind: .minor, profiles: [], blackouts: [holidays], after: utc("2026-12-28T10:30:00Z"), now: now)
            == utc("2027-01-03T00:00:00Z"))
    }

    @Test func blackoutParsing() throws {
        #expect(try Blackout.parse("2026-12-25").description == "2026-12-25")
        #expect(try Blackout.parse("2026-12-25..2026-12-25").description == "2026-12-25")
        #expect(try Blackout.parse("2026-12-24..2027-01-02").description == "2026-12-24..2027-01-02")
        #expect(try Blackout.parse("2028-02-29").contains(utc("2028-02-29T12:00:00Z")))
        for bad in ["2027-01-02..2026-12-24", "2026-02-29", "2026-13-01", "tomorrow", "2026-12-24..", "2026-12-24...2026-12-26",
                    "2026-01-01..2027-01-03"] {
            #expect(throws: EmbargoError.self, "\(bad)") { try Blackout.parse(bad) }
        }
    }

    @Test func kubernetesWaitsSevenDaysForPatchesNotSentYet() {
        let now = utc("2026-11-02T10:00:00Z")  // a Monday
        // No pre-release yet: they can go today at the earliest, so disclosure is a week out, at 16:00.
        #expect(ReleaseCalendar.nextWindow(kind: .security, profiles: [.kubernetes], blackouts: [], after: now) == utc("2026-11-09T16:00:00Z"))
        #expect(names(.security, "2026-11-05T16:00:00Z", profiles: [.kubernetes], now: "2026-11-02T10:00:00Z") == ["kubernetes.patches-7-days"])
        #expect(names(.security, "2026-11-09T10:00:00Z", profiles: [.distros], now: "2026-11-02T10:00:00Z").isEmpty)
        #expect(names(.security, "2026-11-03T09:59:59Z", profiles: [.distros], now: "2026-11-02T10:00:00Z") == ["distros.min-1-day"])
        // With drupal too: the first Wednesday a week out; with a blackout on it, the next.
        let blackout = try! Blackout.parse("2026-11-11")
        #expect(ReleaseCalendar.nextWindow(kind: .security, profiles: [.drupal, .kubernetes], blackouts: [], after: now) == utc("2026-11-11T16:00:00Z"))
        #expect(ReleaseCalendar.nextWindow(kind: .security, profiles: [.drupal, .kubernetes], blackouts: [blackout], after: now)
            == utc("2026-11-18T16:00:00Z"))
    }
}
