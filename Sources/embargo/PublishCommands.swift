import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve the current pre-release (security role), or record an external security team's approval.",
            discussion: """
                An approval is bound to the current pre-release manifest; a new pre-release voids it.

                Example:
                  embargo approve ADV-2026-001
                  embargo approve ADV-2026-001 --external "Drupal Security Team" --ref https://security.drupal.org/node/12345
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("Record the approval of this external team.", valueName: "name")) var external: String?
        @Option(name: .customLong("ref"), help: ArgumentHelp("Evidence of the external approval (URL).", valueName: "url")) var evidence: String?

        func validate() throws {
            if (external == nil) != (evidence == nil) { throw ValidationError("--external and --ref go together") }
        }

        func run() throws {
            let approval = try location.workspace().approve(id, external: external, evidence: evidence)
            if output.json {
                try Terminal.printJSON(["approval": approval])
            } else {
                print("approved pre-release \(approval.prerelease) of \(id.uppercased())" + (approval.external.map { " for \($0)" } ?? ""))
            }
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish the approved pre-release: verify it is what was reviewed, push every branch and tag at once, write the public advisory.",
            discussion: """
                Refused before the disclosure time (exit 3) unless --early --reason; refused if a branch
                moved or a rebuilt release differs from the manifest (exit 4), before anything is pushed.
                Publication keeps a journal: run it again after an interruption to finish the job.

                Example:
                  embargo publish ADV-2026-001 --dry-run
                  embargo publish ADV-2026-001 --out ./public
                """
        )

        @OptionGroup var location: StoreOptions
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

        func validate() throws {
            if early, reason == nil { throw ValidationError("--early needs --reason TEXT") }
        }

        func run() throws {
            var options = PublishOptions()
            options.dryRun = dryRun
            options.remote = remote
            options.outputDirectory = out.map { URL(fileURLWithPath: $0) }
            options.early = early
            options.reason = reason
            options.acceptedFindings = Set(acceptedFindings)
            let stopAfter = Settings.value("EMBARGO_STOP_AFTER_STEP")
            let report = try location.workspace().publish(id, options: options, progress: { Progress.step($0) }) { step in
                // Crash-recovery tests stop the process right after a journal step.
                if step.rawValue == stopAfter { kill(getpid(), SIGKILL) }
            }
            if output.json {
                try Terminal.printJSON(["publication": report])
            } else if report.alreadyPublished {
                print("\(report.advisory) is already published; nothing to do")
            } else {
                for step in report.steps { print((dryRun ? "[dry run] " : "") + step) }
                if !dryRun { print("published \(report.advisory)") }
            }
        }
    }

    struct Revert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Before publication: delete the release tags (locally and on the remote) and return the advisory to ready.",
            discussion: """
                After publication this is refused (exit 3): fix forward.

                Example:
                  embargo revert ADV-2026-001
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("The remote to delete tags from (default: the project's).", valueName: "name")) var remote: String?

        func run() throws {
            for action in try location.workspace().revert(id, remote: remote) { print(action) }
        }
    }

    struct Notes: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release notes from the history between the previous release and the release commit.",
            discussion: """
                Issues come from 'Issue #NNN by a, b: Summary' commit messages; breaking changes go to
                an Upgrade path section. Security fixes appear only under their neutral messages.

                Example:
                  embargo notes ADV-2026-001 --format html
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, html }

        @OptionGroup var location: StoreOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: "markdown or html.") var format: Format = .markdown

        func run() throws {
            let notes = try location.workspace().releaseNotes(id)
            print(notes.map { format == .html ? $0.html : $0.markdown }.joined(separator: "\n"), terminator: "")
        }
    }

    struct Announce: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The chat announcement: released versions and links, no security detail.",
            discussion: """
                Example:
                  embargo announce ADV-2026-001 --format slack
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: "slack or markdown.") var format: String = "markdown"

        func validate() throws {
            if Workspace.AnnouncementFormat(rawValue: format) == nil { throw ValidationError("--format is slack or markdown") }
        }

        func run() throws {
            print(try location.workspace().announcement(id, format: Workspace.AnnouncementFormat(rawValue: format)!), terminator: "")
        }
    }
}
