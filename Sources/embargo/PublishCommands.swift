import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve",
            abstract: "Approve the pre-release you reviewed (security role), or record an external security team's approval.",
            discussion: """
                An approval is bound to the manifest you reviewed: pass the bundle you opened,
                or the SHA-256 of its manifest.json. On a terminal without either, the current
                manifest's hash is shown for you to confirm. Whoever built the pre-release or
                added its patches cannot approve it. A new pre-release, or a change to the
                advisory's public texts, voids it.

                An outside team's approval is recorded with its registered approver's minisign
                signature over manifest.json (see 'member add --external'), or, with only a URL
                as evidence, by a second member who did not prepare the release.

                Example:
                  embargo approve ADV-2026-001 --bundle sample-1.0.2.prerelease.tar.age
                  embargo approve ADV-2026-001 --sha256 3f5c...e1
                  embargo approve ADV-2026-001 --external drupal-sec \\
                    --signature manifest.json.minisig
                  embargo approve ADV-2026-001 --external "Drupal Security Team" \\
                    --ref https://security.drupal.org/node/1 --sha256 3f5c...e1
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("The pre-release bundle you reviewed (decrypted and verified with your identity).", valueName: "file"))
        var bundle: String?
        @Option(name: .customLong("sha256"), help: ArgumentHelp("The SHA-256 of the manifest.json you reviewed.", valueName: "hash"))
        var manifestSHA256: String?
        @Option(help: ArgumentHelp("The external team, or registered external approver, whose approval this is.", valueName: "name"))
        var external: String?
        @Option(name: .customLong("ref"), help: ArgumentHelp("Evidence of the external approval (URL).", valueName: "url")) var evidence: String?
        @Option(help: ArgumentHelp("The external approver's minisign signature over manifest.json.", valueName: "file"))
        var signature: String?

        func validate() throws {
            if bundle != nil, manifestSHA256 != nil { throw ValidationError("pass --bundle or --sha256, not both") }
            if let hash = manifestSHA256, hash.wholeMatch(of: /[0-9a-fA-F]{64}/) == nil {
                throw ValidationError("--sha256 takes the 64 hex digits of manifest.json's SHA-256")
            }
            if signature != nil {
                if external == nil { throw ValidationError("--signature needs --external NAME, the registered external approver") }
                if evidence != nil { throw ValidationError("--signature and --ref do not go together") }
            } else if (external == nil) != (evidence == nil) {
                throw ValidationError("--external and --ref go together (or --external NAME --signature FILE)")
            }
        }

        func run() throws {
            let workspace = try location.workspace()
            try TeamAutoSync.syncFirst(workspace, for: "approve")
            var request = ApprovalRequest(external: external, evidence: evidence)
            if let signature {
                guard let bytes = try SafeFile.read(URL(fileURLWithPath: signature), limit: 4096) else {
                    throw EmbargoError(.failure, "no signature file at \(signature)")
                }
                request.signature = String(decoding: bytes, as: UTF8.self)
            } else if let manifestSHA256 {
                request.manifestSHA256 = manifestSHA256.lowercased()
            } else if let bundle {
                guard let bytes = try SafeFile.read(URL(fileURLWithPath: bundle)) else {
                    throw EmbargoError(.failure, "no bundle at \(bundle)")
                }
                let report = try BundleVerifier.verify(bytes, identity: workspace.identity.age, signers: try workspace.signingKeys(),
                                                       store: workspace.notAddressed)
                request.manifestSHA256 = report.manifestSHA256
            } else if isatty(STDIN_FILENO) == 1, let current = try workspace.currentManifestHash(id) {
                Terminal.note("pre-release \(current.prerelease) of \(id.uppercased()): manifest.json sha256 \(current.sha256)")
                FileHandle.standardError.write(Data("approve exactly this manifest? [y/N] ".utf8))
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    throw EmbargoError(.refused, "not approved", hint: "compare the hash with 'sha256sum manifest.json' in the bundle you reviewed")
                }
                request.manifestSHA256 = current.sha256
            }
            let (approval, again) = try workspace.approve(id, request)
            workspace.refreshInstalledGuard(advisory: id)
            let advisory = try workspace.advisory(id)
            if output.json {
                try Terminal.printJSON(ApprovalReport(approval: approval, alreadyRecorded: again))
            } else if again {
                Terminal.say("pre-release \(approval.prerelease) of \(advisory.id) is already approved by \(approval.approvedBy)"
                    + (approval.external.map { " for \($0)" } ?? "") + " (\(approval.approvedAt)); nothing was recorded")
            } else {
                Terminal.say("approved pre-release \(approval.prerelease) of \(advisory.id) (manifest \(approval.manifestHash))"
                    + (approval.external.map { " for \($0)" } ?? ""))
                Terminal.say("next: " + NextStep.afterApprove(advisory, release: try workspace.releaseOf(advisory: advisory.id), now: Date()))
            }
        }
    }

    /// `approve --json`: the approval, and whether it stood already.
    struct ApprovalReport: Encodable {
        let approval: Approval
        let alreadyRecorded: Bool

        enum CodingKeys: String, CodingKey {
            case approval
            case alreadyRecorded = "already_recorded"
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish",
            abstract: "Publish the approved pre-release: verify it is what was reviewed, push every branch and tag at once, write the public advisory.",
            discussion: """
                Refused before the disclosure time (exit 3) unless --early --reason; refused if
                a branch moved or a rebuilt release differs from the manifest (exit 4), before
                anything is pushed. Publication keeps a journal: run it again after an
                interruption to finish the job.

                Example:
                  embargo publish ADV-2026-001 --dry-run
                  embargo publish ADV-2026-001 --out ./public
                """
        )

        @OptionGroup var location: StoreOptions

        @OptionGroup var repository: RepositoryOption
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Flag(help: "Print every step without changing anything.") var dryRun = false
        @Option(help: ArgumentHelp("Push to this remote instead of the project's.", valueName: "name")) var remote: String?
        @Option(help: ArgumentHelp("Directory for the public advisory, release notes and announcement (default: ./ID-public).", valueName: "dir"))
        var out: String?
        @Flag(help: "Publish before the disclosure time (needs --reason).") var early = false
        @Option(help: ArgumentHelp("Why the release goes out early (recorded).", valueName: "text")) var reason: String?
        @Option(name: .customLong("accept-finding"), help: ArgumentHelp("Accept a lint finding by its key (repeat).", valueName: "key"))
        var acceptedFindings: [String] = []
        @Flag(help: "Use the branches as last fetched (by default the remote is fetched first).") var offline = false

        func validate() throws {
            if early, reason == nil { throw ValidationError("--early needs --reason TEXT") }
        }

        func run() throws {
            var options = PublishOptions()
            options.offline = offline
            options.dryRun = dryRun
            options.remote = remote
            options.outputDirectory = out.map { URL(fileURLWithPath: $0) }
            options.early = early
            options.reason = reason
            options.acceptedFindings = Set(acceptedFindings)
            let stopAfter = Settings.value("EMBARGO_STOP_AFTER_STEP")
            let workspace = try location.workspace(repository)
            if dryRun {
                // A rehearsal looks at the team's newest state when it can, and at this machine's when offline.
                try TeamAutoSync.syncFirst(workspace, for: "publish --dry-run", offlineAllowed: true)
            } else {
                try TeamAutoSync.syncFirst(workspace, for: "publish")
                workspace.onClaim = { id in try TeamAutoSync.claim(workspace, id) }
            }
            let advisory = try workspace.advisory(id)
            if advisory.status != .published {
                Terminal.warnUnset(try workspace.unsetPublicFields(id), of: advisory.id, when: dryRun ? "would go public" : "goes public")
            }
            let report = try workspace.publish(id, options: options, progress: { Progress.step($0) }) { step in
                // Crash-recovery tests stop the process right after a journal step.
                if step.rawValue == stopAfter { kill(getpid(), SIGKILL) }
            }
            if output.json {
                try Terminal.printJSON(["publication": report])
            } else if report.alreadyPublished {
                Terminal.say("\(report.advisory) is already published; nothing to do")
            } else {
                for step in report.steps { Terminal.say((dryRun ? "[dry run] " : "") + step) }
                if !dryRun { Terminal.say("published \(report.advisory)") }
            }
        }
    }

    struct Revert: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revert",
            abstract: "Before publication: delete the release tags (locally and on the remote) and return the advisory to ready.",
            discussion: """
                After publication this is refused (exit 3): fix forward.

                Example:
                  embargo revert ADV-2026-001
                """
        )

        @OptionGroup var location: StoreOptions

        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("The remote to delete tags from (default: the project's).", valueName: "name")) var remote: String?

        func run() throws {
            for action in try location.workspace(repository).revert(id, remote: remote) { Terminal.say(action) }
        }
    }

    struct Notes: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notes",
            abstract: "Release notes from the history between the previous release and the release commit.",
            discussion: """
                As drupal.org's release-notes tools make them: issues resolved, contributors
                with counts and profile links, sections by type, Upgrade Path, organizations
                (from 'embargo people import FILE') and stats. Commit messages are read in both
                drupal.org formats: 'fix: #NNN Summary' with one 'By: username' line per
                credited person (feat: New Features, fix: Bugs, task: Tasks, other types
                titled from the type), and the older 'Issue #NNN by a, b: Summary' (listed
                under Changes). Issues marked '(Breaking Change)' or '(BC)' go to Upgrade
                Path too. A commit in neither format is listed by its subject under Other
                Commits, its author as contributor: a security fix appears only under its
                neutral message.

                A release id (REL-...) gives the notes of that release: to its tags once
                tagged, else to the branch heads; a breaking change's upgrade path is the one
                attached with 'embargo release upgrade-path REL --issue N --file F'.

                Example:
                  embargo notes ADV-2026-001 --format html
                  embargo notes REL-2026-004
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, html }

        @OptionGroup var location: StoreOptions

        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The advisory or release id.") var id: String
        @Option(help: "markdown or html.") var format: Format = .markdown

        func run() throws {
            let workspace = try location.workspace(repository)
            let notes = try id.uppercased().hasPrefix("REL-") ? workspace.releaseNotes(release: id) : workspace.releaseNotes(id)
            Terminal.document(notes.map { format == .html ? $0.html : $0.markdown }.joined(separator: "\n"))
        }
    }

    struct Announce: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "announce",
            abstract: "The chat announcement: released versions and links, no security detail.",
            discussion: """
                With --pre, the advance notice before the release: project, date and time,
                highest severity level and affected branches, nothing else; at least 24 hours
                before the release (any time on the emergency path), linted, and recorded on
                the timeline.

                Example:
                  embargo announce ADV-2026-001 --format slack
                  embargo announce ADV-2026-001 --pre
                """
        )

        @OptionGroup var location: StoreOptions

        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The advisory id.") var id: String
        @Option(help: "slack or markdown.") var format: String = "markdown"
        @Flag(help: "The pre-announcement of an upcoming security release.") var pre = false

        func validate() throws {
            if Workspace.AnnouncementFormat(rawValue: format) == nil { throw ValidationError("--format is slack or markdown") }
        }

        func run() throws {
            let workspace = try location.workspace(repository)
            let chosen = Workspace.AnnouncementFormat(rawValue: format)!
            Terminal.document(try pre ? workspace.preAnnouncement(id, format: chosen) : workspace.announcement(id, format: chosen))
        }
    }
}
