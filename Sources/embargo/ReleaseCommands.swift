import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct ReleaseCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release",
            abstract: "Plan, tag, verify and publish releases of every kind (patch, critical, minor, major, security).",
            subcommands: [Plan.self, Add.self, Drop.self, List.self, Show.self, Tag.self, Verify.self, QA.self, Published.self, Revert.self, Node.self, Issue.self, Announce.self, UpgradePath.self, ChangeRecordCommand.self]
        )
    }
}

extension PlannedVersions.Stability: ExpressibleByArgument {}
extension ReleaseKind: ExpressibleByArgument {}

extension Embargo.ReleaseCommands {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Plan a release: its versions from the tags, its time checked against the calendar.",
            discussion: """
                Versions: patch, critical and security releases bump the patch number (1.2.3 ->
                1.2.4, 8.x-1.5 -> 8.x-1.6); minor is the next minor (a new branch 1.3.x when
                the project branches per minor); major the next major; --stability counts
                alpha, beta and rc on from the existing tags. A security release carries its
                advisories (--advisory); the others carry what the branch has.

                Example:
                  embargo release plan --project ai --kind patch --at 2026-12-09T16:00Z
                  embargo release plan --project ai --kind patch --next-window
                  embargo release plan --project ai --kind minor --branch 1.x --stability rc
                  embargo release plan --project ai --kind security --advisory ADV-2026-001
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var repository: RepositoryOption
        @Option(help: ArgumentHelp("The project.", valueName: "name")) var project: String
        @Option(help: ArgumentHelp("patch, critical, minor, major or security.", valueName: "kind")) var kind: ReleaseKind
        @Option(name: .customLong("branch"), help: ArgumentHelp("A release branch (repeat; default: the project's, or the advisories').", valueName: "branch"))
        var branches: [String] = []
        @Option(help: ArgumentHelp("The release time (ISO 8601, or local time in --tz).", valueName: "time")) var at: String?
        @Flag(help: "Pick the first time the project's calendar allows for this kind (blackouts included).") var nextWindow = false
        @Option(help: ArgumentHelp("Time zone for --at (IANA name).", valueName: "zone")) var tz: String?
        @Option(help: ArgumentHelp("alpha, beta or rc (minor and major releases).", valueName: "stability")) var stability: PlannedVersions.Stability?
        @Option(name: .customLong("advisory"), help: ArgumentHelp("An advisory the security release carries (repeat).", valueName: "id"))
        var advisories: [String] = []
        @Option(name: .customLong("issue"), help: ArgumentHelp("An issue number the release must carry (repeat; checked by 'release verify').", valueName: "n"))
        var issues: [Int] = []
        @Option(help: ArgumentHelp("Accept a broken calendar rule, recording this reason.", valueName: "reason")) var allowViolation: String?
        @Flag(help: "Use the tags as last fetched instead of fetching the remote first.") var offline = false

        func validate() throws {
            if at != nil, nextWindow { throw ValidationError("give at most one of --at TIME and --next-window") }
        }

        func run() throws {
            let workspace = try location.workspace(repository)
            // Release numbers are given in the order the team store sees them.
            try TeamAutoSync.syncFirst(workspace, for: "release plan", offlineAllowed: true)
            var request = ReleaseRequest(project: project, kind: kind)
            request.branches = branches
            request.at = try at.map { try LocalTime.parse($0, zone: LocalTime.zone(tz)) }
            if nextWindow { request.at = try workspace.nextReleaseWindow(project: project, kind: kind) }
            request.stability = stability
            request.advisories = advisories
            request.issues = issues
            request.allowViolation = allowViolation
            let release = try workspace.planRelease(request, offline: offline)
            for warning in try workspace.releaseCalendarWarnings(release) { Terminal.warn(warning) }
            if output.json {
                try Terminal.printJSON(["release": release])
            } else {
                Terminal.say("planned \(release.id): \(release.kind.rawValue) release \(release.versionList) of \(release.project)")
                ReleaseOutput.printVersions(release)
                Terminal.say("next: tag it on release day with 'embargo release tag \(release.id)'")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add an advisory to a planned security release, to be released with the ones it carries.",
            discussion: """
                The advisories of one release are disclosed at one time and released from one
                pre-release holding every fix: a pre-release made before no longer counts.
                An advisory whose own release carried only it leaves that release.

