import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct ReleaseCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release",
            abstract: "Plan, tag, verify and publish releases of every kind (patch, critical, minor, major, security).",
            subcommands: [Plan.self, List.self, Show.self]
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
        @Option(help: ArgumentHelp("Time zone for --at (IANA name).", valueName: "zone")) var tz: String?
        @Option(help: ArgumentHelp("alpha, beta or rc (minor and major releases).", valueName: "stability")) var stability: PlannedVersions.Stability?
        @Option(name: .customLong("advisory"), help: ArgumentHelp("An advisory the security release carries (repeat).", valueName: "id"))
        var advisories: [String] = []
        @Option(name: .customLong("issue"), help: ArgumentHelp("An issue number the release must carry (repeat; checked by 'release verify').", valueName: "n"))
        var issues: [Int] = []
        @Option(help: ArgumentHelp("Accept a broken calendar rule, recording this reason.", valueName: "reason")) var allowViolation: String?
        @Flag(help: "Use the tags as last fetched instead of fetching the remote first.") var offline = false

        func run() throws {
            var request = ReleaseRequest(project: project, kind: kind)
            request.branches = branches
            request.at = try at.map { try LocalTime.parse($0, zone: LocalTime.zone(tz)) }
            request.stability = stability
            request.advisories = advisories
            request.issues = issues
            request.allowViolation = allowViolation
            let release = try location.workspace(repository).planRelease(request, offline: offline)
            if output.json {
                try Terminal.printJSON(["release": release])
            } else {
                Terminal.say("planned \(release.id): \(release.kind.rawValue) release \(release.versionList) of \(release.project)")
                ReleaseOutput.printVersions(release)
                Terminal.say("next: tag it on release day with 'embargo release tag \(release.id)'")
            }
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
