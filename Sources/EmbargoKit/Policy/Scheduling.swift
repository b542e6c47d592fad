import EmbargoStore
import Foundation
import GRDB

/// Reads times the user types, in a time zone, and shows UTC times in one.
public enum LocalTime {
    public static func zone(_ name: String?) throws -> TimeZone {
        guard let name else { return TimeZone(identifier: "UTC")! }
        guard let zone = TimeZone(identifier: name) else {
            throw EmbargoError(.usage, "unknown time zone '\(name)'", hint: "use an IANA name such as Europe/Brussels or America/New_York")
        }
        return zone
    }

    /// `2026-04-01T16:00:00Z`, with an offset (`+02:00`), or a local time
    /// (`2026-04-01T18:00`, `2026-04-01 18:00`) in `zone`. A local time that
    /// does not exist (skipped by a daylight-saving change) or exists twice is refused.
    public static func parse(_ text: String, zone: TimeZone) throws -> Date {
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        guard let match = normalized.wholeMatch(
            of: /([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?(Z|[+-][0-9]{2}:[0-9]{2})?/)
        else {
            throw EmbargoError(.usage, "'\(text)' is not a time",
                               hint: "write 2026-04-01T16:00Z, 2026-04-01T18:00+02:00, or a local time with --tz")
        }
        try checkCalendar(text, year: Int(match.1)!, month: Int(match.2)!, day: Int(match.3)!, hour: Int(match.4)!,
                          minute: Int(match.5)!, second: match.6.flatMap { Int($0) } ?? 0, offset: match.7.map(String.init))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        if let designator = match.7 {
            // An explicit offset fixes the instant; the zone plays no part.
            let sign: Int = designator.hasPrefix("-") ? -1 : 1
            let parts = designator.dropFirst().split(separator: ":").compactMap { Int($0) }
            let seconds = designator == "Z" ? 0 : sign * (parts[0] * 3600 + parts[1] * 60)
            guard let fixed = TimeZone(secondsFromGMT: seconds) else { throw EmbargoError(.usage, "'\(text)' has an invalid offset") }
            calendar.timeZone = fixed
        }
        var components = DateComponents()
        components.year = Int(match.1)
        components.month = Int(match.2)
        components.day = Int(match.3)
        components.hour = Int(match.4)
        components.minute = Int(match.5)
        components.second = match.6.flatMap { Int($0) } ?? 0
        guard let date = calendar.date(from: components) else {
            throw EmbargoError(.usage, "'\(EmbargoError.quoted(text))' is not a valid time")
        }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard back.year == components.year, back.month == components.month, back.day == components.day,
              back.hour == components.hour, back.minute == components.minute
        else {
            throw EmbargoError(.usage, "\(text) does not exist in \(zone.identifier) (a daylight-saving change skips it)",
                               hint: "pick another time or give an explicit offset")
        }
        // The same wall time an hour later or earlier also maps here: a repeated hour.
        for shift in match.7 == nil ? [-3600.0, 3600.0] : [] {
            let other = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date + shift)
            if other.hour == components.hour, other.day == components.day, other.minute == components.minute {
                throw EmbargoError(.usage, "\(text) happens twice in \(zone.identifier) (a daylight-saving change repeats it)",
                                   hint: "give an explicit offset, e.g. \(text)+01:00")
            }
        }
        return date
    }

    /// Refuses a date or time that no calendar has (one clear reason each),
    /// and an offset no place on Earth uses (they run from -12:00 to +14:00).
    public static func checkCalendar(_ text: String, year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0,
                                     second: Int = 0, offset: String? = nil) throws
    {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                      "November", "December"]
        guard (1...12).contains(month) else {
            throw EmbargoError(.usage, "'\(text)' is not a date: there is no month \(month)", hint: "months run from 01 to 12")
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else {
            throw EmbargoError(.usage, "'\(text)' is not a date: \(months[month - 1]) \(year) has \(days) days")
        }
        guard hour <= 23, minute <= 59, second <= 59 else {
            throw EmbargoError(.usage, "'\(text)' is not a time of day", hint: "hours run from 00 to 23, minutes and seconds from 00 to 59")
        }
        if let offset, offset != "Z" {
            let parts = offset.dropFirst().split(separator: ":").compactMap { Int($0) }
            let minutes = parts.count == 2 ? parts[0] * 60 + parts[1] : Int.max
            let east = offset.hasPrefix("+")
            guard parts.count == 2, parts[1] <= 59, minutes <= (east ? 14 * 60 : 12 * 60) else {
                throw EmbargoError(.usage, "'\(text)' has the offset \(offset), which no time zone uses",
                                   hint: "UTC offsets run from -12:00 to +14:00; write Z for UTC")
            }
        }
    }

    /// `Wed 2026-04-01 18:00 Europe/Brussels (UTC+02:00)`, or `... UTC`.
    public static func display(_ date: Date, zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE yyyy-MM-dd HH:mm"
        let local = formatter.string(from: date)
        if zone.identifier == "UTC" || zone.identifier == "GMT" { return "\(local) UTC" }
        let offset = zone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let hhmm = String(format: "%02d:%02d", abs(offset) / 3600, abs(offset) % 3600 / 60)
        return "\(local) \(zone.identifier) (UTC\(sign)\(hhmm))"
    }

    public static func duration(_ text: String) throws -> TimeInterval {
        guard let match = text.wholeMatch(of: /([0-9]+)([mhd])/), let value = Double(match.1) else {
            throw EmbargoError(.usage, "'\(text)' is not a duration", hint: "write minutes, hours or days, e.g. 15m, 48h or 3d")
        }
        return value * (match.2 == "d" ? 86400 : match.2 == "h" ? 3600 : 60)
    }
}

/// An advisory's schedule as `timeline` and `calendar` show it.
public struct ScheduleReport: Sendable {
    public var advisory: Advisory
    public var profiles: [PolicyProfile]
    /// The project's blackout days, which a disclosure keeps out of.
    public var blackouts: [Blackout]
    public var facts: ScheduleFacts
    public var deadlines: [Deadline]
    public var violations: [Violation]
    public var events: [TimelineEvent]
}

extension Workspace {
    public static let defaultLeadTime: TimeInterval = 48 * 3600

