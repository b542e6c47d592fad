import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

public struct PublishOptions: Sendable {
    public var dryRun = false
    public var remote: String?
    public var outputDirectory: URL?
    public var early = false
    public var reason: String?
    public var acceptedFindings: Set<String> = []
    /// Use the branches as last fetched instead of fetching the remote first.
    public var offline = false
    /// Stop once the release branches and tags are pushed (the tag-first order
    /// of a security release: the advisory is published later, with its SA).
    public var tagOnly = false
    /// The first moment the release may be public; nil: the disclosure time.
    /// The tag-first order makes it the start of the disclosure day.
    public var publicFrom: Date?

    public init() {}
}

/// What publication did (or, in a dry run, would do).
public struct PublishReport: Sendable, Codable {
    public var advisory: String
    public var alreadyPublished: Bool
    public var dryRun: Bool
    public var steps: [String]
    public var files: [String]
}

/// The steps of the publication journal, in order. Each is recorded in the
/// store when done, and each checks the real state first, so that running
/// `publish` again after an interruption finishes the job without doing
/// anything twice.
public enum PublicationStep: String, CaseIterable, Sendable {
    case checked, rebuilt, pushed, fetched, marked, exported, guarded
}

extension Workspace {
    /// Publishes the approved pre-release: checks, re-creates the release
    /// bits and compares them with the manifest, pushes every branch and tag
    /// in one atomic push, marks the advisory published, writes the public
    /// documents and refreshes the pre-push guard.
    ///
    /// `onStep` is called after each recorded step (the CLI uses it for
    /// progress and for crash-recovery tests).
    public func publish(_ id: String, options given: PublishOptions, progress: (String) -> Void = { _ in },
                        onStep: (PublicationStep) -> Void = { _ in }) throws -> PublishReport
    {
        try Permissions.require(.publish, by: member)
        var options = given
        // Who approved, and what, is read from the signed trail: check all of it first.
        _ = try verifyAudit()
        let (advisory, project) = try advisoryAndProject(id)
        var report = PublishReport(advisory: advisory.id, alreadyPublished: false, dryRun: options.dryRun, steps: [], files: [])
        guard let prerelease = try currentPrerelease(advisory.id) else {
            throw EmbargoError(.refused, "advisory \(advisory.id) has no pre-release", hint: "run 'embargo prerelease \(advisory.id) --out DIR' first")
        }
        // Advisories released together are published together, in one push: each
        // step is recorded for all of them (each on its own pre-release row).
        let together = try releasedTogether(advisory.id)
        let rows = try together.compactMap { carried in
            try currentPrerelease(carried.id).flatMap { $0.manifestHash == prerelease.manifestHash ? (carried.id, $0.seq) : nil }
        }
        func recordStep(_ step: PublicationStep, detail: String = "") throws {
            for (carried, seq) in rows { try self.recordStep(carried, seq, step, detail: detail) }
        }
        let done = try journal(advisory.id, prerelease: prerelease.seq)
        if advisory.status == .published, done.isSuperset(of: Set(PublicationStep.allCases)) {
            report.alreadyPublished = true
            return report
        }
        if advisory.status != .published {
            progress("fetching \(options.remote ?? project.remote)")
            try fetchProject(project, remote: options.remote, offline: options.offline)
        }
        if !options.dryRun, let other = try publicationClaimant(advisory.id) {
            throw EmbargoError(.refused, "\(advisory.id) is being published by \(other)",
                               hint: "ask \(other) how it went; 'embargo store sync' brings their publication here")
        }
        let remoteName = options.remote ?? project.remote
        let repoGit = environment.git(URL(fileURLWithPath: project.repoPath))
        let remoteURL = try repoGit.requiredRemoteURL(remoteName)
        let manifest = prerelease.manifest
        // The versions for the texts and what the remote holds: each read once, when first needed.
        var knownReleases: [BranchReleases]?
        func releases() throws -> [BranchReleases] {
            if let knownReleases { return knownReleases }
            let read = try self.releases(for: advisory.id)
            knownReleases = read
            return read
        }
        var knownRemoteRefs: [String: String]?
        func remoteRefs() throws -> [String: String] {
            if let knownRemoteRefs { return knownRemoteRefs }
            let read = try remoteObjects(repoGit, url: remoteURL, refs: manifest.branches.flatMap {
                ["refs/heads/\($0.plan.branch)", "refs/tags/\($0.tagName)"]
            })
            knownRemoteRefs = read
            return read
        }
        let outDirectory = options.outputDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("\(advisory.id)-public")

        // 1. Preconditions (skipped once the advisory is published: the push happened).
        //    A publication stops at the first that fails; a dry run lists them all.
        var blockers: [EmbargoError] = []
        func block(_ error: EmbargoError) throws {
            guard options.dryRun else { throw error }
            blockers.append(error)
        }
        if advisory.status != .published {
            if done.contains(.pushed), let disproof = try pushRecordDisproof(advisory.id, prerelease, url: remoteURL, onRemote: try remoteRefs()) {
                throw disproof
            }
            if try advisory.status != .approved || validApprovals(advisory.id).isEmpty {
                try block(EmbargoError(.refused, "advisory \(advisory.id) has no approval of its current pre-release",
                                       hint: "the security team runs 'embargo approve \(advisory.id) --bundle BUNDLE'"))
            }
            for gap in try approvalGaps(of: prerelease, for: advisory.id) { try block(gap) }
            for carried in together {
                if let approved = manifest.publicDigest(of: carried.id), approved != carried.publicDigest {
                    try block(EmbargoError(.verification, "the public texts of \(carried.id) differ from the ones in the approved pre-release \(prerelease.number)",
                                           hint: "nothing was pushed; build a new pre-release with 'embargo prerelease \(advisory.id) --out DIR' and ask for approval again"))
                }
            }
            if let disagreement = Self.disclosureDisagreement(together) { try block(disagreement) }
            if let disclosure = advisory.disclosureAt.flatMap(Timestamp.parse) {
                let publicFrom = options.publicFrom ?? disclosure
                let earlyWithReason = options.early && !(options.reason ?? "").isEmpty
                if publicFrom > environment.clock.now(), done.contains(.pushed), !options.tagOnly, !earlyWithReason,
                   try pushedTagFirst(advisory.id, prerelease: prerelease.seq) {
                    // Drupal's order: the tags went out on the disclosure day, and the advisory
                    // stays embargoed until the Security Team publishes the SA at its time.
                    try block(EmbargoError(.refused, "the release of \(advisory.id) was tagged first, in drupal.org's order; the advisory stays embargoed until \(Timestamp.string(disclosure))",
                                           hint: "when the Security Team publishes the SA, record it with 'embargo release published RELEASE --sa-url URL' (or 'embargo publish \(advisory.id)' from then on); to publish now, --early --reason TEXT (recorded)"))
                } else if publicFrom > environment.clock.now(), done.contains(.pushed) {
                    // The push happened: the fix is public, and the only way on is to finish.
                    options.early = true
                    options.reason = options.reason ?? "finishing a publication whose release was pushed already"
                    progress("finishing a publication whose release was pushed already")
                } else if publicFrom > environment.clock.now(), let emergency = try together.compactMap({ try emergency($0.id) }).first {
                    // The emergency path: as soon as the release is ready, recorded as early.
                    options.early = true
                    options.reason = options.reason ?? "embargo broken: \(emergency.reason)"
                    progress("publishing before the disclosure time on the emergency path: \(emergency.reason)")
                } else if publicFrom > environment.clock.now() {
                    if earlyWithReason {
                        progress("publishing before the disclosure time: \(options.reason ?? "")")
                    } else {
                        try block(EmbargoError(.refused, "the embargo of \(advisory.id) lasts until \(Timestamp.string(publicFrom))",
                                               hint: "wait, or publish early with --early --reason TEXT (recorded)"))
                    }
                }
            } else {
                try block(EmbargoError(.refused, "advisory \(advisory.id) has no disclosure time",
                                       hint: "run 'embargo schedule \(advisory.id) --at TIME' (or --next-window)"))
            }
            let announcementText = announcement(project, versions: try releases().map(\.nextRelease), format: .markdown)
            do {
                try requireCleanLint(advisory.id, accepting: options.acceptedFindings,
                                     texts: [LintSubject(location: "announcement", text: announcementText)],
                                     step: "embargo publish \(advisory.id)", recording: !options.dryRun)
            } catch let error as EmbargoError where error.kind == .refused {
                try block(error)
            }
            let onRemote = try remoteRefs()
            let heads = try repoGit.branchCommits(manifest.branches.map(\.plan.branch), remote: remoteName)
            for branch in manifest.branches {
                let local = heads[branch.plan.branch]
                let remote = onRemote["refs/heads/\(branch.plan.branch)"]
                // Once pushed, the remote holds this publication's commits (re-dated ones for an early publication).
                let pushedAlready = remote == branch.branchHead || done.contains(.pushed)
                if !pushedAlready, local != branch.plan.baseCommit || remote != branch.plan.baseCommit {
                    try block(EmbargoError(.verification, "branch \(branch.plan.branch) moved since the pre-release (it was at \(branch.plan.baseCommit.prefix(12)))",
                                           hint: "build a new pre-release for the security team: 'embargo prerelease \(advisory.id) --out DIR'"))
                }
            }
            if !options.dryRun, !done.contains(.checked) {
                try recordStep(.checked, detail: options.early ? "early: \(options.reason ?? "")" : "")
                // With a team store, the step goes to the team before any tag does: a
                // second publisher's sync then names the first instead of pushing too.
                try onClaim?(advisory.id)
            }
            report.steps.append("checked approval, disclosure time, lint and branch heads")
            onStep(.checked)
        }

        // 2. Re-create the release commits and tags and compare their ids with the manifest.
        //    The archives are not made again: the tag object id fixes the release commit,
        //    which fixes its tree and so every byte of every file, and what is pushed is
        //    exactly these git objects. The security team reviewed archives made from the
        //    same tag at pre-release time (their hashes are in the signed bundle, and the
        //    bundle's verification checks them); `git archive` of the public tag gives
        //    those bytes again.
        progress("re-creating the release commits and comparing them with the pre-release")
        let built = try buildRelease(advisory, project, plans: manifest.branches.map(\.plan), progress: progress)
        defer { built.clone.remove() }
        for (expected, output) in zip(manifest.branches, built.outputs) {
            let actual = output.release
            var differences: [String] = []
            if actual.branchHead != expected.branchHead { differences.append("branch head") }
            if actual.releaseCommit != expected.releaseCommit { differences.append("release commit") }
            if actual.tagObject != expected.tagObject { differences.append("tag object") }
            if !differences.isEmpty {
                try block(EmbargoError(.verification, "the release of \(expected.plan.branch) differs from the pre-release (\(differences.joined(separator: ", ")))",
                                       hint: "nothing was pushed; build a new pre-release for the security team: 'embargo prerelease \(advisory.id) --out DIR'"))
            }
        }
        if let blocked = Self.blocked(advisory.id, blockers) { throw blocked }
        // An early publication is dated when it happens, in tags, notes and SA alike: the
        // release is made again at that time, and each of its commits must hold exactly the
        // tree, author and message of the reviewed one, so only the dates differ.
        var release = built
        var redated: BuiltRelease?
        defer { redated?.clone.remove() }
        // A dry run of an early publication shows the release dated now, as the real run would
        // make it; once pushed (a release tagged first), the pushed release is what stays.
        let dryRunDate = options.early && options.dryRun && !done.contains(.pushed) ? environment.clock.now() : nil
        if let date = try earlyPublicationDate(advisory.id, prerelease: prerelease.seq) ?? dryRunDate {
            let plans = manifest.branches.map { branch -> ReleasePlan in
                var plan = branch.plan
                plan.timestamp = Int(date.timeIntervalSince1970)
                return plan
            }
            if plans != manifest.branches.map(\.plan) {
                progress("dating the release at the publication time, \(Timestamp.string(date))")
                let again = try buildRelease(advisory, project, plans: plans, progress: progress)
                redated = again
                try Self.requireSameContent(reviewed: built, redated: again)
                release = again
            }
        }
        if !options.dryRun, !done.contains(.rebuilt) { try recordStep(.rebuilt) }
        report.steps.append("re-created \(manifest.branches.count) release(s): identical to the pre-release manifest")
        if redated != nil {
            report.steps.append("dated the release at the publication time: every commit holds the reviewed tree, author and message")
        }
        onStep(.rebuilt)

        // 3. One atomic push of every branch and tag.
        let pushing = release.outputs.map(\.release)
        var refspecs: [String] = []
        for branch in pushing {
            refspecs.append("\(branch.branchHead):refs/heads/\(branch.plan.branch)")
            refspecs.append("refs/tags/\(branch.tagName):refs/tags/\(branch.tagName)")
        }
        // The remote as read before the checks: nothing pushed to it since, and should someone
        // push to a release branch meanwhile, the atomic push is rejected as a whole.
        let onRemote = try remoteRefs()
        // A push on record left these very tags on the remote. A tag of the same name that is
        // another object was not made from the reviewed pre-release (a publication recorded
        // early is made again at its recorded date, so its tags are known here too).
        if done.contains(.pushed), let stray = pushing.first(where: { branch in onRemote["refs/tags/\(branch.tagName)"].map { $0 != branch.tagObject } ?? false }) {
            throw EmbargoError(.verification, "\(advisory.id)'s release is on record as pushed (by \(try pushRecorder(advisory.id))), but tag \(stray.tagName) on \(remoteName) is not the release made from the reviewed pre-release",
                               hint: "nothing was pushed or changed; 'embargo audit --advisory \(advisory.id)' shows who recorded the push, ask a store admin to check the remote's tags")
        }
        if pushing.allSatisfy({ onRemote["refs/heads/\($0.plan.branch)"] == $0.branchHead
                                && onRemote["refs/tags/\($0.tagName)"] == $0.tagObject }) {
            report.steps.append("push: every branch and tag is already on \(remoteName)")
        } else if options.dryRun {
            report.steps.append("would push atomically to \(remoteName): " + refspecs.joined(separator: " "))
        } else {
            progress("pushing \(refspecs.count) refs to \(remoteName) in one atomic push")
            let push = try release.clone.git.run(["push", "--atomic", "--porcelain", "--no-verify", remoteURL] + refspecs)
            guard push.status == 0 else {
                let reason = (push.stdoutText + push.stderrText).split(whereSeparator: \.isNewline)
                    .first { $0.hasPrefix("!") || $0.contains("rejected") || $0.hasPrefix("error") || $0.hasPrefix("fatal") }
                    .map(String.init) ?? firstLine(push.stderrText)
                throw EmbargoError(.failure, "the remote \(remoteName) rejected the push, nothing was published: \(reason)",
                                   hint: "fix the remote (permissions, hooks, protected branches) and run 'embargo publish \(advisory.id)' again")
            }
            report.steps.append("pushed " + refspecs.joined(separator: " ") + " to \(remoteName)")
        }
        if !options.dryRun {
            if !done.contains(.pushed) { try recordStep(.pushed, detail: (options.tagOnly ? Self.tagFirst : "") + remoteURL) }
            onStep(.pushed)
            // The maintainer's clone learns the tags and the remote's new heads (fetching
            // the branches by name updates their remote-tracking branches).
            _ = try repoGit.run(["fetch", "--quiet", "--no-write-fetch-head", remoteName]
                                + manifest.branches.map { "refs/tags/\($0.tagName):refs/tags/\($0.tagName)" }
                                + manifest.branches.map { "refs/heads/\($0.plan.branch)" })
            if !done.contains(.fetched) { try recordStep(.fetched) }
            report.steps += try fastForwardReleaseBranches(project, branches: manifest.branches.map(\.plan.branch))
            onStep(.fetched)
        } else {
            report.steps.append("would fetch the tags into \(project.repoPath)")
        }

        if options.tagOnly {
            report.steps.append("the release is tagged and public; the advisory stays embargoed until the Security Team publishes its SA")
            return report
        }

        // 4. Published.
        for (carried, seq) in rows {
            if options.dryRun {
                report.steps.append("would mark \(carried) published")
            } else if try self.advisory(carried).status != .published {
                let stamp = now
                let early = try earlyPublicationDate(carried, prerelease: seq)
                try audited("advisory.publish", carried, detail: manifest.versions.joined(separator: ", ")) { db in
                    var current = try Self.fetchAdvisory(db, carried)
                    if let early {
                        current.disclosureAt = Timestamp.string(early)
                    } else if options.early || current.disclosureAt == nil {
                        current.disclosureAt = stamp
                    }
                    current.updatedAt = stamp
                    try current.update(db)
                    _ = try transition(carried, to: .published, kind: "status", note: "published", in: db)
                    try Self.record(db, carried, at: stamp, actor: member.name, kind: "published",
                                    summary: "published \(manifest.versions.joined(separator: ", ")) to \(remoteName)"
                                        + (options.early ? " before the disclosure time: \(options.reason ?? "")" : ""))
                    try db.execute(sql: "INSERT OR IGNORE INTO publication_steps (advisory, prerelease, step, done_at, detail) VALUES (?, ?, ?, ?, '')",
                                   arguments: [carried, seq, PublicationStep.marked.rawValue, stamp])
                }
                report.steps.append("marked \(carried) published")
            } else if try !journal(carried, prerelease: seq).contains(.marked) {
                try self.recordStep(carried, seq, .marked)
            }
        }
        if !options.dryRun { onStep(.marked) }

        // 5. The public documents: with several advisories, each one's in a folder of its own.
        for (carried, seq) in rows {
            let directory = together.count == 1 ? outDirectory
                : options.outputDirectory.map { $0.appendingPathComponent(carried) }
                ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("\(carried)-public")
            let documents = try publicDocuments(carried, built: release, releases: carried == advisory.id ? try releases() : try self.releases(for: carried))
            if options.dryRun {
                report.steps.append("would write \(documents.map(\.0).joined(separator: ", ")) to \(directory.path)")
                continue
            }
            try SafeFile.makePrivateDirectory(directory)
            for (name, text) in documents {
                try SafeFile.replaceAtomically(directory.appendingPathComponent(name), bytes: Array(text.utf8), mode: 0o644)
                report.files.append(directory.appendingPathComponent(name).path)
            }
            if try !journal(carried, prerelease: seq).contains(.exported) { try self.recordStep(carried, seq, .exported, detail: directory.path) }
            report.steps.append("wrote \(documents.count) public documents to \(directory.path)")
        }
        if !options.dryRun { onStep(.exported) }

        // 6. The guard no longer needs to hold this advisory's patches back.
        if options.dryRun {
            report.steps.append("would refresh the pre-push guard of \(project.name)")
        } else {
            try refreshGuard(project: project.name)
            if !done.contains(.guarded) { try recordStep(.guarded) }
            report.steps.append("refreshed the pre-push guard")
            onStep(.guarded)
        }
        return report
    }

