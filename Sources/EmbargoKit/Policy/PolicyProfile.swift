import EmbargoStore
import Foundation

/// A disclosure policy a project follows; a project may combine several.
public enum PolicyProfile: String, CaseIterable, Codable, Sendable {
    /// Drupal: security releases on Wednesday, ready for the security team
    /// before 16:00 UTC, tags by 11:00 UTC, release window 16:00-20:00 UTC.
    case drupal
    /// linux-distros: at most 14 days (at least 1) from pre-notification to disclosure.
    case distros
    /// Kubernetes: patches to distributors 7 days before, final text 24 h
    /// before, disclosure at 16:00 UTC on a weekday other than Friday.
    case kubernetes
    /// Google Project Zero: disclosure at most 90 days after the report.
    case projectZero = "project-zero"

    public var summary: String {
        switch self {
        case .drupal: return "Wednesday, pre-release before 16:00 UTC, tags by 11:00 UTC, release 16:00-20:00 UTC"
        case .distros: return "pre-notification 1 to 14 days before disclosure"
        case .kubernetes: return "pre-release 7 days and final text 24 h before; 16:00 UTC, not Friday or weekend"
        case .projectZero: return "disclosure within 90 days of the report"
        }
    }

    /// Parses a comma-separated list such as `drupal,distros`.
    public static func parseList(_ text: String) throws -> [PolicyProfile] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else {
            throw EmbargoError(.usage, "no policy profile given", hint: "known profiles: \(known)")
        }
        var profiles: [PolicyProfile] = []
        for name in names {
            guard let profile = PolicyProfile(rawValue: name) else {
                throw EmbargoError(.usage, "unknown policy profile '\(name)'", hint: "known profiles: \(known)")
            }
            if !profiles.contains(profile) { profiles.append(profile) }
        }
        return profiles
    }

    static var known: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// What is known about an advisory's schedule, in UTC.
public struct ScheduleFacts: Sendable, Equatable {
    public var disclosure: Date?
    public var reportedAt: Date?
    /// The first pre-notification (first pre-release sent).
    public var firstPrerelease: Date?
    /// The latest pre-release (the final text sent to distributors).
    public var lastPrerelease: Date?

    public init(disclosure: Date? = nil, reportedAt: Date? = nil, firstPrerelease: Date? = nil, lastPrerelease: Date? = nil) {
        self.disclosure = disclosure
        self.reportedAt = reportedAt
        self.firstPrerelease = firstPrerelease
        self.lastPrerelease = lastPrerelease
    }
}

/// A moment something must be done by (or may start at).
public struct Deadline: Sendable, Equatable, Codable {
    public var profile: String
    public var kind: String
    public var title: String
    public var at: Date

    public init(profile: String, kind: String, title: String, at: Date) {
        self.profile = profile
        self.kind = kind
        self.title = title
        self.at = at
    }
}

/// A rule of a profile that the schedule breaks.
public struct Violation: Sendable, Equatable, Codable {
    public var profile: String
    public var rule: String
    public var message: String

    public init(profile: String, rule: String, message: String) {
        self.profile = profile
        self.rule = rule
        self.message = message
    }

    /// The `profile` of the project's own rules (its blackouts).
    public static let projectRules = "project"

    /// What a refusal names: `drupal.wednesday`, `kubernetes.patches-7-days`,
    /// `embargo.lead-time`; a project's own rule by its bare name, `blackout`.
    public var name: String { profile == Self.projectRules ? rule : "\(profile).\(rule)" }
}

/// The policy rules: deadlines, violations and the next window that satisfies them.
public enum PolicyEngine {
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86400
    static var calendar: Calendar { Calendar.utc }

    /// The deadlines the profiles derive from the facts, in time order.
    public static func deadlines(_ profiles: [PolicyProfile], _ facts: ScheduleFacts) -> [Deadline] {
        var result: [Deadline] = []
        for profile in profiles {
            let name = profile.rawValue
            switch profile {
            case .drupal:
                guard let disclosure = facts.disclosure else { continue }
                let releaseDay = calendar.startOfDay(for: disclosure)
                result.append(Deadline(profile: name, kind: "tags-ready", title: "release tags ready", at: releaseDay + 11 * hour))
                result.append(Deadline(profile: name, kind: "prerelease", title: "pre-release ready for the security team", at: releaseDay + 16 * hour))
                result.append(Deadline(profile: name, kind: "window-closes", title: "release window closes", at: releaseDay + 20 * hour))
            case .distros:
                guard let disclosure = facts.disclosure else { continue }
                result.append(Deadline(profile: name, kind: "notify-earliest", title: "pre-notify distributors, not earlier than", at: disclosure - 14 * day))
                result.append(Deadline(profile: name, kind: "notify-latest", title: "pre-notify distributors, not later than", at: disclosure - day))
            case .kubernetes:
                guard let disclosure = facts.disclosure else { continue }
                result.append(Deadline(profile: name, kind: "patches-to-distributors", title: "patches to private distributors", at: disclosure - 7 * day))
                result.append(Deadline(profile: name, kind: "final-text", title: "final text and time to distributors", at: disclosure - day))
            case .projectZero:
                guard let reported = facts.reportedAt else { continue }
                result.append(Deadline(profile: name, kind: "disclosure-deadline", title: "disclosure deadline (90 days after report)", at: reported + 90 * day))
            }
        }
        if let disclosure = facts.disclosure {
            result.append(Deadline(profile: "embargo", kind: "disclosure", title: "disclosure", at: disclosure))
        }
        // At the same moment, the disclosure comes last: what is due then must precede it.
        return result.sorted { ($0.at, $0.kind == "disclosure" ? 1 : 0, $0.kind) < ($1.at, $1.kind == "disclosure" ? 1 : 0, $1.kind) }
    }

