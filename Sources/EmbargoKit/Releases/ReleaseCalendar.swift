import EmbargoStore
import Foundation

/// When tags may be pushed for a release, and when they must be ready.
public struct TagWindow: Sendable, Equatable {
    /// The first moment a tag may be public (nil: any time before).
    public var earliest: Date?
    /// When the tags must be ready.
    public var readyBy: Date
}

/// The calendar rules of every release kind (DOMAIN.md, "Every release kind"),
/// with the project's policy profiles and blackout days.
///
/// `at` is the moment a release becomes public. For a security release that is
/// the disclosure: the Security Team publishes the advisory and the release
/// together, after the preparer pre-published before 16:00 UTC that day.
///
/// The day and time rules of a kind are those of the `drupal` profile; the
/// other profiles are embargo rules and govern security releases only. A
/// blackout forbids every kind but `critical`, which goes out as soon as
/// possible and only gets a warning.
///
/// ```swift
/// let at = ReleaseCalendar.nextWindow(kind: .patch, profiles: [.drupal], blackouts: holidays, after: now)
/// let broken = ReleaseCalendar.violations(kind: .patch, profiles: [.drupal], blackouts: holidays, at: at, now: now)
/// // broken is empty; each element otherwise names its rule: "drupal.wednesday", "blackout", ...
/// ```
public enum ReleaseCalendar {
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86400
    /// Rules no later date can satisfy once they are broken (a deadline has passed):
    /// the next window then breaks only these, and shows them.
    static let deadlineRules: Set<String> = ["90-days", "max-14-days"]

    /// The rules a release of `kind` at `at` breaks; a caller refuses it unless
    /// the user allows the violation with a reason.
    ///
    /// - Parameters:
    ///   - now: the present, for the rules about it (not in the past, time left
    ///     to pre-publish, to send patches to distributors); nil leaves them out.
    ///   - facts: what is known of an advisory's embargo (pre-releases sent,
    ///     report date), for a security release.
    ///   - leadTime: the time the security team needs before a disclosure.
    ///   - patchCycle: a Wednesday of the project's scheduled patch releases,
    ///     which go out every other Wednesday from it; nil when none is known
    ///     yet (any Wednesday then).
    public static func violations(kind: ReleaseKind, profiles: [PolicyProfile], blackouts: [Blackout], at: Date, now: Date?,
                                  facts: ScheduleFacts = ScheduleFacts(), leadTime: TimeInterval = 0, patchCycle: Date? = nil) -> [Violation]
    {
        var result: [Violation] = []
        if kind != .critical, let blackout = Blackout.covering(at, in: blackouts) {
            result.append(blackoutRule(at, blackout))
        }
        let drupal = profiles.contains(.drupal)
        switch kind {
        case .security:
            var disclosure = facts
            disclosure.disclosure = at
            result += PolicyEngine.violations(profiles, disclosure, now: now, leadTime: leadTime)
            if let now { result += unsentPrereleaseRules(profiles, facts, at: at, now: now) }
        case .patch where drupal:
            if weekday(at) != 4 {
                result.append(drupalRule("wednesday", "scheduled patch releases go out on Wednesdays; this is a \(dayName(at))"))
            } else if let patchCycle, !isPatchWednesday(at, cycle: patchCycle) {
                result.append(drupalRule("every-other-wednesday", "scheduled patch releases go out every other Wednesday, as on \(Blackout.day(of: patchCycle)); "
                                         + "\(Blackout.day(of: at)) falls between \(Blackout.day(of: at - 7 * day)) and \(Blackout.day(of: at + 7 * day))"))
            }
            let second = secondOfDay(at)
            if second < 16 * 3600 || second > 20 * 3600 {
                result.append(drupalRule("window", "patch releases are published 16:00-20:00 UTC; this is \(clock(at)) UTC"))
            }
        case .patch, .critical, .minor, .major:
            break
        }
        if let now, at < now, !result.contains(where: { $0.rule == "lead-time" }) {
            result.append(Violation(profile: "embargo", rule: "past", message: "\(iso(at)) is in the past"))
        }
        return result
    }

