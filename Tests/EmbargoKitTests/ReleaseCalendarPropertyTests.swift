import EmbargoKit
import EmbargoStore
import Foundation
import Testing
import TestSupport

/// `nextWindow` against `violations`, from every day of 2027, for every kind
/// and the profile combinations projects use, with holidays and blackouts.
@Suite("release calendar: the next window breaks no rule")
struct ReleaseCalendarPropertyTests {
    /// Holidays of a team in 2027: single days (one a Wednesday), a week, a
    /// summer break longer than the 14 days distros allow, the year's end.
    let blackouts = try! ["2027-01-01", "2027-04-14", "2027-05-24..2027-05-28", "2027-08-02..2027-08-20", "2027-12-22..2028-01-04"]
        .map(Blackout.parse)

    let combinations: [[PolicyProfile]] = [
        [], [.drupal], [.distros], [.kubernetes], [.projectZero],
        [.drupal, .distros], [.drupal, .kubernetes], [.drupal, .projectZero], [.kubernetes, .distros],
        [.drupal, .kubernetes, .distros, .projectZero],
    ]

    /// Rules that no later date can meet again once broken.
    let deadlineRules: Set<String> = ["90-days", "max-14-days"]

    @Test func nextWindowBreaksNoRuleFromEveryDayOf2027() throws {
        var random = SeededGenerator(seed: 2027)
        let january = utc("2027-01-01T00:00:00Z")
        var fallbacks = 0
        for dayIndex in 0..<365 {
            // A random moment of the day, so windows open and close around it.
            let start = january + Double(dayIndex) * 86400 + Double(Int.random(in: 0..<86400, using: &random))
            let lead: TimeInterval = [0, 3600, 48 * 3600].randomElement(using: &random)!
            // Every other day, a project whose patch releases run every other Wednesday from one in the year.
            let cycle: Date? = dayIndex % 2 == 0 ? nil : utc("2026-12-30T16:00:00Z") + Double(Int.random(in: 0..<52, using: &random)) * 7 * 86400
            let sent = start - Double(Int.random(in: 0...(5 * 86400), using: &random))
            let variants = [
                ScheduleFacts(),
                ScheduleFacts(reportedAt: start - Double(Int.random(in: 30...85, using: &random)) * 86400),
                ScheduleFacts(firstPrerelease: sent, lastPrerelease: sent),
            ]
            for kind in ReleaseKind.allCases {
                for profiles in combinations {
                    for facts in variants {
                        let next = ReleaseCalendar.nextWindow(kind: kind, profiles: profiles, blackouts: blackouts, after: start,
                                                              facts: facts, leadTime: lead, patchCycle: cycle)
                        let context = "\(kind) \(profiles.map(\.rawValue)) from \(Timestamp.string(start)) lead \(Int(lead)) \(facts) cycle \(cycle.map(Timestamp.string) ?? "-")"
                        #expect(next >= start + lead, "\(context)")
                        let broken = ReleaseCalendar.violations(kind: kind, profiles: profiles, blackouts: blackouts, at: next, now: start,
                                                                facts: facts, leadTime: lead, patchCycle: cycle)
                        if broken.isEmpty { continue }
                        // Only a passed deadline may stay broken, and only when no hour meets every rule.
                        fallbacks += 1
                        #expect(broken.allSatisfy { deadlineRules.contains($0.rule) }, "\(context): \(broken.map(\.name))")
                        let free = noViolationHour(kind, profiles, facts, from: start + lead, now: start, lead: lead, until: deadline(profiles, facts),
                                                   cycle: cycle)
                        #expect(free == nil, "\(context): \(free.map(Timestamp.string) ?? "") breaks nothing")
                    }
                }
            }
        }
        // The summer break beyond distros' 14 days must have exercised the fallback.
        #expect(fallbacks > 0)
    }

    /// The drupal patch window, found independently: the first Wednesday out
    /// of every blackout whose 16:00 UTC is still ahead.
    @Test func drupalPatchWindowIsTheFirstFreeWednesday() {
        var random = SeededGenerator(seed: 16)
        let january = utc("2027-01-01T00:00:00Z")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for dayIndex in 0..<365 {
            let start = january + Double(dayIndex) * 86400 + Double(Int.random(in: 0..<86400, using: &random))
            var expected = calendar.startOfDay(for: start) + 16 * 3600
            while expected < start || calendar.component(.weekday, from: expected) != 4 || blackouts.contains(where: { $0.contains(expected) }) {
                expected += 86400
            }
            for kind in [ReleaseKind.patch, .security] {
                let next = ReleaseCalendar.nextWindow(kind: kind, profiles: [.drupal], blackouts: blackouts, after: start)
                // A security release planned on the Wednesday after 16:00 is too late to pre-publish: the next week's.
                #expect(next == expected, "\(kind) from \(Timestamp.string(start))")
            }
        }
    }

    /// With a cycle, the drupal patch window found independently: the first
    /// Wednesday an even number of weeks from the cycle's, out of every
    /// blackout, whose 16:00 UTC is still ahead.
    @Test func drupalPatchWindowKeepsEveryOtherWednesday() {
        var random = SeededGenerator(seed: 14)
        let january = utc("2027-01-01T00:00:00Z")
        let cycle = utc("2027-01-13T16:00:00Z")
        for dayIndex in 0..<365 {
            let start = january + Double(dayIndex) * 86400 + Double(Int.random(in: 0..<86400, using: &random))
            var expected = cycle - 14 * 86400
            while expected < start || blackouts.contains(where: { $0.contains(expected) }) { expected += 14 * 86400 }
            let next = ReleaseCalendar.nextWindow(kind: .patch, profiles: [.drupal], blackouts: blackouts, after: start, patchCycle: cycle)
            #expect(next == expected, "from \(Timestamp.string(start))")
        }
    }

    /// The last moment the deadline rules of `profiles` allow (the day after it, to be sure).
    func deadline(_ profiles: [PolicyProfile], _ facts: ScheduleFacts) -> Date {
        var limits: [Date] = []
        if profiles.contains(.distros), let first = facts.firstPrerelease { limits.append(first + 15 * 86400) }
        if profiles.contains(.projectZero), let reported = facts.reportedAt { limits.append(reported + 91 * 86400) }
        return limits.min() ?? .distantPast
    }

    /// An hour breaking no rule before `until`, or nil.
    func noViolationHour(_ kind: ReleaseKind, _ profiles: [PolicyProfile], _ facts: ScheduleFacts, from: Date, now: Date,
                         lead: TimeInterval, until: Date, cycle: Date?) -> Date?
    {
        var t = Date(timeIntervalSince1970: (from.timeIntervalSince1970 / 3600).rounded(.up) * 3600)
        while t <= until {
            if ReleaseCalendar.violations(kind: kind, profiles: profiles, blackouts: blackouts, at: t, now: now, facts: facts, leadTime: lead,
                                          patchCycle: cycle).isEmpty {
                return t
            }
            t += 3600
        }
        return nil
    }
}
