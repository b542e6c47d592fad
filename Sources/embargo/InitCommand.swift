import ArgumentParser
import EmbargoKit
import Foundation

extension Embargo {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a store with its data key; you become its first member (role admin).",
            discussion: """
                Example:
                  embargo identity new
                  embargo init --name alice
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions

        @Option(help: "Your member name (default: $USER).")
        var name: String?

        func run() throws {
            let identity = try location.loadIdentity()
            let memberName = name ?? ProcessInfo.processInfo.environment["USER"] ?? "admin"
            let workspace = try Workspace.initialize(
                at: location.storeDirectory, identity: identity, memberName: memberName,
                environment: try Settings.storeEnvironment())
            if output.json {
                try Terminal.printJSON(InitReport(store: location.storeDirectory.path, member: workspace.member))
            } else {
                Terminal.say("created store \(location.storeDirectory.path)")
                Terminal.say("member \(workspace.member.name) (admin) \(workspace.member.recipient ?? "")")
                Terminal.say("next: " + NextStep.afterInit())
            }
        }
    }
}

struct InitReport: Encodable {
    let store: String
    let member: Member
}