    /// Advice a caller shows without refusing: a minor or major release on a
    /// patch Wednesday, less than the default week of QA before it, a
    /// critical release in a blackout.
    public static func warnings(kind: ReleaseKind, profiles: [PolicyProfile], blackouts: [Blackout], at: Date, now: Date?,
                                patchCycle: Date? = nil) -> [Violation]
    {
        var result: [Violation] = []
        switch kind {
        case .critical:
            if let blackout = Blackout.covering(at, in: blackouts) { result.append(blackoutRule(at, blackout)) }
        case .minor, .major:
            if profiles.contains(.drupal), weekday(at) == 4, patchCycle.map({ isPatchWednesday(at, cycle: $0) }) ?? true {
                result.append(drupalRule("patch-wednesday", "\(kind.rawValue) releases should not fall on a patch Wednesday"))
            }
            if let now, let cutoff = mergeCutoff(kind: kind, releaseAt: at), cutoff < now {
                result.append(Violation(profile: "embargo", rule: "qa-week",
                                        message: "the merge cutoff (\(iso(cutoff))) has passed: QA gets less than \(Int(defaultQATime / day)) days"))
            }
        case .patch, .security:
            break
        }
        return result
    }

    /// The earliest time at or after `after` (and `now + leadTime`) that breaks
    /// no rule: for `critical`, that moment itself; for `patch` and
    /// `security` under `drupal` (or `kubernetes`), 16:00 UTC of the first
    /// allowed day, else (the window at 16:00 breaking a rule that a later
    /// hour keeps, or no such profile) the first allowed hour; for `minor`
    /// and `major`, the moment itself or the first allowed hour, preferring
    /// one that draws no warning (not a patch Wednesday, a week of QA).
    ///
    /// When no time within about two years breaks no rule (a deadline has
    /// passed), the earliest that breaks only such deadlines; failing that,
    /// the first candidate, whose violations the caller then shows.
    public static func nextWindow(kind: ReleaseKind, profiles: [PolicyProfile], blackouts: [Blackout], after: Date, now: Date? = nil,
                                  facts: ScheduleFacts = ScheduleFacts(), leadTime: TimeInterval = 0, patchCycle: Date? = nil) -> Date
    {
        let now = now ?? after
        let earliest = max(after, now + leadTime)
        if kind == .critical { return earliest }
        let atSixteen: Bool
        switch kind {
        case .security: atSixteen = profiles.contains(.drupal) || profiles.contains(.kubernetes)
        case .patch: atSixteen = profiles.contains(.drupal)
        case .critical, .minor, .major: atSixteen = false
        }
        let limit = earliest + 800 * day
        /// The first candidate `accept` takes: 16:00 UTC daily, or every hour
        /// on the hour (the moment itself first, for minor and major). A
        /// blackout is skipped whole; nil when `accept` gives up (a deadline
        /// has passed) or nothing is found before `limit`.
        func first(daily: Bool, _ accept: (Date) -> Bool?) -> Date? {
            if kind == .minor || kind == .major, Blackout.covering(earliest, in: blackouts) == nil {
                guard let taken = accept(earliest) else { return nil }
                if taken { return earliest }
            }
            var t: Date
            if daily {
                t = startOfDay(earliest) + 16 * hour
                if t < earliest { t += day }
            } else {
                t = Date(timeIntervalSince1970: (earliest.timeIntervalSince1970 / hour).rounded(.up) * hour)
            }
            while t < limit {
                if let blackout = Blackout.covering(t, in: blackouts) {
                    t = blackout.end + (daily ? 16 * hour : 0)
                    continue
                }
                guard let taken = accept(t) else { return nil }
                if taken { return t }
                t += daily ? day : hour
            }
            return nil
        }
        func broken(_ date: Date) -> [Violation] {
            violations(kind: kind, profiles: profiles, blackouts: [], at: date, now: now, facts: facts, leadTime: leadTime, patchCycle: patchCycle)
        }
        /// Takes a time that breaks nothing; gives up once a deadline has
        /// passed, since every later time breaks it too.
        func perfect(_ date: Date) -> Bool? {
            let rules = broken(date)
            if rules.contains(where: { deadlineRules.contains($0.rule) }) { return nil }
            return rules.isEmpty
        }
        if kind == .minor || kind == .major,
           let quiet = first(daily: false, {
               perfect($0) == true && warnings(kind: kind, profiles: profiles, blackouts: [], at: $0, now: now, patchCycle: patchCycle).isEmpty
           })
        {
            return quiet
        }
        if atSixteen, let window = first(daily: true, perfect) { return window }
        if let window = first(daily: false, perfect) { return window }
        let onlyDeadlines: (Date) -> Bool? = { date in broken(date).allSatisfy { deadlineRules.contains($0.rule) } }
        return first(daily: atSixteen, onlyDeadlines) ?? first(daily: atSixteen, { _ in true }) ?? earliest
    }

