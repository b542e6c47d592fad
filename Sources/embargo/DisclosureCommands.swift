import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct CVECommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cve",
            abstract: "The CVE record of an advisory: request it, record the reserved id, record its publication.",
            subcommands: [Request.self, Published.self]
        )
    }

    struct Due: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "due",
            abstract: "Every open duty across advisories (exit 3 when one is overdue, for cron or CI).",
            discussion: """
                Lists the CVE record due 72 hours after disclosure, the deadlines of the
                projects' policy profiles that an advisory has not met yet, and approvals still
                missing.

                Example:
                  embargo due
                  embargo due --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let duties = try location.workspace().duties()
            if output.json {
                try Terminal.printJSON(DutiesReport(duties: duties.map(DutyView.init)))
            } else if duties.isEmpty {
                Terminal.say("no open duties")
            } else {
                Terminal.printTable(["ADVISORY", "DUE (UTC)", "STATE", "DUTY", "NEXT"], duties.map {
                    [$0.advisory, Timestamp.string($0.due), $0.overdue ? "OVERDUE" : "open", $0.title, $0.next]
                })
            }
            let overdue = duties.filter(\.overdue)
            if let first = overdue.first {
                throw EmbargoError(.refused, "\(overdue.count) duty(ies) overdue, the first: \(first.title) of \(first.advisory)",
                                   hint: "run '\(first.next)'")
            }
        }
    }

    struct Broken: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "broken",
            abstract: "The fix leaked or the flaw is exploited: switch the advisory to the emergency path.",
            discussion: """
                Records the event and why; from then on 'publish' does not wait for the
                disclosure time (it is an early publication, recorded as such), and a
                pre-announcement may go out at any time.

                Example:
                  embargo broken ADV-2026-001 --reason "the patch was posted on a public issue"
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("What happened (recorded on the timeline and the audit trail).", valueName: "text"))
        var reason: String

        func run() throws {
            let workspace = try location.workspace()
            try workspace.declareBroken(id, reason: reason)
            let advisory = try workspace.advisory(id)
            Terminal.say("""
                embargo of \(advisory.id) broken: \(reason)
                The emergency path, now:
                  1. tell the security team on the private issue what happened and that the release goes out now
                  2. shorten the timeline: the release goes out as soon as it is ready; publish no longer waits
                  3. pre-announce it: embargo announce \(advisory.id) --pre
                  4. finish the release: \(Self.next(advisory))
                """)
        }

        static func next(_ advisory: Advisory) -> String {
            switch advisory.status {
            case .approved: return "embargo publish \(advisory.id)"
            case .prereleased: return "embargo approve \(advisory.id) --bundle FILE, then embargo publish \(advisory.id)"
            case .ready: return "embargo prerelease \(advisory.id) --out DIR, then approve and publish"
            default: return "embargo patch verify \(advisory.id), then prerelease, approve and publish"
            }
        }
    }
}

extension Embargo.CVECommands {
    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "Print what the project's CNA asks for and record the request; or record the reserved id.",
            discussion: """
                Example:
                  embargo cve request ADV-2026-001 --to "Drupal Security Team CNA"
                  embargo cve request ADV-2026-001 --cve-id CVE-2026-12345
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("Who the request goes to (recorded).", valueName: "cna")) var to: String?
        @Option(help: ArgumentHelp("The CVE id the CNA reserved.", valueName: "CVE-YYYY-NNNNN")) var cveId: String?

        func run() throws {
            Terminal.document(try location.workspace().requestCVE(id, to: to, cveID: cveId))
        }
    }

    struct Published: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "published",
            abstract: "Record that the advisory's CVE record is published (the 72-hour duty is done).",
            discussion: """
                Example:
                  embargo cve published ADV-2026-001 \\
                    --url https://www.cve.org/CVERecord?id=CVE-2026-12345
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("Where the record is.", valueName: "url")) var url: String?

        func run() throws {
            try location.workspace().cvePublished(id, url: url)
            Terminal.say("CVE record of \(id.uppercased()) recorded as published")
        }
    }
}

struct DutyView: Encodable {
    let advisory: String
    let kind: String
    let title: String
    let due: String
    let overdue: Bool
    let next: String

    init(_ duty: Duty) {
        advisory = duty.advisory
        kind = duty.kind
        title = duty.title
        due = Timestamp.string(duty.due)
        overdue = duty.overdue
        next = duty.next
    }
}

struct DutiesReport: Encodable { let duties: [DutyView] }
