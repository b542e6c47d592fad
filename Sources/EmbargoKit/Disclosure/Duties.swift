import EmbargoStore
import Foundation
import GRDB

/// One amendment of a published advisory (revision 1 is the publication itself).
public struct AdvisoryRevision: Codable, Sendable, Equatable, FetchableRecord {
    public var number: Int
    public var at: String
    public var by: String
    public var reason: String
    public var changed: String
}

/// Where an advisory's CVE record stands: none, then requested from the
/// project's CNA, reserved (the id is known), published (the record is live).
public struct CVEDuty: Codable, Sendable, Equatable, FetchableRecord {
    public enum State: String, Codable, Sendable { case requested, reserved, published }

    public var state: State
    public var requestedAt: String?
    public var requestedTo: String?
    public var reservedAt: String?
    public var publishedAt: String?
    public var url: String?

    enum CodingKeys: String, CodingKey {
        case state, url
        case requestedAt = "requested_at"
        case requestedTo = "requested_to"
        case reservedAt = "reserved_at"
        case publishedAt = "published_at"
    }
}

/// Something someone must do by a time: publish the CVE record, meet a
/// deadline of a policy profile, approve before disclosure.
public struct Duty: Codable, Sendable, Equatable {
    public var advisory: String
    public var kind: String
    public var title: String
    public var due: Date
    public var overdue: Bool
    /// The command that discharges it.
    public var next: String
}

/// The CVE program expects the record within 72 hours of public disclosure.
public enum CVERecordDeadline {
    public static let hours: TimeInterval = 72
    public static let reminderHours: TimeInterval = 48
}

extension Workspace {
    public func revisions(_ id: String) throws -> [AdvisoryRevision] {
        try store.read { db in try Self.revisions(db, id) }
    }

    static func revisions(_ db: Database, _ id: String) throws -> [AdvisoryRevision] {
        try AdvisoryRevision.fetchAll(db, sql: "SELECT number, at, by, reason, changed FROM advisory_revisions WHERE advisory = ? ORDER BY number",
                                      arguments: [id])
    }

    public func cveDuty(_ id: String) throws -> CVEDuty? {
        try store.read { db in try CVEDuty.fetchOne(db, sql: "SELECT * FROM cve_duties WHERE advisory = ?", arguments: [id.uppercased()]) }
    }

    static func cveReserved(_ db: Database, _ id: String, at stamp: String) throws {
        try db.execute(sql: """
            INSERT INTO cve_duties (advisory, state, reserved_at) VALUES (?, 'reserved', ?)
            ON CONFLICT (advisory) DO UPDATE SET state = 'reserved', reserved_at = excluded.reserved_at WHERE state = 'requested'
            """, arguments: [id, stamp])
    }

    // MARK: CVE

