import ArgumentParser
import EmbargoKit
import Foundation

extension Embargo {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Where an advisory stands: what blocks its next step, who may take it, the command that does.",
            discussion: """
                Without an id: every advisory that is neither published nor withdrawn. Each
                shows every blocker of its next step (not only the first), the roles that may
                take that step and the one command that moves it on, with its required
                options. An advisory whose publication pushed and did not finish shows as
                publishing.

                Example:
                  embargo status
                  embargo status ADV-2026-001 --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var repository: RepositoryOption
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id (default: every open advisory).") var id: String?

        func run() throws {
            let standings = try location.workspace(repository).standings(id)
            if output.json {
                try Terminal.printJSON(StatusReport(advisories: standings.map(StandingView.init)))
                return
            }
            if standings.isEmpty {
                Terminal.say("no open advisories")
                return
            }
            for (index, standing) in standings.enumerated() {
                if index > 0 { Terminal.say("") }
                Terminal.say("\(standing.id)  \(standing.title)", indent: "    ")
                var rows = [["status", standing.shownStatus]]
                if let at = standing.disclosureAt { rows.append(["disclosure", at]) }
                for (number, blocker) in standing.blockers.enumerated() {
                    rows.append([number == 0 ? "blocked by" : "", blocker])
                }
                rows.append(["next", standing.next ?? "nothing: \(standing.status.rawValue)"])
                if !standing.actors.isEmpty { rows.append(["who", standing.actors.map(\.rawValue).joined(separator: ", ")]) }
                for row in rows { Terminal.say("  \(row[0].padding(toLength: 11, withPad: " ", startingAt: 0)) \(row[1])") }
            }
        }
    }
}

struct StatusReport: Encodable { let advisories: [StandingView] }

/// An advisory's standing in JSON: its status as people read it (publishing) beside the stored one.
struct StandingView: Encodable {
    let standing: AdvisoryStanding

    init(_ standing: AdvisoryStanding) { self.standing = standing }

    enum Keys: String, CodingKey { case shownStatus = "shown_status" }

    func encode(to encoder: any Encoder) throws {
        try standing.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(standing.shownStatus, forKey: .shownStatus)
    }
}
