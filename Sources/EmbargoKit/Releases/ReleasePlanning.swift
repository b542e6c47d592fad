import EmbargoStore
import Foundation
import GRDB

/// What `embargo release plan` is asked for.
public struct ReleaseRequest: Sendable {
    public var project: String
    public var kind: ReleaseKind
    /// Empty: every release branch of the project (for a security release, the advisories' branches).
    public var branches: [String] = []
    public var at: Date?
    public var stability: PlannedVersions.Stability?
    public var advisories: [String] = []
    public var issues: [Int] = []
    /// Why a broken calendar rule is accepted (recorded); nil refuses.
    public var allowViolation: String?

    public init(project: String, kind: ReleaseKind) {
        self.project = project
        self.kind = kind
    }
}

extension Workspace {
    /// Plans a release: its versions from the project's tags (fetched first
    /// unless `offline`), its time checked against the project's calendar.
    @discardableResult
    public func planRelease(_ given: ReleaseRequest, offline: Bool = false) throws -> Release {
        var request = given
        try Permissions.require(.planRelease, by: member)
        let details = try project(named: request.project)
        let project = details.project
        if !request.advisories.isEmpty, request.kind != .security {
            throw EmbargoError(.usage, "only a security release carries advisories", hint: "pass --kind security")
        }
        if request.kind == .security, request.advisories.isEmpty {
            throw EmbargoError(.usage, "a security release carries at least one advisory", hint: "pass --advisory ADV-ID")
        }
        var advisoryBranches: [String] = []
        var carried: [Advisory] = []
        for id in request.advisories {
            let advisory = try advisory(id)
            carried.append(advisory)
            // A security release happens at its advisory's disclosure.
            if request.at == nil { request.at = advisory.disclosureAt.flatMap(Timestamp.parse) }
            guard advisory.project == project.name else {
                throw EmbargoError(.failure, "advisory \(advisory.id) belongs to project \(advisory.project), not \(project.name)")
            }
            if let release = try releaseOf(advisory: advisory.id) {
                let others = request.advisories.map { $0.uppercased() }.filter { $0 != advisory.id }
                throw EmbargoError(.refused, "advisory \(advisory.id) belongs to release \(release) already",
                                   hint: others.isEmpty ? "see 'embargo release show \(release)'"
                                       : "release the others with it: " + others.map { "'embargo release add \(release) --advisory \($0)'" }.joined(separator: ", "))
            }
            advisoryBranches += advisory.branches.filter { !advisoryBranches.contains($0) }
        }
        if let disagreement = Self.disclosureDisagreement(carried.filter { $0.disclosureAt != nil }) {
            throw disagreement
        }
        let branches = !request.branches.isEmpty ? request.branches : (request.kind == .security ? advisoryBranches : details.branches)
        for branch in branches where !details.branches.contains(branch) {
            throw EmbargoError(.failure, "\(branch) is not a release branch of \(project.name)",
                               hint: Suggestion.closest(to: branch, among: details.branches).map { "did you mean \($0)?" }
                                   ?? "its branches: \(details.branches.joined(separator: ", "))")
        }
        if request.kind == .major || request.kind == .minor, branches.count > 1, request.branches.isEmpty {
            throw EmbargoError(.usage, "a \(request.kind.rawValue) release is made from one branch; \(project.name) has \(branches.count)",
                               hint: "pass --branch B (e.g. --branch \(branches.last!))")
        }
        // A scheduled patch release of every branch leaves out those with nothing since their last release.
        let changedOnly = request.kind == .patch && request.branches.isEmpty
        let versions = try plannedVersions(details, kind: request.kind, branches: branches, stability: request.stability, offline: offline,
                                           changedOnly: changedOnly)
        guard !changedOnly || !versions.isEmpty else {
            throw EmbargoError(.refused, "no release branch of \(project.name) has changes since its last release",
                               hint: "merge the fixes first, or plan one branch with --branch B")
        }
        let violations = try releaseCalendarViolations(kind: request.kind, project: details, at: request.at)
        if !violations.isEmpty, request.allowViolation?.isEmpty ?? true {
            throw EmbargoError(.refused, "the release breaks the calendar: " + violations.joined(separator: "; "),
                               hint: "choose another time (--at), or record why with --allow-violation REASON")
        }
        // A version is released once: another plan of it, not tagged yet, would push the same tag.
        let taken = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT v.version, r.id FROM release_versions v JOIN releases r ON r.id = v.release
                WHERE r.project = ? AND r.status = 'planned'
                """, arguments: [project.name])
        }
        for version in versions {
            if let other = taken.first(where: { ($0["version"] as String) == version.version }) {
                let id: String = other["id"]
                throw EmbargoError(.refused, "\(version.version) is planned already, by release \(id)",
                                   hint: "tag that one ('embargo release tag \(id)'), or drop it first ('embargo release drop \(id)')")
            }
        }
        let now = environment.clock.now()
        let stamp = Timestamp.string(now)
        let year = Calendar.utc.component(.year, from: now)
        let accepted = violations.isEmpty ? "" : violations.joined(separator: "; ") + " (accepted: \(request.allowViolation!))"
        let (id, seq) = try nextReleaseNumber(year: year)
        let detail = "\(request.kind.rawValue) \(versions.map(\.version).joined(separator: ", "))" + (accepted.isEmpty ? "" : "; \(accepted)")
        return try audited("release.plan", id, detail: detail) { db in
            try db.execute(sql: """
                INSERT INTO releases (id, year, seq, project, kind, status, planned_at, stability, violations, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, 'planned', ?, ?, ?, ?, ?)
                """, arguments: [id, year, seq, project.name, request.kind.rawValue, request.at.map(Timestamp.string),
                                 request.stability?.rawValue, accepted, stamp, member.name])
            try Self.insertVersions(db, release: id, versions)
            for advisory in request.advisories {
                try db.execute(sql: "INSERT INTO release_advisories (advisory, release) VALUES (?, ?)", arguments: [advisory.uppercased(), id])
            }
            for issue in Set(request.issues) {
                try db.execute(sql: "INSERT INTO release_issues (release, issue) VALUES (?, ?)", arguments: [id, issue])
            }
            return try Release.fetch(db, id)
        }
    }

    /// Each branch's version in a release of `kind`, from the tags (fetched first unless `offline`);
    /// with `changedOnly`, of the branches with commits since their last release only.
    private func plannedVersions(_ details: ProjectDetails, kind: ReleaseKind, branches: [String], stability: PlannedVersions.Stability?,
                                 offline: Bool, changedOnly: Bool = false) throws -> [Release.Version]
    {
        let project = details.project
        try fetchProject(project, offline: offline)
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        let heads = try git.branchCommits(branches, remote: project.remote)
        let allTags = try git.output(["tag", "--list"]).split(whereSeparator: \.isNewline).map(String.init)
        let allBranches = Set(try git.output(["for-each-ref", "--format=%(refname:lstrip=3)", "refs/remotes/\(project.remote)"])
            .split(whereSeparator: \.isNewline).map(String.init))
            .union(try git.output(["for-each-ref", "--format=%(refname:short)", "refs/heads"]).split(whereSeparator: \.isNewline).map(String.init))
        return try branches.compactMap { branch in
            guard let head = heads[branch] else {
                throw EmbargoError(.failure, "branch \(branch) not found in \(project.repoPath)", hint: "fetch it, or pass --branch with another")
            }
            let planned = try PlannedVersions.plan(kind: kind, branch: branch, stability: stability, tags: allTags,
                                                   branchTags: try git.tags(mergedInto: head), branches: allBranches)
            if changedOnly, let previous = planned.previous,
               try git.output(["rev-list", "--count", "refs/tags/\(previous)..\(head)"]) == "0" {
                return nil
            }
            return Release.Version(branch: planned.branch, newBranch: planned.newBranch, version: planned.version.description,
                                   previous: planned.previous?.description)
        }
    }

    /// Adds an advisory to a planned security release, to be released with
    /// the advisories it carries: disclosed at their time, its branches'
    /// versions planned, and the pre-release they had no longer counting (a
    /// new one holds every fix). An advisory whose own release carried only
    /// it leaves that release, which is dropped.
    @discardableResult
    public func addAdvisory(_ advisoryID: String, toRelease releaseID: String, offline: Bool = false) throws -> (release: Release, dropped: String?) {
        try Permissions.require(.planRelease, by: member)
        let release = try self.release(releaseID)
        let advisory = try advisory(advisoryID)
        guard release.kind == .security else {
            throw EmbargoError(.usage, "only a security release carries advisories; \(release.id) is a \(release.kind.rawValue) release")
        }
        guard release.status == .planned else {
            throw EmbargoError(.refused, "release \(release.id) is \(release.status.rawValue); its tags are out, so it carries no more fixes",
                               hint: "plan another security release: 'embargo release plan --project \(release.project) --kind security --advisory \(advisory.id)'")
        }
        guard advisory.project == release.project else {
            throw EmbargoError(.failure, "advisory \(advisory.id) belongs to project \(advisory.project), not \(release.project)")
        }
        guard advisory.status != .published, advisory.status != .withdrawn else {
            throw EmbargoError(.refused, "advisory \(advisory.id) is \(advisory.status.rawValue); only an embargoed advisory joins a release")
        }
        if release.advisories.contains(advisory.id) { return (release, nil) }
        var dropped: String?
        if let other = try releaseOf(advisory: advisory.id) {
            let previous = try self.release(other)
            guard previous.status == .planned, previous.advisories == [advisory.id] else {
                throw EmbargoError(.refused, "advisory \(advisory.id) belongs to release \(other), which is \(previous.status.rawValue) and carries \(previous.advisories.joined(separator: ", "))",
                                   hint: "see 'embargo release show \(other)'")
            }
            dropped = other
        }
        let together = try (release.advisories + [advisory.id]).sorted().map { try self.advisory($0) }
        if let disagreement = Self.disclosureDisagreement(together) { throw disagreement }
        let details = try project(named: release.project)
        let branches = Self.releaseBranches(together)
        let versions = try plannedVersions(details, kind: .security, branches: branches, stability: nil, offline: offline)
        let stamp = now
        let updated = try audited("release.plan", release.id, detail: "carries \(advisory.id) too: \(versions.map(\.version).joined(separator: ", "))") { db in
            if let dropped {
                try Self.deleteRelease(db, dropped)
                try appendAudit(db, "release.drop", dropped, detail: "\(advisory.id) is released with \(release.id)")
            }
            try db.execute(sql: "INSERT INTO release_advisories (advisory, release) VALUES (?, ?)", arguments: [advisory.id, release.id])
            try db.execute(sql: "DELETE FROM release_versions WHERE release = ?", arguments: [release.id])
            try Self.insertVersions(db, release: release.id, versions)
            // A pre-release made before holds fewer fixes than the release: it no longer counts.
            for carried in together where [.prereleased, .approved].contains(carried.status) {
                try Self.setAsidePrereleases(db, of: carried.id)
                try Self.record(db, carried.id, at: stamp, actor: member.name, kind: "edited",
                                summary: "released with \(together.filter { $0.id != carried.id }.map(\.id).joined(separator: ", ")) in \(release.id): a new pre-release holds every fix")
                _ = try transition(carried.id, to: .ready, kind: "status", note: "its release carries \(advisory.id) too", in: db)
                try appendAudit(db, "advisory.edit", carried.id, detail: "\(ApprovalLedger.voidedByEdit): released with \(release.id)")
            }
            return try Release.fetch(db, release.id)
        }
        return (updated, dropped)
    }

    /// Drops a planned release: nothing of it is public yet. A security
    /// release whose advisories have a pre-release is refused: its fixes are
    /// bound together until `revert`.
    public func dropRelease(_ id: String) throws {
        try Permissions.require(.planRelease, by: member)
        let release = try self.release(id)
        guard release.status == .planned else {
            throw EmbargoError(.refused, "release \(release.id) is \(release.status.rawValue); only a planned release is dropped",
                               hint: release.status == .tagged ? "take its tags back first: 'embargo release revert \(release.id)'" : "a published release stays")
        }
        for advisory in try release.advisories.map({ try self.advisory($0) }) where [.prereleased, .approved].contains(advisory.status) {
            throw EmbargoError(.refused, "advisory \(advisory.id) of release \(release.id) is \(advisory.status.rawValue); its pre-release holds the release's fixes",
                               hint: "take it back first: 'embargo revert \(advisory.id)'")
        }
        try audited("release.drop", release.id, detail: "\(release.kind.rawValue) \(release.versions.map(\.version).joined(separator: ", "))") { db in
            try Self.deleteRelease(db, release.id)
        }
    }

    private static func deleteRelease(_ db: Database, _ id: String) throws {
        for table in ["release_versions", "release_advisories", "release_issues", "release_qa"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE release = ?", arguments: [id])
        }
        try db.execute(sql: "DELETE FROM releases WHERE id = ?", arguments: [id])
    }

    /// The security release an advisory belongs to, made when its pre-release
    /// is built if there is none yet (`release plan --kind security` makes one
    /// earlier); a release not tagged yet takes the pre-release's versions.
    func securityRelease(for advisory: Advisory, versions plans: [ReleasePlan]) throws {
        let versions = plans.map { Release.Version(branch: $0.branch, version: $0.version, previous: $0.previousVersion) }
        if let id = try releaseOf(advisory: advisory.id) {
            let release = try self.release(id)
            guard release.status == .planned, release.advisories.contains(advisory.id),
                  release.versions.map(\.version) != plans.map(\.version) || release.versions.map(\.branch) != plans.map(\.branch)
            else { return }
            try audited("release.plan", id, detail: "versions of \(release.advisories.joined(separator: ", "))'s pre-release: \(plans.map(\.version).joined(separator: ", "))") { db in
                try db.execute(sql: "DELETE FROM release_versions WHERE release = ?", arguments: [id])
                try Self.insertVersions(db, release: id, versions)
            }
            return
        }
        let now = environment.clock.now()
        let year = Calendar.utc.component(.year, from: now)
        let (id, seq) = try nextReleaseNumber(year: year)
        try audited("release.plan", id, detail: "security \(plans.map(\.version).joined(separator: ", ")) for \(advisory.id)") { db in
            try db.execute(sql: """
                INSERT INTO releases (id, year, seq, project, kind, status, planned_at, created_at, created_by)
                VALUES (?, ?, ?, ?, 'security', 'planned', ?, ?, ?)
                """, arguments: [id, year, seq, advisory.project, advisory.disclosureAt, Timestamp.string(now), member.name])
            try Self.insertVersions(db, release: id, versions)
            try db.execute(sql: "INSERT INTO release_advisories (advisory, release) VALUES (?, ?)", arguments: [advisory.id, id])
        }
    }

    /// The id and number the next release of `year` gets (`REL-2026-004`).
    private func nextReleaseNumber(year: Int) throws -> (id: String, seq: Int) {
        // A dropped release's number stays taken: the audit trail names it.
        let seq = try store.read { db in
            let planned = try Int.fetchOne(db, sql: "SELECT max(seq) FROM releases WHERE year = ?", arguments: [year]) ?? 0
            let named = try Int.fetchOne(db, sql: "SELECT max(CAST(substr(object, 10) AS INTEGER)) FROM audit_log WHERE object LIKE ?",
                                         arguments: [String(format: "REL-%04d-%%", year)]) ?? 0
            return max(planned, named) + 1
        }
        return (String(format: "REL-%04d-%03d", year, seq), seq)
    }

    private static func insertVersions(_ db: Database, release id: String, _ versions: [Release.Version]) throws {
        for version in versions {
            try db.execute(sql: "INSERT INTO release_versions (release, branch, new_branch, version, previous) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, version.branch, version.newBranch, version.version, version.previous])
        }
    }

    public func releases(project: String? = nil) throws -> [Release] {
        try store.read { db in try Release.fetchAll(db, project: project) }
    }

    public func release(_ id: String) throws -> Release {
        try store.read { db in try Release.fetch(db, id) }
    }

    /// The release an advisory belongs to, if any.
    public func releaseOf(advisory id: String) throws -> String? {
        try store.read { db in
            try String.fetchOne(db, sql: "SELECT release FROM release_advisories WHERE advisory = ?", arguments: [id.uppercased()])
        }
    }

    /// The calendar rules a release at `at` breaks (none for an unscheduled
    /// one), each with its rule's name; warnings are not among them.
    func releaseCalendarViolations(kind: ReleaseKind, project: ProjectDetails, at: Date?) throws -> [String] {
        guard let at else { return [] }
        return ReleaseCalendar.violations(kind: kind, profiles: try profiles(of: project.project.name), blackouts: project.blackouts,
                                          at: at, now: environment.clock.now(), patchCycle: try patchCycle(project: project.project.name))
            .map { "\($0.message) (rule \($0.name))" }
    }

    /// What a release at `at` should avoid without being refused.
    public func releaseCalendarWarnings(_ release: Release) throws -> [String] {
        guard let at = release.plannedAt.flatMap(Timestamp.parse) else { return [] }
        let project = try project(named: release.project)
        return ReleaseCalendar.warnings(kind: release.kind, profiles: try profiles(of: project.project.name), blackouts: project.blackouts,
                                        at: at, now: environment.clock.now(), patchCycle: try patchCycle(project: project.project.name))
            .map { "\($0.message) (rule \($0.name))" }
    }

    /// The first time a release of `kind` breaks no rule of the project's calendar.
    public func nextReleaseWindow(project name: String, kind: ReleaseKind) throws -> Date {
        let project = try project(named: name)
        let now = environment.clock.now()
        return ReleaseCalendar.nextWindow(kind: kind, profiles: try profiles(of: name), blackouts: project.blackouts, after: now, now: now,
                                          patchCycle: try patchCycle(project: name))
    }

    /// The Wednesday of the project's latest scheduled patch release that kept
    /// the calendar: the cycle of every other Wednesday runs from it. Nil
    /// before the first one, when any Wednesday starts the cycle.
    func patchCycle(project: String) throws -> Date? {
        try store.read { db in
            try String.fetchOne(db, sql: """
                SELECT planned_at FROM releases
                WHERE project = ? AND kind = 'patch' AND planned_at IS NOT NULL AND violations = ''
                ORDER BY planned_at DESC LIMIT 1
                """, arguments: [project])
        }.flatMap(Timestamp.parse)
    }
}
