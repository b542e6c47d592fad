import EmbargoStore
import Foundation
import GRDB

public struct TagOptions: Sendable {
    /// Commits merged after the merge cutoff go into the release too.
    public var includeLate = false
    /// Tag a security release before its release day (recorded with the reason).
    public var early: String?
    /// Tag changes marked breaking in a release that is not a major (recorded with the reason).
    public var allowBreaking: String?
    public var offline = false
    public var dryRun = false

    public init() {}
}

/// What `release tag` made (or, before confirmation, would push).
public struct TagReport: Sendable, Codable {
    public struct Tagged: Sendable, Codable {
        public var version: String
        public var branch: String
        public var previous: String?
        /// `git diff --stat` from the previous release to the tag.
        public var diffStat: String
        public var tagObject: String
    }

    public var release: String
    public var pushed: Bool
    public var tags: [Tagged]
    public var lateCommits: [String]
    public var steps: [String]

    enum CodingKeys: String, CodingKey {
        case release, pushed, tags, steps
        case lateCommits = "late_commits"
    }
}

extension Workspace {
    /// Tags a release the way `tag-release.sh` does: in a private temporary
    /// clone, the release notes go into CHANGELOG.md on the branch, the
    /// project's build runs and its paths are committed for the tag only, the
    /// tag is made; `confirm` sees the diff summary before anything is
    /// pushed, then the branches' changelog commits and the tags go to the
    /// remote in one atomic push. A security release is tagged from its
    /// approved pre-release instead (see `tagSecurityRelease`).
    public func tagRelease(_ id: String, options: TagOptions, progress: (String) -> Void = { _ in },
                           confirm: (TagReport) throws -> Bool) throws -> TagReport
    {
        try Permissions.require(.planRelease, by: member)
        let release = try self.release(id)
        guard release.status == .planned else {
            throw EmbargoError(.refused, "release \(release.id) is \(release.status.rawValue) already",
                               hint: release.status == .tagged ? "verify it with 'embargo release verify \(release.id)', or take the tag back with 'embargo release revert \(release.id)'" : "plan the next one with 'embargo release plan --project \(release.project) --kind \(release.kind.rawValue)'")
        }
        if release.kind == .security {
            return try tagSecurityRelease(release, options: options, progress: progress)
        }
        let details = try project(named: release.project)
        let project = details.project
        progress("fetching \(project.remote)")
        try fetchProject(project, offline: options.offline)
        let repoGit = environment.git(URL(fileURLWithPath: project.repoPath))
        let remoteURL = try repoGit.requiredRemoteURL(project.remote)
        let heads = try repoGit.branchCommits(release.versions.map(\.branch), remote: project.remote)
        var report = TagReport(release: release.id, pushed: false, tags: [], lateCommits: [], steps: [])

        // A scheduled patch release is tagged after its merge cutoff: merges until then go into it.
        var taggedEarly: String?
        if release.kind == .patch, let at = release.plannedAt.flatMap(Timestamp.parse),
           let cutoff = ReleaseCalendar.mergeCutoff(kind: .patch, releaseAt: at), environment.clock.now() <= cutoff {
            guard let reason = options.early, !reason.isEmpty else {
                throw EmbargoError(.refused, "patch release \(release.id) is tagged after its merge cutoff (\(Timestamp.string(cutoff))), so that merges until then go into it; it is \(now)",
                                   hint: "tag it on its release day (ready by 11:00 UTC), or now with --early REASON (recorded)")
            }
            taggedEarly = reason
            report.steps.append("tagged before the merge cutoff: \(reason)")
        }

        // Commits merged after the cutoff are listed and stay out unless asked for.
        if let at = release.plannedAt.flatMap(Timestamp.parse), let cutoff = ReleaseCalendar.mergeCutoff(kind: release.kind, releaseAt: at) {
            for version in release.versions {
                guard let head = heads[version.branch] else { continue }
                let range = version.previous.map { "refs/tags/\($0)..\(head)" } ?? head
                // The changelog commit a tag made before (taken back since) is the release's own, not a merge.
                let late = try repoGit.output(["log", "--format=%h %cI %s", "--since=\(Timestamp.string(cutoff))", range])
                    .split(whereSeparator: \.isNewline).filter { !$0.hasSuffix(" Changelog for \(version.version)") }
                    .map { "\(version.branch): \($0)" }
                report.lateCommits += late
            }
            if !report.lateCommits.isEmpty, !options.includeLate {
                throw EmbargoError(.refused, "\(report.lateCommits.count) commit(s) were merged after the merge cutoff (\(Timestamp.string(cutoff))): "
                                       + report.lateCommits.joined(separator: "; "),
                                   hint: "release them too with 'embargo release tag \(release.id) --include-late' (they are in its notes), or leave them for the next release: plan this one again once they are off the branch")
            }
        }

        let committer = details.committer ?? Self.defaultCommitter
        let stamp = Int(environment.clock.now().timeIntervalSince1970)
        let plans = try release.versions.map { version -> ReleasePlan in
            guard let head = heads[version.branch] else {
                throw EmbargoError(.failure, "branch \(version.branch) not found in \(project.repoPath)")
            }
            return ReleasePlan(branch: version.releaseBranch, baseCommit: head, version: version.version, previousVersion: version.previous,
                               patchIDs: [], timestamp: stamp, committer: committer, packageName: project.packageName,
                               buildCommand: project.buildCommand, requiredPaths: details.requiredPaths,
                               changelogLayout: ReleasePlan.currentChangelogLayout)
        }
        let workTree: PrivateClone.WorkTree = project.buildCommand != nil ? .full : .sparse
        let clone = try PrivateClone(repository: URL(fileURLWithPath: project.repoPath), runner: environment.runner, workTree: workTree)
        defer { clone.remove() }
        let builder = ReleaseBuilder(clone: clone, runner: environment.runner)
        var outputs: [ReleaseBuilder.Output] = []
        for plan in plans {
            progress("tagging \(plan.version) on \(plan.branch)")
            let output = try builder.build(plan, series: "", project: project.name)
            outputs.append(output)
            let stat = try clone.git.output(["diff", "--stat", "--summary", (plan.previousVersion.map { "refs/tags/\($0)" } ?? plan.baseCommit), output.release.tagObject])
            report.tags.append(.init(version: plan.version, branch: plan.branch, previous: plan.previousVersion, diffStat: stat,
                                     tagObject: output.release.tagObject))
        }
        // Semver: a change marked breaking needs a major release (drupal.org's rule too).
        let breaking = outputs.flatMap(\.breakingChanges)
        if release.kind != .major, !breaking.isEmpty, (options.allowBreaking ?? "").isEmpty {
            throw EmbargoError(.refused, "\(breaking.count) change(s) marked breaking would go out in \(release.kind.rawValue) release \(release.id), and breaking changes need a major release: "
                                   + breaking.joined(separator: "; "),
                               hint: "plan a major release for them ('embargo release plan --project \(release.project) --kind major --branch BRANCH'), or tag anyway with --allow-breaking REASON (recorded)")
        }
        report.steps.append("made \(outputs.count) tag(s) with the changelog on the branch" + (project.buildCommand == nil ? "" : " and the built paths in the tag only"))
        guard !options.dryRun, try confirm(report) else {
            report.steps.append("pushed nothing")
            return report
        }
        var refspecs: [String] = []
        for output in outputs {
            refspecs.append("\(output.release.branchHead):refs/heads/\(output.release.plan.branch)")
            refspecs.append("refs/tags/\(output.release.tagName):refs/tags/\(output.release.tagName)")
        }
        progress("pushing \(refspecs.count) refs to \(project.remote) in one atomic push")
        let push = try clone.git.run(["push", "--atomic", "--porcelain", "--no-verify", remoteURL] + refspecs)
        guard push.status == 0 else {
            throw EmbargoError(.failure, "the remote \(project.remote) rejected the push, nothing was tagged: \(firstLine(push.stderrText))",
                               hint: "fix the remote (permissions, protected branches) or fetch and plan again; then 'embargo release tag \(release.id)'")
        }
        report.pushed = true
        report.steps.append("pushed " + refspecs.joined(separator: " ") + " to \(project.remote)")
        let notes = [taggedEarly.map { "early: \($0)" },
                     breaking.isEmpty || release.kind == .major ? nil : "breaking changes allowed: \(options.allowBreaking ?? "")"].compactMap { $0 }
        try recordTagged(release, zip(release.versions, outputs).map { ($0.branch, $1.release) },
                         note: notes.isEmpty ? nil : notes.joined(separator: "; "))
        _ = try repoGit.run(["fetch", "--quiet", "--no-write-fetch-head", project.remote]
                            + outputs.map { "refs/tags/\($0.release.tagName):refs/tags/\($0.release.tagName)" }
                            + outputs.map { "refs/heads/\($0.release.plan.branch)" })
        report.steps += try fastForwardReleaseBranches(project, branches: outputs.map(\.release.plan.branch))
        return report
    }
}

