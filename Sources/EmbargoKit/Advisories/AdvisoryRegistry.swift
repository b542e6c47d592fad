import EmbargoStore
import Foundation
import GRDB

/// The fields a user sets on `advisory create` and `advisory edit`. Nil
/// leaves a field unchanged on edit; lists replace the previous list.
public struct AdvisoryInput: Sendable {
    public var privateTitle: String?
    public var publicTitle: String?
    public var vulnerabilityType: String?
    public var description: String?
    public var solution: String?
    public var branches: [String]?
    public var cwes: [String]?
    public var reporters: [String]?
    public var reportedAt: String?
    public var fixers: [String]?
    public var coordinators: [String]?
    public var credits: [String]?
    public var saID: String?
    public var cveID: String?
    public var ghsaID: String?
    public var references: [String]?
    public var riskVector: String?
    public var cvssVectors: [String]?
    /// The first affected version ("" clears it).
    public var affectedFrom: String?

    public init() {}

    var isEmpty: Bool {
        privateTitle == nil && publicTitle == nil && vulnerabilityType == nil && description == nil && solution == nil
            && branches == nil && cwes == nil && reporters == nil && reportedAt == nil && fixers == nil
            && coordinators == nil && credits == nil && saID == nil && cveID == nil && ghsaID == nil
            && references == nil && riskVector == nil && cvssVectors == nil && affectedFrom == nil
    }
}

extension Workspace {
    // MARK: Create, edit, read