    /// What stops a dry run's publication, one line each: the first blocker's
    /// kind (exit code) and hint (the next command); nil when nothing does.
    static func blocked(_ id: String, _ blockers: [EmbargoError]) -> EmbargoError? {
        guard let first = blockers.first else { return nil }
        guard blockers.count > 1 else { return first }
        let lines = blockers.map { blocker in
            blocker.message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        }
        return EmbargoError(first.kind, "\(id) cannot be published yet; \(blockers.count) things stand in the way:\n" + lines.joined(separator: "\n"),
                            hint: first.hint)
    }

    /// The public advisory in every format, the release notes and the announcement.
    func publicDocuments(_ id: String, built: BuiltRelease, releases: [BranchReleases]) throws -> [(String, String)] {
        let (advisory, project) = try advisoryAndProject(id)
        var input = ExportInput(advisory: advisory, project: project, releases: releases,
                                severities: SeverityView.all(for: advisory), generatedAt: environment.clock.now(),
                                draft: advisory.status != .published)
        input.revisions = try revisions(advisory.id)
        var documents: [(String, String)] = [
            ("advisory.osv.json", try AdvisoryExporter.render(.osv, input)),
            ("advisory.csaf.json", try AdvisoryExporter.render(.csaf, input)),
            ("advisory.drupal.txt", try AdvisoryExporter.render(.drupal, input)),
            ("advisory.html", try AdvisoryExporter.render(.html, input)),
        ]
        if advisory.cveID != nil { documents.append(("advisory.cve.json", try AdvisoryExporter.render(.cve, input))) }
        for output in built.outputs {
            documents.append(("release-notes-\(output.release.plan.version).md", output.notes.markdown))
            documents.append(("release-notes-\(output.release.plan.version).html", output.notes.html))
        }
        let versions = releases.map(\.nextRelease)
        documents.append(("announcement.md", announcement(project, versions: versions, format: .markdown)))
        documents.append(("announcement.slack.txt", announcement(project, versions: versions, format: .slack)))
        return documents
    }