    /// The rules the schedule breaks. With `now` and `leadTime`, also checks
    /// that the security team gets at least `leadTime` before disclosure.
    public static func violations(_ profiles: [PolicyProfile], _ facts: ScheduleFacts,
                                  now: Date? = nil, leadTime: TimeInterval = 0) -> [Violation]
    {
        var result: [Violation] = []
        guard let disclosure = facts.disclosure else { return result }
        // UTC arithmetic, not a Calendar: the next-window search calls this many times.
        let weekday = ReleaseCalendar.weekday(disclosure)  // 1 = Sunday
        let minuteOfDay = Int(ReleaseCalendar.secondOfDay(disclosure)) / 60
        let dayName = ReleaseCalendar.dayName(disclosure)
        func add(_ profile: PolicyProfile, _ rule: String, _ message: String) {
            result.append(Violation(profile: profile.rawValue, rule: rule, message: message))
        }
        for profile in profiles {
            switch profile {
            case .drupal:
                if weekday != 4 { add(profile, "wednesday", "security releases go out on Wednesdays; this is a \(dayName)") }
                if minuteOfDay < 16 * 60 || minuteOfDay > 20 * 60 {
                    add(profile, "window", "the release window is 16:00-20:00 UTC; this is \(clock(disclosure)) UTC")
                }
                if let sent = facts.lastPrerelease, sent > calendar.startOfDay(for: disclosure) + 16 * hour {
                    add(profile, "prerelease-before-16", "the pre-release must reach the security team before 16:00 UTC on release day")
                }
            case .distros:
                if let first = facts.firstPrerelease {
                    if disclosure.timeIntervalSince(first) > 14 * day { add(profile, "max-14-days", "disclosure is more than 14 days after the first pre-notification") }
                    if disclosure.timeIntervalSince(first) < day { add(profile, "min-1-day", "disclosure is less than 1 day after the first pre-notification") }
                }
            case .kubernetes:
                if weekday == 6 || weekday == 7 || weekday == 1 {
                    add(profile, "weekday", "disclosure must be on a weekday other than Friday; this is a \(dayName)")
                }
                if minuteOfDay != 16 * 60 { add(profile, "16-utc", "disclosure is announced at 16:00 UTC; this is \(clock(disclosure)) UTC") }
                if let first = facts.firstPrerelease, disclosure.timeIntervalSince(first) < 7 * day {
                    add(profile, "patches-7-days", "distributors must get the patches at least 7 days before disclosure")
                }
                if let last = facts.lastPrerelease, disclosure.timeIntervalSince(last) < day {
                    add(profile, "final-24-hours", "distributors must get the final text at least 24 hours before disclosure")
                }
            case .projectZero:
                if let reported = facts.reportedAt, disclosure.timeIntervalSince(reported) > 90 * day {
                    add(profile, "90-days", "disclosure is more than 90 days after the report (\(Timestamp.string(reported)))")
                }
            }
        }
        if let now, disclosure < now + leadTime {
            result.append(Violation(profile: "embargo", rule: "lead-time",
                                    message: "the security team needs \(Int(leadTime / hour)) h before disclosure; this leaves \(max(0, Int(disclosure.timeIntervalSince(now) / hour))) h"))
        }
        return result
    }

    /// The earliest disclosure time at or after `now + leadTime` that breaks no
    /// rule. If no such time exists (a deadline already passed), the earliest
    /// time that breaks only such deadline rules. The rules of a security
    /// release, without blackouts: see `ReleaseCalendar.nextWindow`.
    public static func nextWindow(_ profiles: [PolicyProfile], _ facts: ScheduleFacts, now: Date, leadTime: TimeInterval) -> Date {
        ReleaseCalendar.nextWindow(kind: .security, profiles: profiles, blackouts: [], after: now, now: now, facts: facts, leadTime: leadTime)
    }

    private static func clock(_ date: Date) -> String {
        String(format: "%02d:%02d", calendar.component(.hour, from: date), calendar.component(.minute, from: date))
    }
}
