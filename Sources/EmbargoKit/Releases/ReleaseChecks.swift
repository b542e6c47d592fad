import EmbargoStore
import Foundation
import GRDB

/// What `release verify` checked, one line per check.
public struct ReleaseVerification: Sendable, Codable {
    public struct Check: Sendable, Codable {
        public var ok: Bool
        public var what: String
    }

    public var release: String
    public var ok: Bool { checks.allSatisfy(\.ok) }
    public var checks: [Check]

    enum CodingKeys: String, CodingKey { case release, ok, checks }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(release, forKey: .release)
        try container.encode(ok, forKey: .ok)
        try container.encode(checks, forKey: .checks)
    }

    public init(release: String, checks: [Check]) {
        self.release = release
        self.checks = checks
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        release = try container.decode(String.self, forKey: .release)
        checks = try container.decode([Check].self, forKey: .checks)
    }
}

extension Workspace {
    /// What the publishing manager checks by hand before publishing: each
    /// tag on the remote has the planned version and the object recorded at
    /// tagging; the diff from the last release to the tag is the diff to the
    /// branch head at tagging plus nothing but the built paths; the built
    /// paths are in the tag; every planned issue is in the log.
    public func verifyRelease(_ id: String, offline: Bool = false) throws -> ReleaseVerification {
        try Permissions.require(.publish, by: member)
        let release = try self.release(id)
        guard release.status != .planned else {
            throw EmbargoError(.refused, "release \(release.id) is not tagged yet", hint: "the preparer runs 'embargo release tag \(release.id)'")
        }
        let details = try project(named: release.project)
        let project = details.project
        try fetchProject(project, offline: offline)
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        let url = try git.requiredRemoteURL(project.remote)
        let remote = try remoteObjects(git, url: url, refs: release.versions.flatMap { ["refs/tags/\($0.version)", "refs/heads/\($0.releaseBranch)"] })
        var checks: [ReleaseVerification.Check] = []
        var logs: [String] = []
        func check(_ ok: Bool, _ what: String) { checks.append(.init(ok: ok, what: what)) }
        for version in release.versions {
            let tag = "refs/tags/\(version.version)"
            let onRemote = remote[tag]
            check(onRemote != nil && onRemote == version.tagObject,
                  onRemote == nil ? "\(version.version): no such tag on \(project.remote)"
                      : "\(version.version): the tag on \(project.remote) is the one made at tagging" + (onRemote == version.tagObject ? "" : " (it is \(onRemote!.prefix(12)), not \(version.tagObject?.prefix(12) ?? "-"))"))
            guard onRemote != nil, let head = version.taggedHead else { continue }
            let tagged = try git.run(["cat-file", "-e", "\(tag)^{commit}"]).status == 0
            check(tagged, "\(version.version): the tag is fetched into \(project.repoPath)")
            guard tagged else { continue }
            let name = try git.output(["for-each-ref", "--format=%(contents:subject)", tag])
            check(name == "Release \(version.version)", "\(version.version): the tag says 'Release \(version.version)'" + (name == "Release \(version.version)" ? "" : ", not '\(name)'"))
            // last..tag against last..head-at-tagging: they differ in the built paths only.
            let extra = try git.output(["diff", "--name-only", head, tag]).split(whereSeparator: \.isNewline).map(String.init)
            let outside = extra.filter { path in !details.requiredPaths.contains { path == $0 || path.hasPrefix($0 + "/") } }
            check(outside.isEmpty, "\(version.version): the diff \(version.previous ?? "(start)")..tag equals the diff to the branch head at tagging"
                      + (details.requiredPaths.isEmpty ? "" : " plus the built paths")
                      + (outside.isEmpty ? "" : "; it also changes \(outside.prefix(5).joined(separator: ", "))"))
            for path in details.requiredPaths {
                check(try git.run(["cat-file", "-e", "\(tag):\(path)"]).status == 0, "\(version.version): the built path \(path) is in the tag")
            }
            let branchHead = remote["refs/heads/\(version.releaseBranch)"]
            check(try branchHead.map { try git.run(["merge-base", "--is-ancestor", head, $0]).status == 0 } ?? false,
                  "\(version.version): the changelog commit is on \(project.remote)/\(version.releaseBranch)")
            let range = version.previous.map { "refs/tags/\($0)..\(tag)" } ?? tag
            logs.append(try git.output(["log", "--format=%B", range]))
        }
        if !release.issues.isEmpty {
            // An issue may be fixed on one branch only; it must be in the log of one of the tags.
            let missing = release.issues.filter { issue in !logs.contains { Self.mentions($0, issue: issue) } }
            check(missing.isEmpty, "every planned issue is in the log of a tag"
                      + (missing.isEmpty ? "" : "; missing: \(missing.map { "#\($0)" }.joined(separator: ", "))"))
        }
        let verification = ReleaseVerification(release: release.id, checks: checks)
        try audited("release.verify", release.id, detail: verification.ok ? "ok" : "failed: " + checks.filter { !$0.ok }.map(\.what).joined(separator: "; ")) { _ in }
        return verification
    }

    /// Whether a commit log names issue `number` (`#3400100`, not `#34001001`).
    static func mentions(_ log: String, issue number: Int) -> Bool {
        log.matches(of: /#([0-9]+)/).contains { Int($0.1) == number }
    }

    /// Records a QA result (the newest counts).
    @discardableResult
    public func recordReleaseQA(_ id: String, passed: Bool, note: String) throws -> Release {
        try Permissions.require(.recordQA, by: member)
        let release = try self.release(id)
        guard release.status != .published else {
            throw EmbargoError(.refused, "release \(release.id) is published; QA comes before publication")
        }
        let now = self.now
        return try audited("release.qa", release.id, detail: (passed ? "passed" : "failed") + (note.isEmpty ? "" : ": \(note)")) { db in
            try db.execute(sql: "INSERT INTO release_qa (release, at, by, passed, note) VALUES (?, ?, ?, ?, ?)",
                           arguments: [release.id, now, member.name, passed ? 1 : 0, note])
            return try Release.fetch(db, release.id)
        }
    }

    /// Records that the release node is live. A minor or major release needs
    /// a passed QA; a security release finishes its advisory's publication
    /// (status published, public documents in `outputDirectory`, guard
    /// entries dropped) and records the SA.
    @discardableResult
    public func markReleasePublished(_ id: String, nodeURL: String?, saURLs: [String], outputDirectory: URL? = nil,
                                     progress: (String) -> Void = { _ in }) throws -> (release: Release, steps: [String])
    {
        try Permissions.require(.publish, by: member)
        let release = try self.release(id)
        guard release.status == .tagged else {
            throw EmbargoError(.refused, "release \(release.id) is \(release.status.rawValue); only a tagged release is published",
                               hint: release.status == .planned ? "the preparer runs 'embargo release tag \(release.id)' first" : "it is done")
        }
        if release.kind.needsQA {
            // Read from the signed trail, which the verification checks against each signer's role:
            // a QA row written around embargo counts for nothing.
            _ = try verifyAudit()
            let signed = try auditEntries(object: release.id).last { $0.action == "release.qa" }
            guard let signed else {
                throw EmbargoError(.refused, "a \(release.kind.rawValue) release is published after QA passed; no QA is recorded for \(release.id)",
                                   hint: "QA runs 'embargo release qa \(release.id) --pass' (or --fail --note TEXT)")
            }
            guard signed.detail.hasPrefix("passed") else {
                throw EmbargoError(.refused, "QA failed for \(release.id) (\(signed.member), \(signed.at): \(signed.detail)); it is not published",
                                   hint: "fix, plan the next release candidate ('embargo release plan --project \(release.project) --kind \(release.kind.rawValue) --branch \(release.versions.first?.releaseBranch ?? "BRANCH") --stability rc'), or record a passed QA ('embargo release qa \(release.id) --pass')")
            }
        }
        if release.kind != .security {
            // The tags on record are the public release: its node is made from them. (A security
            // release's tags are checked by the publication of its advisories.)
            let project = try project(named: release.project).project
            let git = environment.git(URL(fileURLWithPath: project.repoPath))
            let url = try git.requiredRemoteURL(project.remote)
            let remote = try remoteObjects(git, url: url, refs: release.versions.map { "refs/tags/\($0.version)" })
            for version in release.versions where version.tagObject == nil || remote["refs/tags/\(version.version)"] != version.tagObject {
                let held = remote["refs/tags/\(version.version)"] == nil ? "no tag \(version.version)" : "another object as tag \(version.version)"
                throw EmbargoError(.verification, "release \(release.id) is on record as tagged (by \(release.taggedBy?.prefix(40) ?? "a member")), but \(project.remote) holds \(held); nothing was published",
                                   hint: "'embargo release verify \(release.id)' shows what the remote holds; the preparer tags it again with 'embargo release tag \(release.id)' after 'embargo release revert \(release.id)'")
            }
        }
        var steps: [String] = []
        // Published now, it is a release at this moment: the window rules say whether that keeps the calendar.
        if release.kind == .patch {
            let project = try project(named: release.project)
            steps += try releaseCalendarViolations(kind: .patch, project: project, at: environment.clock.now())
                .filter { $0.hasSuffix("window)") }.map { "warning: \($0)" }
        }
        var saURL: String?
        if release.kind == .security {
            let addresses = try Self.securityAdvisoryAddresses(saURLs, of: release)
            saURL = release.advisories.count == 1 ? addresses[release.advisories[0]]
                : release.advisories.map { "\($0)=\(addresses[$0]!)" }.joined(separator: " ")
            let carried = try release.advisories.map { try advisory($0) }
            // The address names the SA's id: it must be the advisory's, which its public documents carry.
            for advisory in carried {
                let address = addresses[advisory.id]!
                guard let named = Self.securityAdvisoryID(inAddress: address) else { continue }
                if let id = advisory.saID {
                    guard id.uppercased() == named else {
                        throw EmbargoError(.refused, "the SA at \(address) is \(named), but the SA id of \(advisory.id) is \(id); nothing was published",
                                           hint: "check the address; if the id changed, set it with 'embargo advisory edit \(advisory.id) --sa-id \(named)' and build a new pre-release")
                    }
                } else {
                    steps.append("\(advisory.id) has no SA id, so its public documents say it is not assigned: once published, "
                                 + "'embargo advisory edit \(advisory.id) --sa-id \(named) --reason TEXT' records it; then export them again")
                }
            }
            for advisory in carried {
                var options = PublishOptions()
                options.outputDirectory = outputDirectory
                // The Security Team published the SA: that ends the embargo, also before the time it was planned for.
                if let disclosure = advisory.disclosureAt.flatMap(Timestamp.parse), disclosure > environment.clock.now() {
                    options.early = true
                    options.reason = "the Security Team published the SA (\(addresses[advisory.id]!))"
                }
                let report = try publish(advisory.id, options: options, progress: progress)
                steps += report.steps + report.files.map { "wrote \($0)" }
            }
        }
        let now = self.now
        let updated = try audited("release.published", release.id, detail: [nodeURL.map { "node \($0)" }, saURL.map { "SA \($0)" }].compactMap { $0 }.joined(separator: "; ")) { db in
            try db.execute(sql: "UPDATE releases SET status = 'published', published_at = ?, published_by = ?, node_url = ?, sa_url = ? WHERE id = ?",
                           arguments: [now, member.name, nodeURL, saURL, release.id])
            return try Release.fetch(db, release.id)
        }
        return (updated, steps)
    }

    /// The SA id a drupal.org address names (`.../sa-contrib-2026-101` → `SA-CONTRIB-2026-101`), or nil.
    static func securityAdvisoryID(inAddress address: String) -> String? {
        guard let match = address.lowercased().firstMatch(of: /sa-(contrib|core)-(\d{4})-(\d{3,})/) else { return nil }
        return "SA-\(match.1.uppercased())-\(match.2)-\(match.3)"
    }

    /// The published SA of each advisory a security release carries, by
    /// advisory: one address for one advisory; with several, `ADV-ID=URL`
    /// for every advisory (the release records them as `ADV-ID=URL ADV-ID=URL`).
    static func securityAdvisoryAddresses(_ given: [String], of release: Release) throws -> [String: String] {
        func address(_ text: some StringProtocol) throws -> String {
            guard !text.contains(" "), let url = URL(string: String(text)), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw EmbargoError(.usage, "'\(text.prefix(80))' is not the http(s) address of a published SA")
            }
            return String(text)
        }
        let usage = release.advisories.count == 1 ? "pass --sa-url URL of the published SA"
            : "pass --sa-url ADV-ID=URL for each: " + release.advisories.map { "--sa-url \($0)=URL" }.joined(separator: " ")
        guard !given.isEmpty else {
            throw EmbargoError(.usage, "a security release is published with its advisory's SA", hint: usage)
        }
        if release.advisories.count == 1, given.count == 1, !given[0].uppercased().hasPrefix(release.advisories[0] + "=") {
            return [release.advisories[0]: try address(given[0])]
        }
        var addresses: [String: String] = [:]
        for text in given {
            guard let equals = text.firstIndex(of: "=") else {
                throw EmbargoError(.usage, "release \(release.id) carries \(release.advisories.count) advisories; say whose SA '\(text.prefix(80))' is", hint: usage)
            }
            let id = text[..<equals].uppercased()
            guard release.advisories.contains(id) else {
                throw EmbargoError(.usage, "release \(release.id) does not carry \(id); it carries \(release.advisories.joined(separator: ", "))", hint: usage)
            }
            guard addresses[id] == nil else { throw EmbargoError(.usage, "the SA of \(id) is given twice", hint: usage) }
            addresses[id] = try address(text[text.index(after: equals)...])
        }
        if let missing = release.advisories.first(where: { addresses[$0] == nil }) {
            throw EmbargoError(.usage, "the SA of \(missing) is missing", hint: usage)
        }
        return addresses
    }

    /// Takes back the tags of a release that is not published: on the remote
    /// (only the tags made at tagging), locally, and the status goes back to
    /// planned. The changelog commit stays on the branch. A security
    /// release's tags made its fix public: that is refused like any revert
    /// after the push.
    public func revertRelease(_ id: String) throws -> [String] {
        try Permissions.require(.planRelease, by: member)
        let release = try self.release(id)
        guard release.status == .tagged else {
            throw EmbargoError(.refused, "release \(release.id) is \(release.status.rawValue); only a tagged release that is not published is reverted",
                               hint: release.status == .published ? "a published release is fixed forward with a new release" : "there is no tag to take back")
        }
        if release.kind == .security {
            // Reverting one of several advisories released together reverts them all.
            return try release.advisories.first.map { try revert($0) } ?? []
        }
        let project = try project(named: release.project).project
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        _ = try git.requiredRemoteURL(project.remote)
        var lines = try deleteTags(release.versions.compactMap { version in version.tagObject.map { (version.version, $0) } }, git: git,
                                   remote: project.remote)
        try audited("release.revert", release.id, detail: lines.joined(separator: "; ")) { db in
            try db.execute(sql: "UPDATE release_versions SET tag_commit = NULL, tag_object = NULL WHERE release = ?", arguments: [release.id])
            try db.execute(sql: "UPDATE releases SET status = 'planned', tagged_at = NULL, tagged_by = NULL WHERE id = ?", arguments: [release.id])
        }
        lines.append("release \(release.id) is planned again; its changelog commits stay on the branches")
        lines.append("tell the publishing manager that \(release.versionList) will not be published as tagged")
        return lines
    }
}