    /// The objects the remote's refs point to, from one `git ls-remote` for all of
    /// `refs` (full names; a tag maps to its tag object). Refs it lacks are absent.
    func remoteObjects(_ git: Git, url: String, refs: [String]) throws -> [String: String] {
        let result = try git.run(["ls-remote", "--", url] + refs)
        guard result.status == 0 else {
            throw EmbargoError(.failure, "cannot reach the remote \(url): \(firstLine(result.stderrText))",
                               hint: "check the network and the remote, then run the command again")
        }
        var objects: [String: String] = [:]
        // ls-remote matches the patterns against the ends of ref names: keep the exact names only.
        let wanted = Set(refs)
        for line in result.stdoutText.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "\t", maxSplits: 1)
            guard fields.count == 2, wanted.contains(String(fields[1])) else { continue }
            objects[String(fields[1])] = String(fields[0])
        }
        return objects
    }

    /// Another member who claimed the publication of `id` first: the
    /// earliest signed `publish.checked` entry since the last revert, while
    /// the advisory is not published; nil when that is this member or nobody.
    /// On a team store the trail is in the remote's order, so two publishers
    /// who claimed at once agree on who was first.
    public func publicationClaimant(_ id: String) throws -> String? {
        try store.read { db in
            let status = try String.fetchOne(db, sql: "SELECT status FROM advisories WHERE id = ?", arguments: [id])
            guard status != AdvisoryStatus.published.rawValue else { return nil }
            let revert = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_log WHERE object = ? AND action = 'advisory.revert'",
                                            arguments: [id]) ?? 0
            let first = try String.fetchOne(db, sql: """
                SELECT member FROM audit_log WHERE object = ? AND action = 'publish.checked' AND seq > ? ORDER BY seq LIMIT 1
                """, arguments: [id, revert])
            guard let first, first != member.name else { return nil }
            // The claim guards the push. A release tagged first is pushed; its SA may be
            // recorded by any member who may publish (a backup steps in for the tagger).
            let taggedFirst = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM audit_log WHERE object = ? AND action = 'publish.pushed' AND seq > ? AND detail LIKE ?)
                """, arguments: [id, revert, Self.tagFirst + "%"]) ?? false
            return taggedFirst ? nil : first
        }
    }

    func journal(_ id: String, prerelease: Int64) throws -> Set<PublicationStep> {
        try store.read { db in
            Set(try String.fetchAll(db, sql: "SELECT step FROM publication_steps WHERE advisory = ? AND prerelease = ?",
                                    arguments: [id, prerelease]).compactMap(PublicationStep.init))
        }
    }

    /// Deletes the tags `tags` (name, object) on the remote and in the
    /// repository, each only where it is still the object the tool made;
    /// returns what it did, one line each. A tag someone moved stays.
    func deleteTags(_ tags: [(name: String, object: String)], git: Git, remote: String) throws -> [String] {
        var actions: [String] = []
        if let url = try git.remoteURL(remote) {
            let onRemote = try remoteObjects(git, url: url, refs: tags.map { "refs/tags/\($0.name)" })
            let ours = tags.filter { onRemote["refs/tags/\($0.name)"] == $0.object }
            if !ours.isEmpty {
                let delete = try git.run(["push", "--atomic", "--no-verify", url] + ours.map { ":refs/tags/\($0.name)" })
                guard delete.status == 0 else {
                    throw EmbargoError(.failure, "cannot delete the tags on \(remote): \(firstLine(delete.stderrText))",
                                       hint: "check your rights on the remote and run the command again")
                }
                actions.append("deleted tags \(ours.map(\.name).joined(separator: ", ")) on \(remote)")
            }
        }
        for tag in tags {
            let local = try git.run(["rev-parse", "--verify", "--quiet", "refs/tags/\(tag.name)"])
            if local.status == 0, local.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == tag.object {
                _ = try git.run(["tag", "--delete", "--", tag.name])
                actions.append("deleted local tag \(tag.name)")
            }
        }
        return actions
    }

    /// How the `pushed` step of a tag-first push (`release tag`) begins its detail
    /// (`pushedTagFirst` and `publicationClaimant` look for it).
    static let tagFirst = "tag first: "

    /// Whether the release of the pre-release `prerelease` was pushed tag first:
    /// its advisory is then published with the SA, at the disclosure time.
    func pushedTagFirst(_ id: String, prerelease: Int64) throws -> Bool {
        try store.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM publication_steps WHERE advisory = ? AND prerelease = ? AND step = 'pushed' AND detail LIKE ?)
                """, arguments: [id, prerelease, Self.tagFirst + "%"])
        } ?? false
    }

    /// Why a `pushed` step on record is not borne out by the public remote
    /// `url` (its refs as in `onRemote`): it holds none of the release's tags
    /// as reviewed. Such a record is false (a member recorded a push that never
    /// happened, or one to another address, which the record's own text cannot
    /// prove) or the tags were deleted by hand; either way nothing may be
    /// decided on it (a publication going out before its time, a revert
    /// refused). Nil when there is no such record or the remote bears it out.
    func pushRecordDisproof(_ id: String, _ prerelease: PrereleaseRecord, url: String, onRemote: [String: String]) throws -> EmbargoError? {
        let detail = try store.read { db in
            try String.fetchOne(db, sql: "SELECT detail FROM publication_steps WHERE advisory = ? AND prerelease = ? AND step = 'pushed'",
                                arguments: [id, prerelease.seq])
        }
        guard let detail else { return nil }
        let recordedURL = detail.hasPrefix(Self.tagFirst) ? String(detail.dropFirst(Self.tagFirst.count)) : detail
        let tags = prerelease.manifest.branches.map(\.tagName)
        // The reviewed tag objects; a publication before its time pushed the release dated
        // anew, whose tags are other objects of the same names.
        let early = try earlyPublicationDate(id, prerelease: prerelease.seq) != nil
        guard !prerelease.manifest.branches.contains(where: { branch in
            onRemote["refs/tags/\(branch.tagName)"].map { early || $0 == branch.tagObject } ?? false
        }) else { return nil }
        let who = try pushRecorder(id)
        let elsewhere = recordedURL == url ? "" : " to \(EmbargoError.quoted(recordedURL))"
        let held = tags.contains { onRemote["refs/tags/\($0)"] != nil } ? "none of its tags as reviewed" : "none of its tags"
        return EmbargoError(.verification, "\(id)'s release is on record as pushed\(elsewhere) (by \(who)), but \(url) holds \(held) (\(tags.joined(separator: ", ")))",
                           hint: "nothing was pushed or changed; the record is false or the tags were deleted by hand: 'embargo audit --advisory \(id)' shows who recorded it, ask a store admin to check")
    }

    /// Who recorded the latest push of `id`'s release (its signed audit entry), for errors.
    func pushRecorder(_ id: String) throws -> String {
        let member = try store.read { db in
            try String.fetchOne(db, sql: "SELECT member FROM audit_log WHERE object = ? AND action = 'publish.pushed' ORDER BY seq DESC LIMIT 1",
                                arguments: [id])
        }
        return String((member ?? "a member").prefix(40))
    }

    /// When the release of the pre-release `prerelease` was pushed, or nil.
    func pushedAt(_ id: String, prerelease: Int64) throws -> String? {
        try store.read { db in
            try String.fetchOne(db, sql: "SELECT done_at FROM publication_steps WHERE advisory = ? AND prerelease = ? AND step = 'pushed'",
                                arguments: [id, prerelease])
        }
    }

    /// The release that tagged the advisory's current pre-release first, in
    /// drupal.org's order (the advisory waits for its SA), or nil.
    /// One query, for `advisory show`: no manifest is read.
    public func taggedFirstRelease(_ id: String) throws -> String? {
        try store.read { db in
            try String.fetchOne(db, sql: """
                SELECT r.release FROM release_advisories r WHERE r.advisory = ?1 AND EXISTS (
                    SELECT 1 FROM publication_steps s WHERE s.advisory = ?1 AND s.step = 'pushed' AND s.detail LIKE ?2
                    AND s.prerelease = (SELECT MAX(seq) FROM prereleases p WHERE p.advisory = ?1 AND p.superseded = 0))
                """, arguments: [id.uppercased(), Self.tagFirst + "%"])
        }
    }

    /// When a publication before the disclosure time was decided: the time its
    /// `checked` step was recorded, so that a publication finished later is
    /// dated the same. Nil for a publication on time.
    func earlyPublicationDate(_ id: String, prerelease: Int64) throws -> Date? {
        try store.read { db in
            try String.fetchOne(db, sql: """
                SELECT done_at FROM publication_steps
                WHERE advisory = ? AND prerelease = ? AND step = 'checked' AND detail LIKE 'early%'
                """, arguments: [id, prerelease])
        }.flatMap(Timestamp.parse)
    }

    /// Checks that a release made again at another time differs from the
    /// reviewed one in nothing but dates: the same tags, and on every branch
    /// and tag the same commits in order, each with the reviewed author,
    /// message and files, where CHANGELOG.md may differ only in its
    /// "Released DATE." line; each tag has the reviewed message.
    static func requireSameContent(reviewed: BuiltRelease, redated: BuiltRelease) throws {
        for (old, new) in zip(reviewed.outputs.map(\.release), redated.outputs.map(\.release)) {
            let released = { (release: BranchRelease) in
                "Released \(ReleaseNotes.dateText(Date(timeIntervalSince1970: TimeInterval(release.plan.timestamp)))).\n"
            }
            /// Per commit from the base to the tip: its author and message, then each file.
            func content(_ clone: PrivateClone, _ release: BranchRelease) throws -> [String] {
                var parts: [String] = []
                for tip in [release.branchHead, release.releaseCommit] {
                    let commits = try clone.git.output(["rev-list", "--topo-order", "\(release.plan.baseCommit)..\(tip)"])
                        .split(separator: "\n").map(String.init)
                    for commit in commits {
                        parts.append(try clone.git.output(["log", "-1", "--format=%an <%ae>%n%B", commit]))
                        for entry in try clone.git.output(["ls-tree", "-r", "--full-tree", commit]).split(separator: "\n") {
                            guard entry.hasSuffix("\tCHANGELOG.md"), let blob = entry.split(separator: " ").dropFirst(2).first?.prefix(while: { $0 != "\t" }) else {
                                parts.append(String(entry))
                                continue
                            }
                            // The changelog's date line is read as the date it stands for.
                            let text = try clone.git.output(["cat-file", "blob", String(blob)]) + "\n"
                            parts.append("CHANGELOG.md\n" + text.replacingOccurrences(of: released(release), with: "Released (the release date).\n"))
                        }
                    }
                }
                let tag = try clone.git.output(["cat-file", "tag", release.tagObject])
                parts.append(tag.split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !$0.hasPrefix("tagger ") && !$0.hasPrefix("object ") }.joined(separator: "\n"))
                return parts
            }
            guard old.tagName == new.tagName, old.plan.baseCommit == new.plan.baseCommit,
                  try content(reviewed.clone, old) == content(redated.clone, new)
            else {
                throw EmbargoError(.verification, "the release of \(old.plan.branch) made at the publication time differs from the reviewed one in more than its dates",
                                   hint: "nothing was pushed; the build depends on the date: publish at the disclosure time, or build a new pre-release for the security team")
            }
        }
    }

    func recordStep(_ id: String, _ prerelease: Int64, _ step: PublicationStep, detail: String = "") throws {
        try audited("publish.\(step.rawValue)", id, detail: detail) { db in
            try db.execute(sql: "INSERT OR IGNORE INTO publication_steps (advisory, prerelease, step, done_at, detail) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, prerelease, step.rawValue, now, detail])
        }
    }

    // MARK: Revert

    /// Before publication: deletes the release tags wherever the tool put
    /// them and returns the advisory to ready (the pre-release and its
    /// approvals no longer count). After publication it refuses: fix forward.
    public func revert(_ id: String, remote: String? = nil) throws -> [String] {
        try Permissions.require(.revert, by: member)
        let (advisory, project) = try advisoryAndProject(id)
        if advisory.status == .published {
            throw EmbargoError(.refused, "advisory \(advisory.id) is published; a published release cannot be reverted",
                               hint: "fix forward with a new release")
        }
        guard [.prereleased, .approved].contains(advisory.status), let prerelease = try currentPrerelease(advisory.id) else {
            throw EmbargoError(.refused, "advisory \(advisory.id) is \(advisory.status.rawValue); there is no release to revert")
        }
        // Once a publication pushed the release commits, deleting tags hides nothing: the fix
        // is public and the only way on is to finish. A release tagged first, in drupal.org's
        // order, may be taken back until its SA is out.
        let taggedFirst = try pushedTagFirst(advisory.id, prerelease: prerelease.seq)
        let remoteName = remote ?? project.remote
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        // A push on record that the public remote disproves (none of the reviewed tags there)
        // is no reason to refuse: the revert goes on and says so.
        var disproved: EmbargoError?
        if let step = try publicationStep(advisory.id), !taggedFirst {
            if let url = try git.remoteURL(remoteName) {
                disproved = try pushRecordDisproof(advisory.id, prerelease, url: url,
                                                   onRemote: try remoteObjects(git, url: url, refs: prerelease.manifest.branches.map { "refs/tags/\($0.tagName)" }))
            }
            if disproved == nil {
                let pushed = try pushedAt(advisory.id, prerelease: prerelease.seq) ?? "earlier"
                throw EmbargoError(.refused, "the fix of \(advisory.id) is public: its release branches and tags were pushed at \(pushed) (the publication stopped after '\(step)'); the embargo is broken and a revert would hide nothing",
                                   hint: "finish now with 'embargo publish \(advisory.id)' and tell the security team ('embargo broken \(advisory.id) --reason TEXT' records it)")
            }
        }
        var actions = try deleteTags(prerelease.manifest.branches.map { ($0.tagName, $0.tagObject) }, git: git, remote: remoteName)
        if let disproved { actions.insert("warning: \(disproved.message); reverted all the same ('embargo audit --advisory \(advisory.id)' shows who recorded it)", at: 0) }
        // Tagged first, in drupal.org's order, and the SA not out: the tags go; the release
        // commits stay on the branches, where whoever watched them saw the fix.
        if taggedFirst {
            let pushed = try pushedAt(advisory.id, prerelease: prerelease.seq) ?? "earlier"
            actions.append("the release commits stay on \(prerelease.manifest.branches.map(\.plan.branch).joined(separator: ", ")), public since \(pushed): tell the security team")
        }
        // Advisories released together share the tags, so they go back together.
        let together = try releasedTogether(advisory.id).filter { carried in
            try [.prereleased, .approved].contains(carried.status) && currentPrerelease(carried.id)?.manifestHash == prerelease.manifestHash
        }
        let stamp = now
        let detail = actions.joined(separator: "; ")
        try audited("advisory.revert", advisory.id, detail: detail) { db in
            for carried in together {
                if carried.id != advisory.id { try appendAudit(db, "advisory.revert", carried.id, detail: detail) }
                try Self.setAsidePrereleases(db, of: carried.id)
                try Self.record(db, carried.id, at: stamp, actor: member.name, kind: "reverted",
                                summary: "release reverted" + (actions.isEmpty ? "" : ": " + actions.joined(separator: "; ")))
                _ = try transition(carried.id, to: .ready, kind: "status", note: "release reverted", in: db)
            }
        }
        actions += together.filter { $0.id != advisory.id }.map { "\($0.id), released with \(advisory.id), is ready again" }
        actions.append("\(advisory.id) is ready again")
        return actions
    }

    // MARK: Notes and announcement

    /// The release notes of each branch, from the history between the
    /// previous release and the release commit (built in a private clone).
    public func releaseNotes(_ id: String) throws -> [ReleaseNotes] {
        let (advisory, project) = try advisoryAndProject(id)
        let plans = try currentPrerelease(advisory.id)?.manifest.branches.map(\.plan)
        let built = try buildRelease(advisory, project, plans: plans)
        defer { built.clone.remove() }
        return built.outputs.map(\.notes)
    }

    public enum AnnouncementFormat: String, CaseIterable, Sendable {
        case slack, markdown
    }

    /// The chat message after publication: versions and links, no detail
    /// about the vulnerability (the leak linter checks it before publishing).
    public func announcement(_ id: String, format: AnnouncementFormat) throws -> String {
        let (advisory, project) = try advisoryAndProject(id)
        return announcement(project, versions: try releases(for: advisory.id).map(\.nextRelease), format: format)
    }

    func announcement(_ project: Project, versions: [String], format: AnnouncementFormat) -> String {
        let name = project.packageName
        let links = versions.map { ($0, "https://www.drupal.org/project/\(name)/releases/\($0)") }
        let list = versions.count == 1 ? versions[0] : versions.dropLast().joined(separator: ", ") + " and " + versions.last!
        switch format {
        case .markdown:
            return "New releases of **\(name)** are out: \(list). Everyone using \(name) should update now.\n\n"
                + links.map { "- [\(name) \($0.0)](\($0.1))" }.joined(separator: "\n") + "\n"
        case .slack:
            return ":package: New releases of *\(name)* are out: \(list). Everyone using \(name) should update now.\n"
                + links.map { "• <\($0.1)|\(name) \($0.0)>" }.joined(separator: "\n") + "\n"
        }
    }
}