    func profiles(of projectName: String) throws -> [PolicyProfile] {
        try PolicyProfile.parseList(project(named: projectName).project.policy)
    }

    static func facts(_ db: Database, _ advisory: Advisory) throws -> ScheduleFacts {
        let sent = try String.fetchAll(
            db, sql: "SELECT at FROM timeline WHERE advisory = ? AND kind = 'prereleased' ORDER BY seq", arguments: [advisory.id])
            .compactMap(Timestamp.parse)
        return ScheduleFacts(
            disclosure: advisory.disclosureAt.flatMap(Timestamp.parse), reportedAt: advisory.reportedAt.flatMap(Timestamp.parse),
            firstPrerelease: sent.first, lastPrerelease: sent.last)
    }

    public func scheduleReport(_ id: String) throws -> ScheduleReport {
        let (advisory, facts, events, cveOpen) = try store.read { db in
            let advisory = try Self.fetchAdvisory(db, id)
            let events = try TimelineEvent.fetchAll(db, sql: "SELECT * FROM timeline WHERE advisory = ? ORDER BY seq", arguments: [advisory.id])
            // The CVE record is due after a publication by embargo, or once a CVE was asked for.
            let cveOpen = try Bool.fetchOne(db, sql: """
                SELECT (EXISTS (SELECT 1 FROM publication_steps WHERE advisory = ?1 AND step = 'marked')
                        OR EXISTS (SELECT 1 FROM cve_duties WHERE advisory = ?1))
                       AND NOT EXISTS (SELECT 1 FROM cve_duties WHERE advisory = ?1 AND state = 'published')
                """, arguments: [advisory.id]) ?? false
            return (advisory, try Self.facts(db, advisory), events, cveOpen)
        }
        let project = try project(named: advisory.project)
        let profiles = try PolicyProfile.parseList(project.project.policy)
        var deadlines = PolicyEngine.deadlines(profiles, facts)
        if advisory.status == .published, cveOpen, let disclosure = facts.disclosure {
            deadlines.append(Deadline(profile: "cve", kind: "cve-reminder", title: "CVE record due in 24 h",
                                      at: disclosure + CVERecordDeadline.reminderHours * 3600))
            deadlines.append(Deadline(profile: "cve", kind: "cve-record", title: "CVE record published (72 h after disclosure)",
                                      at: disclosure + CVERecordDeadline.hours * 3600))
        }
        // An advisory's disclosure is a security release.
        let violations = facts.disclosure.map {
            ReleaseCalendar.violations(kind: .security, profiles: profiles, blackouts: project.blackouts, at: $0, now: nil, facts: facts)
        } ?? []
        return ScheduleReport(advisory: advisory, profiles: profiles, blackouts: project.blackouts, facts: facts, deadlines: deadlines,
                              violations: violations, events: events)
    }

