import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct GuardCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "guard",
            abstract: "Refuse pushes that carry an embargoed fix before its advisory is published.",
            discussion: """
                The guard compares the 'git patch-id --stable' of every pushed commit
                with salted hashes of the embargoed patches' ids, and the pushed
                commits' changed lines, together, with salted hashes of each embargoed
                patch's hunks (whitespace ignored): a fix squashed into a larger commit,
                re-indented or split over several commits is refused too, with the
                share of the patch found. Both are kept in <git dir>/embargo/guard.json.
                'patch add' and 'patch remove' keep that list current; checking it
                needs no identity and no store.

                Example:
                  embargo guard install --project ai
                  embargo guard check --repo ~/src/ai
                """,
            subcommands: [Install.self, Check.self]
        )
    }
}

extension Embargo.GuardCommands {
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Install the pre-push hook in a project's repository and write its guard list.",
            discussion: """
                The hook goes to the repository's hooks directory (core.hooksPath when
                set) and runs this embargo binary by its absolute path. A pre-push hook
                that was already there is kept as pre-push.embargo-chained and still
                runs, after the check, with the same arguments and input. Installing
                again replaces the hook and rewrites the list. 'git push --no-verify'
                skips every pre-push hook, this one included.

                Example:
                  embargo guard install --project ai
                """
        )

        @OptionGroup var location: StoreOptions
        @Option(help: ArgumentHelp("The project whose repository gets the hook.", valueName: "name")) var project: String

        func run() throws {
            let installed = try location.workspace().installGuard(project: project, executable: Self.executable())
            Terminal.say("installed the pre-push guard: \(installed.hook.path)")
            if let chained = installed.chained {
                Terminal.say("the previous pre-push hook is kept as \(chained.path) and runs after the check")
            }
            let advisories = installed.advisories.isEmpty ? "" : " (\(installed.advisories.joined(separator: ", ")))"
            Terminal.say("guarding \(installed.entries) embargoed patch(es)\(advisories); list in \(installed.list.path)")
        }

        /// The absolute path of the running binary, so the hook does not depend on PATH;
        /// `embargo` (looked up on PATH when the hook runs) where /proc is not available.
        static func executable() -> String {
            guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path.hasPrefix("/") else {
                return "embargo"
            }
            return path
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check commits against the guard list: a push (--hook) or every unpushed local commit.",
            discussion: """
                With --hook, reads git's pre-push lines
                ('<local ref> <local sha> <remote ref> <remote sha>') from standard input
                and checks the commits the push would send; REMOTE and URL are the
                hook's arguments. Without it, checks the commits of local branches that
                are on no remote-tracking branch and reports every hit. Exit 3 when a
                commit carries an embargoed fix. Never opens the store: no identity or
                passphrase is needed.

                Example:
                  embargo guard check --repo ~/src/ai
                  git push origin 1.1.x   # the hook runs 'embargo guard check --hook'
                """
        )

        @Option(help: ArgumentHelp("The repository or its git directory (default: the current directory).", valueName: "path"))
        var repo: String?
        @Flag(help: "Run as git's pre-push hook: read the pushed refs from standard input.") var hook = false
        @Argument(help: "The remote's name, as git passes it to the hook.") var remote: String?
        @Argument(help: "The remote's URL, as git passes it to the hook.") var url: String?

        func validate() throws {
            if remote != nil, !hook { throw ValidationError("REMOTE and URL go with --hook") }
        }

        func run() throws {
            let repository = URL(fileURLWithPath: repo ?? ".")
            let pushGuard = PushGuard(repository: repository, environment: Self.environment(explicitRepository: repo != nil))
            let report: GuardReport?
            if hook {
                let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                report = try pushGuard.check(push: PushUpdate.parse(input), remote: remote)
            } else {
                report = try pushGuard.checkUnpushed()
            }
            guard let report else {
                Terminal.note("no pre-push guard list in \(try pushGuard.listURL().path); nothing to check")
                return
            }
            guard report.refuses else {
                if !hook { Terminal.say("no embargoed fix in \(report.commits) unpushed commit(s)") }
                return
            }
            var lines = try report.hits.map { hit in
                var line = "commit \(hit.commit.prefix(12)) carries an embargoed fix of \(hit.advisory)"
                if !hook {
                    let branches = try pushGuard.branches(containing: hit.commit)
                    if !branches.isEmpty { line += " (on \(branches.joined(separator: ", ")))" }
                }
                return line
            }
            for hit in report.partialHits {
                let commits = hit.commits.map { String($0.prefix(12)) }
                let who = commits.count == 1 ? "commit \(commits[0]) carries" : "commits \(commits.joined(separator: ", ")) together carry"
                lines.append("\(who) \(Int((hit.share * 100).rounded(.down)))% of an embargoed fix of \(hit.advisory)")
            }
            for line in lines.dropLast() { Terminal.report(EmbargoError(.refused, line)) }
            let advisories = Array(Set(report.hits.map(\.advisory) + report.partialHits.map(\.advisory))).sorted().joined(separator: ", ")
            throw EmbargoError(
                .refused, lines.last ?? "an embargoed fix",
                hint: hook
                    ? "the fix stays private until \(advisories) is published; push without those changes"
                    : "do not push these commits before \(advisories) is published")
        }

        /// Git sets GIT_DIR and friends for some hooks, possibly relative to the
        /// directory the hook started in; with --repo naming the repository they
        /// would point git elsewhere, so they are dropped.
        static func environment(explicitRepository: Bool) -> EmbargoKit.Environment {
            var environment = Settings.environment()
            guard explicitRepository else { return environment }
            var variables = ProcessInfo.processInfo.environment
            for name in ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_PREFIX"] {
                variables.removeValue(forKey: name)
            }
            environment.childEnvironment = variables
            return environment
        }
    }
}
