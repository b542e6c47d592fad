import EmbargoStore
import Foundation
import GRDB

/// The drupal.org release form for one version: what to type and which boxes to tick.
public struct ReleaseNode: Sendable, Codable {
    public var version: String
    public var branch: String
    public var title: String
    /// Release type checkboxes to tick.
    public var releaseTypes: [String]
    public var securityUpdate: Bool
    /// "This release was coordinated with the Drupal Security Team".
    public var coordinatedWithSecurityTeam: Bool
    /// The short description, or nil when there must be none (security releases).
    public var shortDescription: String?
    public var notesHTML: String

    enum CodingKeys: String, CodingKey {
        case version, branch, title
        case releaseTypes = "release_types"
        case securityUpdate = "security_update"
        case coordinatedWithSecurityTeam = "coordinated_with_security_team"
        case shortDescription = "short_description"
        case notesHTML = "notes_html"
    }
}

extension Workspace {
    /// Release notes of each version: the commits from the last release to
    /// the tag (or, before tagging, to the branch head).
    public func releaseNotes(release id: String) throws -> [ReleaseNotes] {
        let release = try self.release(id)
        let details = try project(named: release.project)
        let project = details.project
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        let heads = try git.branchCommits(release.versions.map(\.branch), remote: project.remote)
        let people = PeopleDirectory(try self.people())
        let upgradePaths = try self.upgradePaths(id)
        let committerName = String((details.committer ?? Self.defaultCommitter).prefix { $0 != "<" }).trimmingCharacters(in: .whitespaces)
        let planned = release.plannedAt.flatMap(Timestamp.parse) ?? environment.clock.now()
        return try release.versions.map { version in
            let tip = version.tagObject != nil ? "refs/tags/\(version.version)" : (heads[version.branch] ?? version.branch)
            // A tagged release is dated as its tag is (an early tag says when it really was made).
            let tagged = version.tagObject == nil ? nil
                : (try? git.output(["for-each-ref", "--format=%(taggerdate:unix)", "refs/tags/\(version.version)"])).flatMap { TimeInterval($0) }
            let date = tagged.map { Date(timeIntervalSince1970: $0) } ?? planned
            let range = version.previous.map { "refs/tags/\($0)..\(tip)" } ?? tip
            // The commits the release itself adds (the changelog, the built assets) are not changes.
            let commits = try NoteCommit.read(git, range: range).filter {
                !($0.subject.hasPrefix("Changelog for ") || $0.subject.hasPrefix("Build assets for ")) || $0.author != committerName
            }
            return ReleaseNotes(project: project.packageName, version: version.version, previous: version.previous, date: date, commits: commits,
                                people: people, upgradePaths: upgradePaths)
        }
    }

    /// What goes into the drupal.org release form, one node per version.
    public func releaseNodes(_ id: String) throws -> [ReleaseNode] {
        let release = try self.release(id)
        let project = try project(named: release.project).project
        return try zip(release.versions, releaseNotes(release: id)).map { version, notes in
            let parsed = ReleaseVersion(version.version)
            let security = release.kind == .security
            var types: [String]
            switch release.kind {
            case .security: types = ["Security update"]
            case .patch, .critical: types = ["Bug fixes"]
            case .minor, .major: types = ["New features", "Bug fixes"]
            }
            var short: String?
            switch (release.kind, parsed?.stability) {
            case (.security, _): short = nil
            case (_, .some(.alpha(let n))): short = "Alpha \(n) of \(version.version.split(separator: "-")[0]), for testing"
            case (_, .some(.beta(let n))): short = "Beta \(n) of \(version.version.split(separator: "-")[0]), for testing"
            case (_, .some(.rc(let n))): short = "Release candidate \(n) of \(version.version.split(separator: "-")[0])"
            case (.critical, _): short = "Critical fix; update as soon as possible"
            case (.patch, _): short = "Bug fixes"
            case (.minor, _), (.major, _): short = "New features and bug fixes"
            }
            if release.kind == .major, short != nil, parsed?.stability == .stable { short = "New major version; see the upgrade path" }
            return ReleaseNode(version: version.version, branch: version.releaseBranch, title: "\(project.packageName) \(version.version)",
                               releaseTypes: types, securityUpdate: security, coordinatedWithSecurityTeam: security,
                               shortDescription: short, notesHTML: notes.html)
        }
    }