    /// The earliest disclosure time every active profile, the project's
    /// blackouts and the lead time allow.
    public func nextWindow(_ id: String, leadTime: TimeInterval = defaultLeadTime) throws -> Date {
        let report = try scheduleReport(id)
        let now = environment.clock.now()
        return ReleaseCalendar.nextWindow(kind: .security, profiles: report.profiles, blackouts: report.blackouts, after: now, now: now,
                                          facts: report.facts, leadTime: leadTime)
    }

    /// Sets the disclosure time. Refuses (exit 3) a time that breaks a rule
    /// unless `allowViolation` gives a reason, which the timeline records.
    @discardableResult
    public func schedule(_ id: String, at date: Date, leadTime: TimeInterval = defaultLeadTime,
                         allowViolation reason: String?) throws -> ScheduleReport
    {
        try Permissions.require(.editAdvisory, by: member)
        let current = try scheduleReport(id)
        guard ![.published, .withdrawn].contains(current.advisory.status) else {
            throw EmbargoError(.refused, "advisory \(id) is \(current.advisory.status.rawValue) and cannot be scheduled")
        }
        let violations = ReleaseCalendar.violations(kind: .security, profiles: current.profiles, blackouts: current.blackouts, at: date,
                                                    now: environment.clock.now(), facts: current.facts, leadTime: leadTime)
        if let first = violations.first, reason == nil {
            let more = violations.count > 1 ? " (and \(violations.count - 1) more)" : ""
            throw EmbargoError(.refused, "\(first.name): \(first.message)\(more)",
                               hint: "pick another time, try --next-window, or pass --allow-violation REASON")
        }
        let stamp = now
        try audited("advisory.schedule", current.advisory.id, detail: Timestamp.string(date)) { db in
            var advisory = try Self.fetchAdvisory(db, id)
            let previous = advisory.disclosureAt
            advisory.disclosureAt = Timestamp.string(date)
            advisory.updatedAt = stamp
            try advisory.update(db)
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "scheduled",
                            summary: "disclosure " + (previous.map { "moved from \($0) to " } ?? "set to ") + Timestamp.string(date))
            if let reason, !violations.isEmpty {
                let rules = violations.map { "\($0.profile)/\($0.rule)" }.joined(separator: ", ")
                try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "violation-allowed",
                                summary: "allowed \(rules): \(reason)")
            }
        }
        return try scheduleReport(id)
    }

    /// Upcoming deadlines of every open advisory, in time order.
    public func calendar(from start: Date? = nil) throws -> [(advisory: Advisory, deadline: Deadline)] {
        let from = start ?? environment.clock.now()
        var result: [(Advisory, Deadline)] = []
        for advisory in try advisories() where advisory.status != .withdrawn {
            let report = try scheduleReport(advisory.id)
            for deadline in report.deadlines where deadline.at >= from { result.append((advisory, deadline)) }
        }
        return result.sorted { ($0.1.at, $0.0.id) < ($1.1.at, $1.0.id) }
    }
}

/// An RFC 5545 calendar with one event per deadline. Events name only the
/// advisory id and the deadline, never embargoed text, since calendars sync
/// to other services.
public enum ICSCalendar {
    public static func render(_ entries: [(advisory: Advisory, deadline: Deadline)], generatedAt: Date) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//embargo//security release deadlines//EN",
            "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        ]
        for (advisory, deadline) in entries {
            lines += [
                "BEGIN:VEVENT",
                "UID:\(advisory.id)-\(deadline.profile)-\(deadline.kind)@embargo",
                "DTSTAMP:\(stamp(generatedAt))",
                "DTSTART:\(stamp(deadline.at))",
                "DURATION:PT30M",
                "SUMMARY:\(escape("\(advisory.id): \(deadline.title)"))",
                "DESCRIPTION:\(escape("Policy \(deadline.profile). Details: embargo timeline \(advisory.id)"))",
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Lines longer than 75 octets are folded (RFC 5545 section 3.1).
    static func fold(_ line: String) -> String {
        var result = ""
        var current = 0
        for character in line {
            let size = String(character).utf8.count
            if current + size > 75 {
                result += "\r\n "
                current = 1
            }
            result.append(character)
            current += size
        }
        return result
    }
}
