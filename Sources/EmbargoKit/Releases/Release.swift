import EmbargoStore
import Foundation
import GRDB

/// A release of one project (`REL-YYYY-NNN`): its kind, one version per
/// release branch, the advisories it carries, and how far it got.
public struct Release: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Versions computed, nothing public yet.
        case planned
        /// The tag (and the branch's changelog commit) are pushed.
        case tagged
        /// The release node is live (for a security release: the SA too).
        case published
    }

    public struct Version: Codable, Sendable, Equatable {
        public var branch: String
        /// A branch the release starts (a minor or major release of a project that branches per minor).
        public var newBranch: String?
        public var version: String
        public var previous: String?
        public var taggedHead: String?
        public var tagCommit: String?
        public var tagObject: String?

        enum CodingKeys: String, CodingKey {
            case branch, version, previous
            case newBranch = "new_branch"
            case taggedHead = "tagged_head"
            case tagCommit = "tag_commit"
            case tagObject = "tag_object"
        }

        /// The branch the tag and the changelog go on.
        public var releaseBranch: String { newBranch ?? branch }
    }

    public struct QA: Codable, Sendable, Equatable {
        public var at: String
        public var by: String
        public var passed: Bool
        public var note: String
    }

    public var id: String
    public var project: String
    public var kind: ReleaseKind
    public var status: Status
    public var plannedAt: String?
    public var stability: String?
    public var violations: String
    public var createdAt: String
    public var createdBy: String
    public var taggedAt: String?
    public var taggedBy: String?
    public var publishedAt: String?
    public var publishedBy: String?
    public var nodeURL: String?
    public var saURL: String?
    public var versions: [Version]
    public var advisories: [String]
    public var issues: [Int]
    public var qa: [QA]

    enum CodingKeys: String, CodingKey {
        case id, project, kind, status, stability, violations, versions, advisories, issues, qa
        case plannedAt = "planned_at"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case taggedAt = "tagged_at"
        case taggedBy = "tagged_by"
        case publishedAt = "published_at"
        case publishedBy = "published_by"
        case nodeURL = "node_url"
        case saURL = "sa_url"
    }

    /// "1.2.4 and 1.1.9", as titles and announcements name a release.
    public var versionList: String {
        let names = versions.map(\.version)
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    /// Reads a release with its versions, advisories, issues and QA.
    static func fetch(_ db: Database, _ id: String) throws -> Release {
        let key = id.uppercased()
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM releases WHERE id = ?", arguments: [key]) else {
            throw EmbargoError(.failure, "release \(EmbargoError.quoted(key)) not found", hint: "run 'embargo release list' to see releases")
        }
        return try make(db, row)
    }

    static func fetchAll(_ db: Database, project: String? = nil) throws -> [Release] {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM releases WHERE ? IS NULL OR project = ? ORDER BY year, seq",
                                    arguments: [project, project])
        return try rows.map { try make(db, $0) }
    }

    private static func make(_ db: Database, _ row: Row) throws -> Release {
        let id: String = row["id"]
        let versions = try Row.fetchAll(db, sql: "SELECT * FROM release_versions WHERE release = ? ORDER BY branch", arguments: [id]).map {
            Version(branch: $0["branch"], newBranch: $0["new_branch"], version: $0["version"], previous: $0["previous"],
                    taggedHead: $0["tagged_head"], tagCommit: $0["tag_commit"], tagObject: $0["tag_object"])
        }
        let qa = try Row.fetchAll(db, sql: "SELECT * FROM release_qa WHERE release = ? ORDER BY at, by", arguments: [id]).map {
            QA(at: $0["at"], by: $0["by"], passed: ($0["passed"] as Int) == 1, note: $0["note"])
        }
        return Release(
            id: id, project: row["project"], kind: ReleaseKind(rawValue: row["kind"]) ?? .patch,
            status: Status(rawValue: row["status"]) ?? .planned, plannedAt: row["planned_at"], stability: row["stability"],
            violations: row["violations"], createdAt: row["created_at"], createdBy: row["created_by"],
            taggedAt: row["tagged_at"], taggedBy: row["tagged_by"], publishedAt: row["published_at"], publishedBy: row["published_by"],
            nodeURL: row["node_url"], saURL: row["sa_url"], versions: versions,
            advisories: try String.fetchAll(db, sql: "SELECT advisory FROM release_advisories WHERE release = ? ORDER BY advisory", arguments: [id]),
            issues: try Int.fetchAll(db, sql: "SELECT issue FROM release_issues WHERE release = ? ORDER BY issue", arguments: [id]),
            qa: qa)
    }
}
