import EmbargoStore
import Foundation
import GRDB

/// The change record drupal.org asks for with a breaking change.
public struct ChangeRecord: Sendable, Codable {
    public var title: String
    public var branch: String
    public var version: String
    public var issueURL: String
    public var description: String

    enum CodingKeys: String, CodingKey {
        case title, branch, version, description
        case issueURL = "issue_url"
    }

    public var text: String {
        """
        Title: \(title)
        Introduced in branch: \(branch)
        Introduced in version: \(version)
        Issue links: \(issueURL)
        Description:
        \(description)
        """
    }
}

extension Workspace {
    /// Attaches the upgrade steps of breaking change `issue` to a release:
    /// the notes' Upgrade Path and the change record print them.
    public func setUpgradePath(_ id: String, issue: Int, text: String) throws {
        try Permissions.require(.planRelease, by: member)
        let release = try self.release(id)
        guard release.status != .published else {
            throw EmbargoError(.refused, "release \(release.id) is published; its notes are public already")
        }
        let steps = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !steps.isEmpty else { throw EmbargoError(.usage, "the upgrade path is empty", hint: "write the steps into the file") }
        try audited("release.plan", release.id, detail: "upgrade path of #\(issue)") { db in
            try db.execute(sql: """
                INSERT INTO release_issues (release, issue, upgrade_path) VALUES (?, ?, ?)
                ON CONFLICT (release, issue) DO UPDATE SET upgrade_path = excluded.upgrade_path
                """, arguments: [release.id, issue, steps])
        }
    }

    /// The upgrade paths attached to a release, by issue.
    public func upgradePaths(_ id: String) throws -> [Int: String] {
        try store.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT issue, upgrade_path FROM release_issues WHERE release = ? AND upgrade_path IS NOT NULL",
                                        arguments: [id.uppercased()])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["issue"] as Int, $0["upgrade_path"] as String) })
        }
    }

    /// The change record of breaking change `issue`: its title from the
    /// commit, the first version and branch that carry it, the issue link,
    /// and the upgrade path attached with `setUpgradePath`.
    public func changeRecord(_ id: String, issue number: Int) throws -> ChangeRecord {
        let release = try self.release(id)
        for (version, notes) in zip(release.versions, try releaseNotes(release: id)) {
            guard let issue = notes.issues.first(where: { $0.number == number }) else { continue }
            guard issue.breaking else {
                throw EmbargoError(.failure, "issue #\(number) is not marked as a breaking change",
                                   hint: "its commit says '(Breaking Change)' or '(BC)' in the summary when it is one")
            }
            guard let steps = try upgradePaths(id)[number] else {
                throw EmbargoError(.failure, "issue #\(number) has no upgrade path in \(release.id)",
                                   hint: "write the steps to a file and run 'embargo release upgrade-path \(release.id) --issue \(number) --file FILE'")
            }
            return ChangeRecord(title: issue.summary, branch: version.releaseBranch, version: version.version,
                                issueURL: ReleaseNotes.issueURL(number), description: steps)
        }
        throw EmbargoError(.failure, "issue #\(number) is not in the release notes of \(release.id)", hint: "see 'embargo notes \(release.id)'")
    }
}
