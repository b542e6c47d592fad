import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct PatchCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "patch",
            abstract: "Keep an advisory's private fix as an encrypted patch series per branch.",
            subcommands: [Add.self, Replace.self, List.self, Show.self, Remove.self, Verify.self, Checkout.self]
        )
    }
}

extension Embargo.PatchCommands {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add commits (BASE..REF of the project's repository) or a patch file to a branch's series.",
            discussion: """
                With --from-ref the commits come from 'git format-patch'; the default base is
                the merge base of REF with the branch. With --file, an mbox from 'git
                format-patch' or a plain unified diff (then --message and --author are
                required).

                Example:
                  embargo patch add ADV-2026-001 --branch 1.1.x --from-ref wip/1.1.x
                  embargo patch add ADV-2026-001 --branch 1.0.x --file fix.diff \\
                    --message "Improve greeting output" --author "Sam <sam@example.org>"
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var repository: RepositoryOption
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("The release branch the series is for.", valueName: "branch")) var branch: String
        @OptionGroup var source: PatchSource

        func run() throws {
            try PatchOutput.list(try source.store(location.workspace(repository), id, branch: branch, replacing: nil), json: output.json)
        }
    }

    struct Replace: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replace",
            abstract: "Put new commits or a patch file in the place of patch N of a branch's series.",
            discussion: """
                The patches after N move down when more than one comes in. Takes the same
                sources as 'patch add'.

                Example:
                  embargo patch replace ADV-2026-001 --branch 1.1.x 2 --from-ref wip/1.1.x
                """
        )

        @OptionGroup var location: StoreOptions

        @OptionGroup var repository: RepositoryOption
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("The release branch.", valueName: "branch")) var branch: String
        @Argument(help: "The position of the patch to replace.") var position: Int
        @OptionGroup var source: PatchSource

        func run() throws {
            try PatchOutput.list(try source.store(location.workspace(repository), id, branch: branch, replacing: position), json: output.json)
        }
    }

    /// Where new patches come from: commits of the project's repository, or a file.
    struct PatchSource: ParsableArguments {
        @Option(help: ArgumentHelp("Take the commits up to this ref.", valueName: "ref")) var fromRef: String?
        @Option(help: ArgumentHelp("Start after this ref (default: the merge base with the branch).", valueName: "ref")) var base: String?
        @Option(help: ArgumentHelp("Read an mbox or a unified diff from this file ('-' for standard input).", valueName: "path")) var file: String?
        @Option(help: ArgumentHelp("Commit message for a plain diff (keep it neutral).", valueName: "text")) var message: String?
        @Option(help: ArgumentHelp("Author of a plain diff, 'Name <email>'.", valueName: "author")) var author: String?

        func validate() throws {
            if (fromRef == nil) == (file == nil) { throw ValidationError("give exactly one of --from-ref REF and --file PATH") }
            if base != nil, fromRef == nil { throw ValidationError("--base goes with --from-ref") }
        }

        func store(_ workspace: Workspace, _ id: String, branch: String, replacing: Int?) throws -> [PatchRecord] {
            if let fromRef {
                return try workspace.addPatches(id, branch: branch, fromRef: fromRef, base: base, replacing: replacing) { Terminal.warn($0) }
            }
            return try workspace.addPatches(id, branch: branch, file: try InputFile.read(file!, limit: Limits.patchBytes, what: "a patch"),
                                            message: message, author: author, replacing: replacing)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List an advisory's patch series.",
            discussion: """
                Example:
                  embargo patch list ADV-2026-001 --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String

        func run() throws {
            try PatchOutput.list(location.workspace().patches(id), json: output.json)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print a branch's series as an mbox, or patch N of it.",
            discussion: """
                Example:
                  embargo patch show ADV-2026-001 --branch 1.1.x 1 | git apply --stat
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("The release branch.", valueName: "branch")) var branch: String
        @Argument(help: "The patch's position in the series (default: the whole series).") var position: Int?

        func run() throws {
            Terminal.document(try location.workspace().patchText(id, branch: branch, position: position))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove patch N from a branch's series.",
            discussion: """
                Example:
                  embargo patch remove ADV-2026-001 --branch 1.1.x 2
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("The release branch.", valueName: "branch")) var branch: String
        @Argument(help: "The patch's position in the series.") var position: Int

        func run() throws {
            try location.workspace().removePatch(id, branch: branch, position: position)
            Terminal.say("removed patch \(position) from \(branch)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Apply each series onto its branch's head in a throwaway clone and run the project's tests there.",
            discussion: """
                The clone lives in a 0700 temporary directory removed afterwards (also on
                failure or interrupt); the project's repository gains no object and no ref.
                Exit 1 when a series conflicts or the tests fail.

                Example:
                  embargo patch verify ADV-2026-001
                """
        )

        @OptionGroup var location: StoreOptions

        @OptionGroup var repository: RepositoryOption
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Flag(help: "Use the branches as last fetched (by default the project's remote is fetched first).") var offline = false

        func run() throws {
            let checks = try location.workspace(repository).verifyPatches(id, offline: offline) { Progress.step($0) }
            if output.json {
                try Terminal.printJSON(["branches": checks])
            } else {
                for check in checks {
                    var line = "\(check.branch): \(check.result.rawValue) (\(check.patches) patch(es) on \(check.head.prefix(12)))"
                    if !check.conflictingFiles.isEmpty { line += ", conflicts in \(check.conflictingFiles.joined(separator: ", "))" }
                    Terminal.say(line)
                    if check.result == .testsFailed, location.verbose {
                        // All of it: the tests ran in a throwaway clone, and this goes to the terminal only.
                        for line in check.testOutput.split(separator: "\n", omittingEmptySubsequences: false) { Terminal.say("    \(line)") }
                    } else if check.result == .testsFailed || check.result == .conflict {
                        for detail in check.detail.split(separator: "\n") { Terminal.say("    \(detail)") }
                    }
                }
            }
            if let bad = checks.first(where: { $0.result == .conflict }) {
                throw EmbargoError(.failure, "the series for \(bad.branch) does not apply",
                                   hint: "fix the series with 'embargo patch remove \(id.uppercased()) --branch \(bad.branch) N' and 'embargo patch add \(id.uppercased()) --branch \(bad.branch) --from-ref REF', then run 'embargo patch verify \(id.uppercased())' again")
            }
            if let bad = checks.first(where: { $0.result == .testsFailed }) {
                throw EmbargoError(.failure, "the project's tests fail on \(bad.branch) with the series applied (the last lines of their output are above)",
                                   hint: "see whether the fix or the test setup fails: '--verbose' prints the whole output; a branch that needs another command gets one with 'embargo project set PROJECT --test-command CMD' (or 'embargo project local PROJECT --test-command CMD' for this machine)")
            }
        }
    }

    struct Checkout: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkout",
            abstract: "Recreate a local branch with a series applied, for further work.",
            discussion: """
                The fix is then in your local repository: never push that branch before release
                day ('embargo guard install --project P' refuses such pushes).

                Example:
                  embargo patch checkout ADV-2026-001 --branch 1.1.x --as wip/greeting
                """
        )

        @OptionGroup var location: StoreOptions

        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("The release branch.", valueName: "branch")) var branch: String
        @Option(name: .customLong("as"), help: ArgumentHelp("Name of the local branch (default: wip/BRANCH).", valueName: "name")) var name: String?

        func run() throws {
            let created = try location.workspace(repository).checkoutPatches(id, branch: branch, as: name)
            Terminal.say("created local branch \(created)")
            Terminal.warn("the embargoed fix is now in your local repository as branch \(created); do not push it before publication")
        }
    }
}

enum PatchOutput {
    static func list(_ records: [PatchRecord], json: Bool) throws {
        if json {
            try Terminal.printJSON(["patches": records])
        } else {
            Terminal.printTable(["BRANCH", "N", "SUBJECT", "AUTHOR", "FILES", "BYTES"], records.map {
                [$0.branch, String($0.position), $0.subject, $0.author, $0.files.joined(separator: ","), String($0.size)]
            })
        }
    }
}

/// Progress of long steps on standard error, only when it is a terminal.
enum Progress {
    static func step(_ text: String) {
        guard isatty(STDERR_FILENO) == 1 else { return }
        FileHandle.standardError.write(Data("embargo: \(text)\n".utf8))
    }
}