    @discardableResult
    public func createAdvisory(project projectName: String, input: AdvisoryInput) throws -> Advisory {
        try Permissions.require(.createAdvisory, by: member)
        guard let title = input.privateTitle, !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw EmbargoError(.usage, "an advisory needs a title", hint: "pass --title TEXT")
        }
        let now = environment.clock.now()
        let stamp = Timestamp.string(now)
        let year = Calendar.utc.component(.year, from: now)
        return try signedWrite { db in
            guard let project = try Project.fetchOne(db, key: projectName) else { throw Self.unknownProject(projectName) }
            let projectBranches = try Self.details(db, project).branches
            let seq = (try Int.fetchOne(db, sql: "SELECT max(seq) FROM advisories WHERE year = ?", arguments: [year]) ?? 0) + 1
            var advisory = Advisory(
                id: String(format: "ADV-%04d-%03d", year, seq), project: projectName, status: .draft,
                privateTitle: title, publicTitle: nil, vulnerabilityType: nil, description: nil, solution: nil,
                branches: projectBranches, cwes: [], reporters: [], reportedAt: nil, fixers: [], coordinators: [],
                credits: [], saID: nil, cveID: nil, ghsaID: nil, references: [], riskVector: nil, cvss31Vector: nil,
                cvss40Vector: nil, disclosureAt: nil, createdAt: stamp, createdBy: member.name, updatedAt: stamp)
            _ = try AdvisoryFields.apply(input, to: &advisory, projectBranches: projectBranches)
            try advisory.insert(db)
            try Self.index(db, advisory)
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "created",
                            summary: "advisory created (\(advisory.status.rawValue))")
            try appendAudit(db, "advisory.create", advisory.id, detail: "project \(projectName)")
            return advisory
        }
    }

    /// Changes an advisory's fields. A published advisory is amended: only
    /// its public fields, with a `reason`, each amendment a new revision that
    /// the exports carry (OSV `modified`, CSAF revision history, the SA's
    /// "Updated" lines).
    @discardableResult
    public func editAdvisory(_ id: String, input: AdvisoryInput, reason: String? = nil) throws -> Advisory {
        try Permissions.require(.editAdvisory, by: member)
        guard !input.isEmpty else {
            throw EmbargoError(.usage, "nothing to change", hint: "pass at least one option, see 'embargo advisory edit --help'")
        }
        var stamp = now
        return try signedWrite { db in
            var advisory = try Self.fetchAdvisory(db, id)
            let published = advisory.status == .published
            // Each revision of a public advisory is later than the one before (OSV "modified" advances).
            if published, let previous = Timestamp.parse(advisory.updatedAt), let current = Timestamp.parse(stamp), current <= previous {
                stamp = Timestamp.string(previous + 1)
            }
            if published, (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw EmbargoError(.usage, "advisory \(advisory.id) is published: an amendment needs --reason TEXT",
                                   hint: "e.g. 'embargo advisory edit \(advisory.id) --cve-id CVE-2026-12345 --reason \"CVE assigned\"'")
            }
            if !published, reason != nil {
                throw EmbargoError(.usage, "--reason is for amending a published advisory; \(advisory.id) is \(advisory.status.rawValue)")
            }
            guard let project = try Project.fetchOne(db, key: advisory.project) else { throw Self.unknownProject(advisory.project) }
            let changed = try AdvisoryFields.apply(input, to: &advisory, projectBranches: Self.details(db, project).branches)
            if published {
                let embargoOnly = changed.filter { Self.embargoOnlyFields.contains($0) }
                if !embargoOnly.isEmpty {
                    throw EmbargoError(.refused, "\(embargoOnly.joined(separator: ", ")) of \(advisory.id) stayed private and cannot change after publication",
                                       hint: "amend only public fields: ids, credits, references, description, solution, branches, severity")
                }
                guard !changed.isEmpty else { throw EmbargoError(.usage, "nothing changes", hint: "the values given are the current ones") }
            }
            advisory.updatedAt = stamp
            try advisory.update(db)
            try Self.index(db, advisory)
            if changed.contains("CVE id"), advisory.cveID != nil {
                try Self.cveReserved(db, advisory.id, at: stamp)
            }
            if published, let reason {
                let number = (try Int.fetchOne(db, sql: "SELECT max(number) FROM advisory_revisions WHERE advisory = ?",
                                               arguments: [advisory.id]) ?? 1) + 1
                try db.execute(sql: "INSERT INTO advisory_revisions (advisory, number, at, by, reason, changed) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [advisory.id, number, stamp, member.name, reason, changed.joined(separator: ", ")])
                try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "amended",
                                summary: "revision \(number): changed \(changed.joined(separator: ", ")): \(reason)")
                try appendAudit(db, "advisory.amend", advisory.id, detail: "revision \(number): \(changed.joined(separator: ", ")): \(reason)")
                return advisory
            }
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "edited",
                            summary: "changed \(changed.joined(separator: ", "))")
            // The security team approved the texts in the pre-release; any
            // public field that changes after that needs their eyes again.
            let publicChanges = changed.filter { !Self.privateFields.contains($0) }
            var detail = ""
            if advisory.status == .approved, !publicChanges.isEmpty {
                try db.execute(sql: "UPDATE approvals SET void = 1 WHERE advisory = ? AND void = 0", arguments: [advisory.id])
                advisory = try transition(advisory.id, to: .prereleased, kind: "status",
                                          note: "approval voided: \(publicChanges.joined(separator: ", ")) changed after approval", in: db)
                detail = "\(ApprovalLedger.voidedByEdit): \(publicChanges.joined(separator: ", ")) changed"
            }
            try appendAudit(db, "advisory.edit", advisory.id, detail: detail)
            return advisory
        }
    }

    /// Fields that never reach the public advisory (see `AdvisoryFields.apply` for the names).
    static let privateFields: Set<String> = ["title"]
    /// Fields that stay as they were when the embargo ended: the private title and the reporters' contacts.
    static let embargoOnlyFields: Set<String> = ["title", "reporters", "reported at"]

    public func advisory(_ id: String) throws -> Advisory {
        try store.read { db in try Self.fetchAdvisory(db, id) }
    }

    public func advisories(project: String? = nil, status: AdvisoryStatus? = nil) throws -> [Advisory] {
        try store.read { db in
            if let project, try Project.fetchOne(db, key: project) == nil { throw Self.unknownProject(project) }
            var request = Advisory.order(Column("year"), Column("seq"))
            if let project { request = request.filter(Column("project") == project) }
            if let status { request = request.filter(Column("status") == status.rawValue) }
            return try Advisory.fetchList(db, request)
        }
    }

    /// Full-text search (FTS5) over titles, type, description, people and ids.
    public func searchAdvisories(_ text: String) throws -> [Advisory] {
        let terms = text.split(whereSeparator: { $0.isWhitespace }).map { term in
            "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\"*"
        }
        guard !terms.isEmpty else {
            throw EmbargoError(.usage, "the search text is empty", hint: "pass one or more words")
        }
        return try store.read { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM advisory_search WHERE advisory_search MATCH ? ORDER BY rank",
                arguments: [terms.joined(separator: " AND ")])
            return try ids.map { try Self.fetchAdvisory(db, $0) }
        }
    }

    // MARK: Status and timeline

    /// Moves an advisory to `status` by hand. The statuses that a step
    /// produces (prereleased, approved, published) are refused here.
    @discardableResult
    public func setStatus(_ id: String, to status: AdvisoryStatus, note: String?) throws -> Advisory {
        try Permissions.require(.editAdvisory, by: member)
        if Lifecycle.automatic.contains(status) {
            let (step, command) = status == .prereleased ? ("prerelease", "embargo prerelease \(id) --out DIR")
                : status == .approved ? ("approve", "embargo approve \(id) --bundle BUNDLE") : ("publish", "embargo publish \(id)")
            throw EmbargoError(.refused, "status \(status.rawValue) is set by '\(step)', not by hand", hint: "run '\(command)'")
        }
        return try transition(id, to: status, kind: "status", note: note)
    }

    /// Moves an advisory along the lifecycle, refusing invalid transitions (exit 3).
    /// Whoever moves an advisory to `published` (only `embargo publish`) must
    /// call `refreshGuard(project:)` after the write, so that its patches leave
    /// the pre-push guard's list and can be pushed.
    @discardableResult
    public func transition(_ id: String, to status: AdvisoryStatus, kind: String, note: String?,
                           in db: Database? = nil) throws -> Advisory
    {
        let stamp = now
        let body = { (db: Database) throws -> Advisory in
            var advisory = try Self.fetchAdvisory(db, id)
            guard Lifecycle.allows(advisory.status, status) else {
                let options = Lifecycle.next(from: advisory.status).map(\.rawValue).joined(separator: ", ")
                throw EmbargoError(.refused, "advisory \(id) cannot go from \(advisory.status.rawValue) to \(status.rawValue)",
                                   hint: options.isEmpty ? "a \(advisory.status.rawValue) advisory is final" : "from \(advisory.status.rawValue) it can go to: \(options)")
            }
            let from = advisory.status
            advisory.status = status
            advisory.updatedAt = stamp
            try advisory.update(db)
            try Self.record(db, advisory.id, at: stamp, actor: self.member.name, kind: kind,
                            summary: "status \(from.rawValue) -> \(status.rawValue)" + (note.map { ": \($0)" } ?? ""))
            try self.appendAudit(db, "advisory.status", advisory.id, detail: "\(from.rawValue) -> \(status.rawValue)")
            return advisory
        }
        if let db { return try body(db) }
        return try signedWrite(body)
    }

    public func addNote(_ id: String, text: String) throws {
        try Permissions.require(.editAdvisory, by: member)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw EmbargoError(.usage, "the note is empty")
        }
        try Limits.text(text, "the note")
        let stamp = now
        try audited("advisory.note", id.uppercased()) { db in
            let advisory = try Self.fetchAdvisory(db, id)
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "note", summary: text)
        }
    }

    public func timeline(_ id: String) throws -> [TimelineEvent] {
        try store.read { db in
            _ = try Self.fetchAdvisory(db, id)
            return try TimelineEvent.fetchAll(db, sql: "SELECT * FROM timeline WHERE advisory = ? ORDER BY seq", arguments: [id])
        }
    }

    // MARK: Helpers

    static func fetchAdvisory(_ db: Database, _ id: String) throws -> Advisory {
        guard let advisory = try Advisory.fetchOne(db, key: id.uppercased()) else {
            throw EmbargoError(.failure, "advisory \(EmbargoError.quoted(id)) not found", hint: "run 'embargo advisory list' to see known ids")
        }
        return advisory
    }

    static func record(_ db: Database, _ id: String, at: String, actor: String, kind: String, summary: String, detail: String? = nil) throws {
        try db.execute(
            sql: "INSERT INTO timeline (advisory, at, actor, kind, summary, detail) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [id, at, actor, kind, summary, detail])
    }

    static func index(_ db: Database, _ advisory: Advisory) throws {
        try db.execute(sql: "DELETE FROM advisory_search WHERE id = ?", arguments: [advisory.id])
        let people = (advisory.reporters + advisory.fixers + advisory.coordinators + advisory.credits).map(\.name)
        let ids = [advisory.id, advisory.saID, advisory.cveID, advisory.ghsaID].compactMap { $0 }
            + advisory.cwes.map { "CWE-\($0)" }
        try db.execute(
            sql: """
                INSERT INTO advisory_search (id, private_title, public_title, vulnerability_type, description, people, external_ids)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [advisory.id, advisory.privateTitle, advisory.publicTitle ?? "", advisory.vulnerabilityType ?? "",
                        advisory.description ?? "", people.joined(separator: " "), ids.joined(separator: " ")])
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

extension Workspace {
    func advisoryAndProject(_ id: String) throws -> (Advisory, Project) {
        let advisory = try advisory(id)
        return (advisory, try project(named: advisory.project).project)
    }

    func checkBranch(_ branch: String, of advisory: Advisory) throws {
        guard advisory.branches.contains(branch) else {
            throw EmbargoError(.failure, "advisory \(advisory.id) does not affect branch \(branch)",
                               hint: "its branches: \(advisory.branches.joined(separator: ", "))")
        }
    }
}