    /// Whether the Wednesday of `date` is an even number of weeks from the
    /// one of `cycle`: a Wednesday of the scheduled patch releases.
    static func isPatchWednesday(_ date: Date, cycle: Date) -> Bool {
        let weeks = Int(((startOfDay(date).timeIntervalSince1970 - startOfDay(cycle).timeIntervalSince1970) / (7 * day)).rounded())
        return weeks % 2 == 0
    }

    /// The default time between the merge cutoff and a minor or major release (QA).
    public static let defaultQATime: TimeInterval = 7 * 86400

    /// The last moment a merge makes it into a release at `releaseAt` (merges
    /// at or before it are in), or nil when there is no fixed cutoff:
    /// - `patch`: the end (23:59:59 UTC) of the day before the release day, the
    ///   Tuesday for a Wednesday release;
    /// - `minor`, `major`: `qaTime` (a week by default) before the release;
    /// - `security`: nil, the Drupal Security Team sets it;
    /// - `critical`: nil, decided case by case.
    public static func mergeCutoff(kind: ReleaseKind, releaseAt: Date, qaTime: TimeInterval = defaultQATime) -> Date? {
        switch kind {
        case .patch: return startOfDay(releaseAt) - 1
        case .minor, .major: return releaseAt - qaTime
        case .security, .critical: return nil
        }
    }

    /// When the release's tags may be pushed and must be ready: by 11:00 UTC
    /// on the release day (or the release itself, if earlier). A security
    /// release's tags may not be public before 00:00 UTC of the disclosure
    /// day, since its fixes stay private until then; a critical release is
    /// tagged as soon as possible, by the release itself.
    public static func tagWindow(kind: ReleaseKind, releaseAt: Date) -> TagWindow {
        let releaseDay = startOfDay(releaseAt)
        let readyBy = kind == .critical ? releaseAt : min(releaseDay + 11 * hour, releaseAt)
        return TagWindow(earliest: kind == .security ? releaseDay : nil, readyBy: readyBy)
    }