    /// What the project's CNA asks for, and the request recorded (to whom,
    /// when). With `cveID`, the id the CNA reserved is recorded instead.
    public func requestCVE(_ id: String, to cna: String?, cveID: String?) throws -> String {
        try Permissions.require(.editAdvisory, by: member)
        let (advisory, project) = try advisoryAndProject(id)
        if let cveID {
            var input = AdvisoryInput()
            input.cveID = cveID
            _ = try editAdvisory(advisory.id, input: input, reason: advisory.status == .published ? "CVE id reserved: \(cveID)" : nil)
            return "reserved \(cveID) for \(advisory.id)\n"
        }
        if let state = try cveDuty(advisory.id)?.state, state != .requested {
            throw EmbargoError(.refused, "the CVE of \(advisory.id) is \(state.rawValue) already", hint: "run 'embargo cve published \(advisory.id)' once the record is live")
        }
        let input = ExportInput(advisory: advisory, project: project, releases: try releases(for: advisory.id),
                                severities: SeverityView.all(for: advisory), generatedAt: environment.clock.now(), draft: true)
        let form = try CVERequestForm.render(input)
        let stamp = now
        let recipient = cna ?? "the project's CNA"
        try audited("cve.request", advisory.id, detail: "to \(recipient)") { db in
            try db.execute(sql: """
                INSERT INTO cve_duties (advisory, state, requested_at, requested_to) VALUES (?, 'requested', ?, ?)
                ON CONFLICT (advisory) DO UPDATE SET requested_at = excluded.requested_at, requested_to = excluded.requested_to
                """, arguments: [advisory.id, stamp, recipient])
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "cve-requested", summary: "CVE requested from \(recipient)")
        }
        return form
    }

    /// Records that the CVE record is published (the duty is done).
    public func cvePublished(_ id: String, url: String?) throws {
        try Permissions.require(.editAdvisory, by: member)
        let advisory = try self.advisory(id)
        guard let cveID = advisory.cveID else {
            throw EmbargoError(.refused, "advisory \(advisory.id) has no CVE id", hint: "run 'embargo cve request \(advisory.id) --cve-id CVE-YYYY-NNNNN' first")
        }
        if let url {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil, !url.contains(" ") else {
                throw EmbargoError(.usage, "--url must be an http(s) URL")
            }
        }
        let stamp = now
        try audited("cve.publish", advisory.id, detail: cveID + (url.map { " at \($0)" } ?? "")) { db in
            try db.execute(sql: """
                INSERT INTO cve_duties (advisory, state, published_at, url) VALUES (?, 'published', ?, ?)
                ON CONFLICT (advisory) DO UPDATE SET state = 'published', published_at = excluded.published_at, url = excluded.url
                """, arguments: [advisory.id, stamp, url])
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "cve-published",
                            summary: "CVE record \(cveID) published" + (url.map { " (\($0))" } ?? ""))
        }
    }

    // MARK: Emergency

    /// The fix leaked or the flaw is exploited: the advisory takes the
    /// emergency path (publish as soon as the release is ready, no waiting
    /// for the disclosure time).
    public func declareBroken(_ id: String, reason: String) throws {
        try Permissions.require(.editAdvisory, by: member)
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw EmbargoError(.usage, "say why the embargo is broken with --reason TEXT")
        }
        let advisory = try self.advisory(id)
        guard ![.published, .withdrawn].contains(advisory.status) else {
            throw EmbargoError(.refused, "advisory \(advisory.id) is \(advisory.status.rawValue); there is no embargo left to break")
        }
        let stamp = now
        try audited("advisory.broken", advisory.id, detail: reason) { db in
            try db.execute(sql: "INSERT INTO emergencies (advisory, at, by, reason) VALUES (?, ?, ?, ?) ON CONFLICT (advisory) DO NOTHING",
                           arguments: [advisory.id, stamp, member.name, reason])
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "embargo-broken",
                            summary: "embargo broken, emergency release: \(reason)")
        }
    }

    /// Why and since when the advisory is on the emergency path, if it is.
    public func emergency(_ id: String) throws -> (at: String, reason: String)? {
        try store.read { db in
            try Row.fetchOne(db, sql: "SELECT at, reason FROM emergencies WHERE advisory = ?", arguments: [id.uppercased()])
                .map { ($0["at"], $0["reason"]) }
        }
    }

    // MARK: Pre-announcement

    /// The advance notice: project, release time, highest severity level,
    /// affected branches, nothing else. Refused later than 24 hours before
    /// the release (unless the embargo is broken), linted, and recorded.
    public func preAnnouncement(_ id: String, format: AnnouncementFormat) throws -> String {
        try Permissions.require(.editAdvisory, by: member)
        let (advisory, project) = try advisoryAndProject(id)
        guard ![.published, .withdrawn].contains(advisory.status) else {
            throw EmbargoError(.refused, "advisory \(advisory.id) is \(advisory.status.rawValue); a pre-announcement comes before the release")
        }
        guard let disclosure = advisory.disclosureAt.flatMap(Timestamp.parse) else {
            throw EmbargoError(.refused, "advisory \(advisory.id) has no release time to announce", hint: "run 'embargo schedule \(advisory.id) --next-window'")
        }
        let emergency = try self.emergency(advisory.id)
        let latest = disclosure - Self.preAnnouncementLead
        if environment.clock.now() > latest, emergency == nil {
            throw EmbargoError(.refused, "a pre-announcement goes out at least 24 hours before the release (\(Timestamp.string(disclosure))); it is too late for \(advisory.id)",
                               hint: "announce the release itself, or move it with 'embargo schedule \(advisory.id) --next-window'")
        }
        let text = Self.preAnnouncementText(project: project, disclosure: disclosure, severity: Self.highestLevel(advisory),
                                            branches: advisory.branches, format: format)
        try requireCleanLint(advisory.id, accepting: [], texts: [LintSubject(location: "pre-announcement", text: text)])
        let stamp = now
        try audited("advisory.announce", advisory.id, detail: "pre-announcement of \(Timestamp.string(disclosure))") { db in
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "pre-announced",
                            summary: "pre-announcement written for the release at \(Timestamp.string(disclosure))")
        }
        return text
    }

    static let preAnnouncementLead: TimeInterval = 24 * 3600

    /// The most severe rating among the advisory's severities, as people say it.
    static func highestLevel(_ advisory: Advisory) -> String {
        let views = SeverityView.all(for: advisory)
        if let drupal = views.first(where: { $0.kind == "drupal" }) { return drupal.rating }
        let order = ["None", "Low", "Medium", "High", "Critical"]
        return views.map(\.rating).max { (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0) } ?? "not yet rated"
    }

    static func preAnnouncementText(project: Project, disclosure: Date, severity: String, branches: [String],
                                    format: AnnouncementFormat) -> String
    {
        let when = Timestamp.string(disclosure).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: ":00Z", with: " UTC")
        let name = project.packageName
        let list = branches.count == 1 ? branches[0] : branches.dropLast().joined(separator: ", ") + " and " + branches.last!
        switch format {
        case .markdown:
            return "**\(name)**: new releases on \(when) for branches \(list). Highest severity: \(severity).\n"
                + "Plan to update when they are out; no further details before then.\n"
        case .slack:
            return ":calendar: *\(name)*: new releases on \(when) for branches \(list). Highest severity: \(severity).\n"
                + "Plan to update when they are out; no further details before then.\n"
        }
    }

    // MARK: Duties

    /// Every open duty of every advisory at `now`: the CVE record within 72
    /// hours of disclosure, the deadlines of the project's policy profiles
    /// that the advisory has not met yet, and approvals still missing when
    /// the release is due.
    public func duties() throws -> [Duty] {
        let now = environment.clock.now()
        var result: [Duty] = []
        for advisory in try advisories() where advisory.status != .withdrawn {
            let report = try scheduleReport(advisory.id)
            if advisory.status == .published {
                for deadline in report.deadlines where deadline.kind == "cve-record" {
                    let next = advisory.cveID == nil ? "embargo cve request \(advisory.id)" : "embargo cve published \(advisory.id) --url URL"
                    result.append(Duty(advisory: advisory.id, kind: deadline.kind, title: deadline.title, due: deadline.at,
                                       overdue: deadline.at < now, next: next))
                }
                continue
            }
            for deadline in report.deadlines where deadline.kind != "disclosure" && deadline.at > now - 7 * 86400 {
                if let (kind, next) = Self.pending(deadline, advisory) {
                    result.append(Duty(advisory: advisory.id, kind: kind, title: deadline.title, due: deadline.at,
                                       overdue: deadline.at < now, next: next))
                }
            }
            if let disclosure = report.facts.disclosure, advisory.status != .approved, try emergency(advisory.id) == nil {
                let next = advisory.status == .prereleased ? "embargo approve \(advisory.id) --bundle FILE" : "embargo prerelease \(advisory.id) --out DIR"
                result.append(Duty(advisory: advisory.id, kind: "approval", title: "approved pre-release before disclosure",
                                   due: disclosure, overdue: disclosure < now, next: next))
            }
        }
        return result.sorted { ($0.due, $0.advisory) < ($1.due, $1.advisory) }
    }

    /// Whether a policy deadline still asks something of the advisory, and what.
    static func pending(_ deadline: Deadline, _ advisory: Advisory) -> (String, String)? {
        let prereleased = [.prereleased, .approved, .published].contains(advisory.status)
        switch deadline.kind {
        case "prerelease", "patches-to-distributors", "final-text", "notify-latest":
            return prereleased ? nil : ("\(deadline.profile) \(deadline.kind)", "embargo prerelease \(advisory.id) --out DIR")
        case "disclosure-deadline":
            return ("\(deadline.profile) \(deadline.kind)", "embargo schedule \(advisory.id) --next-window")
        default:
            return nil
        }
    }
}