    /// The "Release x.y.z and x.y.z" issue that tracks a release (category
    /// Task, tag `release`), in Markdown.
    public func releaseIssue(_ id: String) throws -> (title: String, category: String, tags: [String], body: String, privateSteps: [String]) {
        let release = try self.release(id)
        let project = try project(named: release.project).project
        // A security release's issue is public before its SA: it reads as any release's.
        let kind = release.kind == .security ? "" : "\(release.kind.rawValue) release, "
        var lines = ["Release \(release.versionList) of \(project.packageName) (\(kind)\(release.id)).", ""]
        if let at = release.plannedAt.flatMap(Timestamp.parse) {
            lines.append("- Release: \(Timestamp.string(at))")
            if let cutoff = ReleaseCalendar.mergeCutoff(kind: release.kind, releaseAt: at) { lines.append("- Merge cutoff: \(Timestamp.string(cutoff))") }
            lines.append("- Tags ready by: \(Timestamp.string(ReleaseCalendar.tagWindow(kind: release.kind, releaseAt: at).readyBy))")
        } else {
            lines.append("- Release: not scheduled yet")
        }
        for version in release.versions {
            lines.append("- \(version.version) from \(version.newBranch.map { "new branch \($0) (from \(version.branch))" } ?? version.branch)"
                         + (version.previous.map { ", after \($0)" } ?? ""))
        }
        if !release.issues.isEmpty {
            lines += ["", "Issues that must be in it:", ""] + release.issues.map { "- [#\($0)](\(ReleaseNotes.issueURL($0)))" }
        }
        lines += ["", "Steps:", "", "- [ ] Release notes in CHANGELOG.md, tags pushed ('embargo release tag \(release.id)')",
                  "- [ ] Tags verified ('embargo release verify \(release.id)')"]
        if release.kind.needsQA { lines.append("- [ ] QA passed ('embargo release qa \(release.id) --pass')") }
        var privateSteps: [String] = []
        if release.kind == .security {
            // drupal.org's order: the nodes are made from the tags, the Security Team publishes them with the SA.
            lines.append("- [ ] Release nodes made from the tags ('embargo release node \(release.id)')")
            privateSteps = ["tell the Security Team on the private issue once the tags are pushed",
                            "when they publish the SA: 'embargo release published \(release.id) --url URL --sa-url URL'"]
        } else {
            lines.append("- [ ] Release nodes published ('embargo release node \(release.id)', then 'embargo release published \(release.id) --url URL')")
        }
        lines.append("- [ ] Announced ('embargo release announce \(release.id)')")
        // The issue is public: it says nothing about the advisories, and of a security release
        // nothing that tells it apart; its own steps are said beside it (`privateSteps`).
        return ("Release \(release.versionList)", "Task", ["release"], lines.joined(separator: "\n") + "\n", privateSteps)
    }

    /// The chat announcement of a release: its versions linked to their
    /// release nodes, up to three highlights (issue numbers), and the counts
    /// of contributors and issues. For a security release it says nothing of
    /// the vulnerability, and the leak linter must pass on it.
    public func releaseAnnouncement(_ id: String, highlights: [Int]) throws -> String {
        let release = try self.release(id)
        let project = try project(named: release.project).project
        let notes = try releaseNotes(release: id)
        let name = project.packageName
        let links = release.versions.map { "[\($0.version)](https://www.drupal.org/project/\(name)/releases/\($0.version))" }
        let list = links.count == 1 ? links[0] : links.dropLast().joined(separator: ", ") + " and " + links.last!
        var lines = ["\(name) version\(links.count == 1 ? "" : "s") \(list) \(links.count == 1 ? "has" : "have") been released."]
        if release.kind == .security {
            lines.append("Everyone using \(name) should update now.")
        }
        let issues = notes.flatMap(\.issues)
        var shown: [ReleaseNotes.Issue] = []
        for number in highlights.prefix(3) {
            guard let issue = issues.first(where: { $0.number == number }) else {
                throw EmbargoError(.failure, "issue #\(number) is not in the release notes of \(release.id)",
                                   hint: "pick highlights among: " + Set(issues.compactMap(\.number)).sorted().prefix(10).map { "#\($0)" }.joined(separator: ", "))
            }
            shown.append(issue)
        }
        if !shown.isEmpty {
            lines += ["", "Highlights:"] + shown.map { "- [#\($0.number!)](\(ReleaseNotes.issueURL($0.number!))) \($0.summary)" }
        }
        let contributors = Set(notes.flatMap { $0.contributors.map(\.name) }).count
        let organizations = Set(notes.flatMap { ($0.organizations ?? []).map(\.name) }).count
        let issueCount = Set(issues.compactMap(\.number)).count
        let plural = { (count: Int, word: String) in "\(count) \(word)\(count == 1 ? "" : "s")" }
        lines += ["", "Thanks to \(plural(contributors, "contributor"))"
                    + (organizations > 0 ? " from \(plural(organizations, "organization"))" : "")
                    + " for \(plural(issueCount, "issue"))."]
        let text = lines.joined(separator: "\n") + "\n"
        if release.kind == .security {
            for advisory in release.advisories {
                let findings = try lint(advisory, texts: [LintSubject(location: "announcement", text: text)])
                    .filter { $0.location == "announcement" }
                if let first = findings.first {
                    throw EmbargoError(.refused, "the announcement of \(release.id) would reveal the fix: '\(first.term)' (\(first.excerpt))",
                                       hint: "choose other highlights (--highlight N)")
                }
            }
        }
        return text
    }
}