    /// The moments the preparer works to for a release at `releaseAt`, in time
    /// order: the merge cutoff, the tags, the pre-publication of a security
    /// release (before 16:00 UTC), the release, and the close of the drupal
    /// release window.
    public static func deadlines(kind: ReleaseKind, profiles: [PolicyProfile], releaseAt: Date) -> [Deadline] {
        let profile = "release"
        var result: [Deadline] = []
        if let cutoff = mergeCutoff(kind: kind, releaseAt: releaseAt) {
            result.append(Deadline(profile: profile, kind: "merge-cutoff", title: "last merges", at: cutoff))
        }
        let tags = tagWindow(kind: kind, releaseAt: releaseAt)
        if let earliest = tags.earliest {
            result.append(Deadline(profile: profile, kind: "tags-from", title: "tags may be pushed, not earlier than", at: earliest))
        }
        result.append(Deadline(profile: profile, kind: "tags-ready", title: "release tags ready", at: tags.readyBy))
        if kind == .security {
            result.append(Deadline(profile: profile, kind: "prerelease", title: "pre-published for the security team, before",
                                   at: startOfDay(releaseAt) + 16 * hour))
        }
        result.append(Deadline(profile: profile, kind: "release", title: "\(kind.rawValue) release", at: releaseAt))
        if profiles.contains(.drupal), kind == .patch || kind == .security {
            result.append(Deadline(profile: "drupal", kind: "window-closes", title: "release window closes", at: startOfDay(releaseAt) + 20 * hour))
        }
        return result.sorted { ($0.at, $0.kind == "release" ? 1 : 0) < ($1.at, $1.kind == "release" ? 1 : 0) }
    }

    // MARK: Rules

    /// Embargo rules that count from a pre-release not sent yet: it can go out
    /// now at the earliest, so the disclosure is at least that far off.
    static func unsentPrereleaseRules(_ profiles: [PolicyProfile], _ facts: ScheduleFacts, at: Date, now: Date) -> [Violation] {
        var result: [Violation] = []
        if profiles.contains(.drupal), facts.lastPrerelease == nil, now >= startOfDay(at) + 16 * hour {
            result.append(drupalRule("prerelease-before-16", "it is past 16:00 UTC on release day: too late to pre-publish for the security team"))
        }
        if facts.firstPrerelease == nil {
            if profiles.contains(.kubernetes), at < now + 7 * day {
                result.append(Violation(profile: PolicyProfile.kubernetes.rawValue, rule: "patches-7-days",
                                        message: "the patches have not gone to distributors, who need them at least 7 days before disclosure (not before \(iso(now + 7 * day)))"))
            }
            if profiles.contains(.distros), at < now + day {
                result.append(Violation(profile: PolicyProfile.distros.rawValue, rule: "min-1-day",
                                        message: "distributors have not been pre-notified, and need at least 1 day before disclosure"))
            }
        }
        return result
    }

    static func blackoutRule(_ date: Date, _ blackout: Blackout) -> Violation {
        Violation(profile: Violation.projectRules, rule: "blackout",
                  message: "\(Blackout.day(of: date)) is in the project's blackout \(blackout)")
    }

    static func drupalRule(_ rule: String, _ message: String) -> Violation {
        Violation(profile: PolicyProfile.drupal.rawValue, rule: rule, message: message)
    }

    // UTC has no daylight saving: day arithmetic on the epoch is exact, and far
    // cheaper than a Calendar in the next-window search.

    static func startOfDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / day).rounded(.down) * day)
    }

    /// 1 = Sunday ... 7 = Saturday, as Calendar counts. 1970-01-01 was a Thursday.
    static func weekday(_ date: Date) -> Int {
        let days = Int((date.timeIntervalSince1970 / day).rounded(.down))
        return ((days + 4) % 7 + 7) % 7 + 1
    }

    static func secondOfDay(_ date: Date) -> TimeInterval {
        date.timeIntervalSince(startOfDay(date))
    }

    static func dayName(_ date: Date) -> String {
        ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][weekday(date) - 1]
    }

    /// `2026-12-02T16:00:00Z`, as `Timestamp.string` writes it, without a formatter per call.
    static func iso(_ date: Date) -> String {
        let seconds = Int(secondOfDay(date))
        return Blackout.day(of: date) + String(format: "T%02d:%02d:%02dZ", seconds / 3600, seconds % 3600 / 60, seconds % 60)
    }

    static func clock(_ date: Date) -> String {
        let seconds = Int(secondOfDay(date))
        return String(format: "%02d:%02d", seconds / 3600, seconds % 3600 / 60)
    }
}