                Example:
                  embargo release add REL-2026-009 --advisory ADV-2026-014
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The release id.") var id: String
        @Option(name: .customLong("advisory"), help: ArgumentHelp("The advisory to add (repeat).", valueName: "id")) var advisories: [String]
        @Flag(help: "Use the tags as last fetched instead of fetching the remote first.") var offline = false

        func run() throws {
            let workspace = try location.workspace(repository)
            try TeamAutoSync.syncFirst(workspace, for: "release add", offlineAllowed: true)
            var release = try workspace.release(id)
            var dropped: [String] = []
            for advisory in advisories {
                let added = try workspace.addAdvisory(advisory, toRelease: release.id, offline: offline)
                release = added.release
                dropped += added.dropped.map { [$0] } ?? []
            }
            if output.json {
                try Terminal.printJSON(["release": release])
                return
            }
            for other in dropped { Terminal.say("dropped \(other): the advisory it carried is released with \(release.id)") }
            Terminal.say("\(release.id) carries \(release.advisories.joined(separator: ", ")): \(release.versionList)")
            ReleaseOutput.printVersions(release)
            Terminal.say("next: one pre-release for all of them: 'embargo prerelease \(release.advisories[0]) --out DIR'")
        }
    }

    struct Drop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "drop",
            abstract: "Drop a planned release (nothing of it is public yet).",
            discussion: """
                A tagged release is reverted first ('embargo release revert REL-2026-011'); a
                security release whose advisories have a pre-release is refused until each is
                taken back ('embargo revert ADV-2026-014').

                Example:
                  embargo release drop REL-2026-011
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The release id.") var id: String

        func run() throws {
            let workspace = try location.workspace()
            try TeamAutoSync.syncFirst(workspace, for: "release drop", offlineAllowed: true)
            try workspace.dropRelease(id)
            Terminal.say("dropped \(id.uppercased())")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the releases.",
            discussion: """
                Example:
                  embargo release list --project ai --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: ArgumentHelp("Only this project's releases.", valueName: "name")) var project: String?

        func run() throws {
            let releases = try location.workspace().releases(project: project)
            if output.json {
                try Terminal.printJSON(["releases": releases])
            } else {
                Terminal.printTable(["ID", "PROJECT", "KIND", "STATUS", "VERSIONS", "AT"], releases.map {
                    [$0.id, $0.project, $0.kind.rawValue, $0.status.rawValue, $0.versionList, $0.plannedAt ?? "-"]
                })
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a release: versions, advisories, issues, tag, QA and publication.",
            discussion: """
                Example:
                  embargo release show REL-2026-001
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The release id.") var id: String

        func run() throws {
            let release = try location.workspace().release(id)
            if output.json {
                try Terminal.printJSON(["release": release])
                return
            }
            Terminal.say("\(release.id): \(release.kind.rawValue) release of \(release.project), \(release.status.rawValue)")
            Terminal.say("planned for: \(release.plannedAt ?? "not scheduled")")
            ReleaseOutput.printVersions(release)
            if !release.advisories.isEmpty { Terminal.say("advisories: \(release.advisories.joined(separator: ", "))") }
            if !release.issues.isEmpty { Terminal.say("issues: \(release.issues.map { "#\($0)" }.joined(separator: ", "))") }
            if !release.violations.isEmpty { Terminal.say("calendar: \(release.violations)") }
            if let tagged = release.taggedAt { Terminal.say("tagged: \(tagged) by \(release.taggedBy ?? "?")") }
            for qa in release.qa { Terminal.say("QA \(qa.passed ? "passed" : "failed"): \(qa.at) by \(qa.by)\(qa.note.isEmpty ? "" : ": \(qa.note)")") }
            if let published = release.publishedAt {
                Terminal.say("published: \(published) by \(release.publishedBy ?? "?")" + (release.nodeURL.map { " at \($0)" } ?? ""))
            }
        }
    }
}

enum ReleaseOutput {
    static func printVersions(_ release: Release) {
        for version in release.versions {
            let from = version.newBranch.map { " (new branch \($0) from \(version.branch))" } ?? " (from \(version.branch))"
            Terminal.say("  \(version.version)\(from)" + (version.previous.map { ", after \($0)" } ?? ", the first release"))
        }
    }
}

extension Embargo.ReleaseCommands {
    struct Tag: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tag",
            abstract: "Tag a release: changelog on the branch, build for the tag only, one atomic push after you confirm.",
            discussion: """
                Works in a private temporary clone, as tag-release.sh does: the release notes
                go into CHANGELOG.md on the branch, the project's build command runs and its
                required paths are committed for the tag only, and the tag is made. The diff
                summary is shown; the push waits for your 'yes' (--yes for scripts). Commits
                merged after the merge cutoff are refused unless --include-late, and changes
                marked (Breaking Change) or (BC) outside a major release unless
                --allow-breaking REASON.

                A security release is tagged from its approved pre-release, exactly as
                reviewed, from 00:00 UTC of the disclosure day (tags ready by 11:00 UTC);
                the Security Team then publishes the SA, which 'release published --sa-url'
                records.

                Example:
                  embargo release tag REL-2026-001
                  embargo release tag REL-2026-002 --yes --include-late
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The release id.") var id: String
        @Flag(help: "Push without asking.") var yes = false
        @Flag(help: "Make the tags and show them, push nothing.") var dryRun = false
        @Flag(help: "Release commits merged after the merge cutoff too.") var includeLate = false
        @Option(help: ArgumentHelp("Tag a security release before its disclosure day, or a patch release before its merge cutoff, recording this reason.",
                                   valueName: "reason"))
        var early: String?
        @Option(help: ArgumentHelp("Tag changes marked (Breaking Change) in a release that is not a major, recording this reason.", valueName: "reason"))
        var allowBreaking: String?
        @Flag(help: "Use the branches as last fetched instead of fetching the remote first.") var offline = false

        func run() throws {
            var options = TagOptions()
            options.includeLate = includeLate
            options.early = early
            options.allowBreaking = allowBreaking
            options.offline = offline
            options.dryRun = dryRun
            let workspace = try location.workspace(repository)
            // Another member must not tag the same release meanwhile, and an approval made elsewhere must be here.
            try TeamAutoSync.syncFirst(workspace, for: "release tag", offlineAllowed: dryRun)
            workspace.onClaim = { id in try TeamAutoSync.claim(workspace, id) }
            let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
            let report = try workspace.tagRelease(id, options: options, progress: { Progress.step($0) }) { made in
                if yes { return true }
                guard interactive else {
                    throw EmbargoError(.usage, "tagging pushes to the project's remote and needs a confirmation",
                                       hint: "look at the diff with 'embargo release tag \(id) --dry-run', then run 'embargo release tag \(id) --yes'")
                }
                for tag in made.tags { Terminal.say("\(tag.version) (\(tag.previous ?? "start")..tag):\n\(tag.diffStat)") }
                FileHandle.standardError.write(Data("push \(made.tags.count) tag(s) and the changelog commits? [y/N] ".utf8))
                return ["y", "yes"].contains(readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "")
            }
            if output.json {
                try Terminal.printJSON(report)
                return
            }
            for tag in report.tags where !yes || dryRun {
                Terminal.say("\(tag.version) (\(tag.previous ?? "start")..tag):\n\(tag.diffStat)")
            }
            for step in report.steps { Terminal.say(step) }
            if report.pushed {
                Terminal.say("next: the publishing manager checks the tags with 'embargo release verify \(report.release)'")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the pushed tags as the publishing manager does (exit 4 when a check fails).",
            discussion: """
                Checks that each tag on the remote is the one made at tagging and has the
                planned version, that last-release..tag differs from last-release..branch only
                by the built paths, that the built paths are in the tag, that the changelog
                commit is on the branch, and that every planned issue is in the log.

                Example:
                  embargo release verify REL-2026-001
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The release id.") var id: String
        @Flag(help: "Use the tags as last fetched instead of fetching the remote first.") var offline = false

        func run() throws {
            let verification = try location.workspace(repository).verifyRelease(id, offline: offline)
            if output.json {
                try Terminal.printJSON(verification)
            } else {
                for check in verification.checks { Terminal.say("\(check.ok ? "ok  " : "FAIL") \(check.what)") }
            }
            guard verification.ok else {
                throw EmbargoError(.verification, "release \(verification.release) failed \(verification.checks.filter { !$0.ok }.count) check(s)",
                                   hint: "tell the preparer; a wrong tag is taken back with 'embargo release revert \(verification.release)'")
            }
        }
    }

    struct QA: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "qa",
            abstract: "Record a QA result; a minor or major release is published only after a passed QA.",
            discussion: """
                Example:
                  embargo release qa REL-2026-003 --fail \\
                    --note "settings form broken on PHP 8.1"
                  embargo release qa REL-2026-003 --pass
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The release id.") var id: String
        @Flag(help: "QA passed.") var pass = false
        @Flag(help: "QA failed.") var fail = false
        @Option(help: ArgumentHelp("What was tested or what failed.", valueName: "text")) var note = ""

        func validate() throws {
            if pass == fail { throw ValidationError("give exactly one of --pass and --fail") }
        }

        func run() throws {
            let workspace = try location.workspace()
            let release = try workspace.recordReleaseQA(id, passed: pass, note: note)
            Terminal.say("recorded QA \(pass ? "passed" : "failed") for \(release.id)")
            if pass, release.taggedBy == workspace.member.name {
                Terminal.warn("you tagged \(release.id) yourself: QA is a second member's look at it (the module's QA team tests release candidates)")
            }
            Terminal.say(pass ? "next: the publishing manager publishes the release nodes, then 'embargo release published \(release.id) --url URL'"
                              : "next: fix, then plan the next release candidate: 'embargo release plan --project \(release.project) --kind \(release.kind.rawValue) --stability rc'")
        }
    }

    struct Published: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "published",
            abstract: "Record that the release node is live; for a security release, with its SA (closes the embargo).",
            discussion: """
                A minor or major release needs a passed QA. For a security release --sa-url
                records the published SA and finishes the advisory's publication: status
                published, public documents written, guard entries dropped.

                Example:
                  embargo release published REL-2026-001 \\
                    --url https://www.drupal.org/project/ai/releases/1.2.4
                  embargo release published REL-2026-002 \\
                    --sa-url https://www.drupal.org/sa-contrib-2026-050
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The release id.") var id: String
        @Option(help: ArgumentHelp("The release node's address.", valueName: "url")) var url: String?
        @Option(help: ArgumentHelp("The published SA's address (security releases); with several advisories, once per advisory as ADV-ID=URL.",
                                   valueName: "url")) var saUrl: [String] = []
        @Option(help: ArgumentHelp("Directory for a security release's public documents (default: ./ID-public).", valueName: "dir")) var out: String?

        func run() throws {
            let workspace = try location.workspace(repository)
            try TeamAutoSync.syncFirst(workspace, for: "release published")
            let (release, steps) = try workspace.markReleasePublished(
                id, nodeURL: url, saURLs: saUrl, outputDirectory: out.map { URL(fileURLWithPath: $0) }, progress: { Progress.step($0) })
            for step in steps { Terminal.say(step) }
            Terminal.say("release \(release.id) (\(release.versionList)) is published")
            Terminal.say("next: announce it with 'embargo release announce \(release.id)'")
        }
    }

    struct Revert: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revert",
            abstract: "Take back the tags of a release that is not published (remote and local); it is planned again.",
            discussion: """
                Example:
                  embargo release revert REL-2026-001
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The release id.") var id: String

        func run() throws {
            let workspace = try location.workspace(repository)
            try TeamAutoSync.syncFirst(workspace, for: "release revert")
            for line in try workspace.revertRelease(id) { Terminal.say(line) }
        }
    }

    struct Node: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "node",
            abstract: "What goes into the drupal.org release form: version, boxes to tick, short description, notes.",
            discussion: """
                Example:
                  embargo release node REL-2026-001 --format html
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, html, json }

        @OptionGroup var location: StoreOptions
        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The release id.") var id: String
        @Option(help: "text, html or json.") var format: Format = .text

        func run() throws {
            let nodes = try location.workspace(repository).releaseNodes(id)
            switch format {
            case .json:
                try Terminal.printJSON(["nodes": nodes])
            case .html:
                Terminal.document(nodes.map(\.notesHTML).joined(separator: "\n"))
            case .text:
                Terminal.document(nodes.map { node in
                    var lines = ["Release \(node.title) (branch \(node.branch))",
                                 "  Version: \(node.version)",
                                 "  Release type: tick " + node.releaseTypes.map { "\"\($0)\"" }.joined(separator: " and ")]
                    if node.coordinatedWithSecurityTeam { lines.append("  Tick \"This release was coordinated with the Drupal Security Team\"") }
                    lines.append("  Short description: " + (node.shortDescription ?? "(none: leave it empty)"))
                    lines += ["  Release notes (HTML):", node.notesHTML]
                    return lines.joined(separator: "\n")
                }.joined(separator: "\n"))
            }
        }
    }

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "The \"Release x.y.z and x.y.z\" issue that tracks the release (category Task, tag release).",
            discussion: """
                Example:
                  embargo release issue REL-2026-001
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The release id.") var id: String

        struct Document: Encodable {
            let title: String
            let category: String
            let tags: [String]
            let body: String
            /// A security release's own steps, which stay off the public issue.
            let privateSteps: [String]?

            enum CodingKeys: String, CodingKey {
                case title, category, tags, body
                case privateSteps = "private_steps"
            }
        }

        func run() throws {
            let issue = try location.workspace().releaseIssue(id)
            if output.json {
                try Terminal.printJSON(["issue": Document(title: issue.title, category: issue.category, tags: issue.tags, body: issue.body,
                                                          privateSteps: issue.privateSteps.isEmpty ? nil : issue.privateSteps)])
                return
            }
            Terminal.document("Title: \(issue.title)\nCategory: \(issue.category)\nTags: \(issue.tags.joined(separator: ", "))\n\n\(issue.body)")
            if !issue.privateSteps.isEmpty {
                Terminal.note("\(id) is a security release: the issue above is public and reads as any release's; its own steps stay off it: "
                              + issue.privateSteps.joined(separator: "; "))
            }
        }
    }

    struct Announce: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "announce",
            abstract: "The chat announcement: versions linked to their release nodes, highlights, counts; nothing about a vulnerability.",
            discussion: """
                Example:
                  embargo release announce REL-2026-001 --highlight 3412345 --highlight 3412399
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The release id.") var id: String
        @Option(name: .customLong("highlight"), help: ArgumentHelp("An issue number to highlight (up to three).", valueName: "n")) var highlights: [Int] = []

        func run() throws {
            guard highlights.count <= 3 else {
                throw EmbargoError(.usage, "an announcement has up to three highlights; \(highlights.count) were given",
                                   hint: "keep the three that matter most")
            }
            Terminal.document(try location.workspace(repository).releaseAnnouncement(id, highlights: highlights))
        }
    }
}

extension Embargo.ReleaseCommands {
    struct UpgradePath: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upgrade-path",
            abstract: "Attach the upgrade steps of a breaking change to a release (notes and change record print them).",
            discussion: """
                Example:
                  embargo release upgrade-path REL-2027-003 --issue 3400020 --file upgrade.md
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The release id.") var id: String
        @Option(help: ArgumentHelp("The breaking change's issue number.", valueName: "n")) var issue: Int
        @Option(help: ArgumentHelp("A file with the steps ('-' for standard input).", valueName: "file")) var file: String

        func run() throws {
            let text = try InputFile.text(file)
            try location.workspace().setUpgradePath(id, issue: issue, text: text)
            Terminal.say("attached the upgrade path of #\(issue) to \(id.uppercased())")
        }
    }

    struct ChangeRecordCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "change-record",
            abstract: "The change record of a breaking change: title, branch and version, issue link, upgrade path.",
            discussion: """
                Example:
                  embargo release change-record REL-2027-003 --issue 3400020
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The release id.") var id: String
        @Option(help: ArgumentHelp("The breaking change's issue number.", valueName: "n")) var issue: Int

        func run() throws {
            let record = try location.workspace(repository).changeRecord(id, issue: issue)
            if output.json { try Terminal.printJSON(["change_record": record]) } else { Terminal.document(record.text + "\n") }
        }
    }
}