extension Workspace {
    /// The tag-first order of a security release (DOMAIN.md): on the
    /// disclosure day, from 00:00 UTC, the approved pre-release's branches and
    /// tags are pushed exactly as reviewed; the advisory stays embargoed in the
    /// store until `release published --sa-url` records the SA.
    func tagSecurityRelease(_ release: Release, options: TagOptions, progress: (String) -> Void) throws -> TagReport {
        // Several advisories are released from the one pre-release they share
        // (publication checks that each is approved on it).
        guard let id = release.advisories.first else {
            throw EmbargoError(.refused, "release \(release.id) carries no advisory; a security release is tagged from an approved pre-release",
                               hint: "plan it with 'embargo release plan --project \(release.project) --kind security --advisory ID'")
        }
        let advisory = try advisory(id)
        guard let disclosure = advisory.disclosureAt.flatMap(Timestamp.parse) else {
            throw EmbargoError(.refused, "advisory \(advisory.id) has no disclosure time, so the release day is unknown",
                               hint: "run 'embargo schedule \(advisory.id) --at TIME' (or --next-window)")
        }
        let window = ReleaseCalendar.tagWindow(kind: .security, releaseAt: disclosure)
        var publish = PublishOptions()
        publish.tagOnly = true
        publish.publicFrom = window.earliest ?? disclosure
        publish.offline = options.offline
        publish.dryRun = options.dryRun
        if let earliest = window.earliest, environment.clock.now() < earliest {
            guard let reason = options.early, !reason.isEmpty else {
                throw EmbargoError(.refused, "the tags of security release \(release.id) may be public from \(Timestamp.string(earliest)), the start of the disclosure day (rule drupal.tag-day); it is \(now)",
                                   hint: "tag on the disclosure day (ready by \(Timestamp.string(window.readyBy))), or tag early with --early REASON (recorded)")
            }
            publish.early = true
            publish.reason = reason
        }
        let published = try self.publish(advisory.id, options: publish, progress: progress)
        var report = TagReport(release: release.id, pushed: !options.dryRun, tags: [], lateCommits: [], steps: published.steps)
        if environment.clock.now() >= window.readyBy + 60 {
            report.steps.append("warning: the tags were due by \(Timestamp.string(window.readyBy)) (ready by 11:00 UTC on release day); tell the Security Team they are late")
        }
        guard !options.dryRun, let prerelease = try currentPrerelease(advisory.id) else { return report }
        let git = environment.git(URL(fileURLWithPath: try project(named: release.project).project.repoPath))
        let manifest = prerelease.manifest.branches
        for branch in manifest {
            let stat = (try? git.output(["diff", "--stat", "--summary", branch.plan.previousVersion.map { "refs/tags/\($0)" } ?? branch.plan.baseCommit,
                                         "refs/tags/\(branch.tagName)"])) ?? ""
            report.tags.append(.init(version: branch.tagName, branch: branch.plan.branch, previous: branch.plan.previousVersion, diffStat: stat,
                                     tagObject: branch.tagObject))
        }
        try recordTagged(release, manifest.map { ($0.plan.branch, $0) }, note: publish.early ? "early: \(publish.reason ?? "")" : nil)
        return report
    }
}

extension Workspace {
    /// Records what a tagging pushed: each branch's tag, its commit and the
    /// branch head, and the release tagged.
    func recordTagged(_ release: Release, _ tagged: [(branch: String, release: BranchRelease)], note: String? = nil) throws {
        let now = self.now
        let detail = tagged.map { "\($0.release.tagName) \($0.release.tagObject)" }.joined(separator: ", ") + (note.map { "; \($0)" } ?? "")
        try audited("release.tag", release.id, detail: detail) { db in
            // A branch the release made (1.3.x for 1.3.0-rc1) is a release branch of the project from now on.
            let known = Set(try String.fetchAll(db, sql: "SELECT branch FROM project_branches WHERE project = ?", arguments: [release.project]))
            let added = tagged.map(\.release.plan.branch).filter { !known.contains($0) }
            if !added.isEmpty {
                var position = (try Int.fetchOne(db, sql: "SELECT MAX(position) FROM project_branches WHERE project = ?", arguments: [release.project]) ?? -1) + 1
                for branch in added {
                    try db.execute(sql: "INSERT INTO project_branches (project, branch, position) VALUES (?, ?, ?)",
                                   arguments: [release.project, branch, position])
                    position += 1
                }
                try appendAudit(db, "project.set", release.project, detail: "release branch \(added.joined(separator: ", ")) made by \(release.id)")
            }
            for (branch, made) in tagged {
                try db.execute(sql: """
                    INSERT INTO release_versions (release, branch, version, previous, tagged_head, tag_commit, tag_object)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (release, branch) DO UPDATE SET version = excluded.version, previous = excluded.previous,
                        tagged_head = excluded.tagged_head, tag_commit = excluded.tag_commit, tag_object = excluded.tag_object
                    """, arguments: [release.id, branch, made.tagName, made.plan.previousVersion, made.branchHead, made.releaseCommit, made.tagObject])
            }
            try db.execute(sql: "UPDATE releases SET status = 'tagged', tagged_at = ?, tagged_by = ? WHERE id = ?",
                           arguments: [now, member.name, release.id])
        }
    }
}
