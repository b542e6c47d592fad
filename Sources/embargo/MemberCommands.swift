import ArgumentParser
import EmbargoKit
import Foundation

extension Role: ExpressibleByArgument {}

extension Embargo {
    struct MemberCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "member",
            abstract: "Manage who can open the store and what each may do.",
            subcommands: [Add.self, List.self, SetRole.self, Remove.self, Roles.self]
        )
    }
}

extension Embargo.MemberCommands {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a member: the data key is wrapped for their age recipient.",
            discussion: """
                The new member runs 'embargo identity show --json' and sends you the two keys.
                An external approver (an outside security team's member) gives only a minisign
                public key: they may approve pre-releases with a signature over the manifest
                and can decrypt nothing.

                Example:
                  embargo member add bob --role security \\
                    --recipient age1... --signing-key RW...
                  embargo member add drupal-sec --external --signing-key RW... --role security
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The member's name.") var name: String
        @Option(help: ArgumentHelp("The member's age recipient.", valueName: "age1...")) var recipient: String?
        @Option(help: ArgumentHelp("The member's minisign public key.", valueName: "RW...")) var signingKey: String
        @Option(help: ArgumentHelp("admin, preparer, qa, publisher or security.")) var role: Role
        @Flag(help: "An external approver: no recipient, role security, may only approve with a signature.") var external = false

        func validate() throws {
            if external, recipient != nil { throw ValidationError("--external takes no --recipient: an external approver decrypts nothing") }
            if !external, recipient == nil { throw ValidationError("--recipient age1... is required (or --external for an external approver)") }
            if external, role != .security { throw ValidationError("an external approver has --role security") }
        }

        func run() throws {
            let member = try location.workspace().addMember(name: name, recipient: recipient, signingKey: signingKey, role: role)
            if output.json {
                try Terminal.printJSON(MemberReport(member: member))
            } else {
                Terminal.say("added \(member.external ? "external approver" : "member") \(member.name) (\(member.role.rawValue))")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the members.",
            discussion: """
                Example:
                  embargo member list --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let members = try location.workspace().members()
            if output.json {
                try Terminal.printJSON(MemberListReport(members: members))
            } else {
                Terminal.printTable(["NAME", "ROLE", "RECIPIENT", "SIGNING KEY"],
                                    members.map { [$0.name, $0.role.rawValue, $0.recipient ?? "(external approver)", $0.signingKey] })
            }
        }
    }

    struct SetRole: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "role",
            abstract: "Change a member's role.",
            discussion: """
                Example:
                  embargo member role bob publisher
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The member's name.") var name: String
        @Argument(help: "admin, preparer, qa, publisher or security.") var role: Role

        func run() throws {
            let member = try location.workspace().setRole(name: name, role: role)
            if output.json {
                try Terminal.printJSON(MemberReport(member: member))
            } else {
                Terminal.say("member \(member.name) now has role \(member.role.rawValue)")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a member and rotate the data key (store and backups are re-sealed).",
            discussion: """
                Example:
                  embargo member remove bob
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The member's name.") var name: String

        func run() throws {
            let workspace = try location.workspace()
            // The removal goes to the team at once; first, everything the team did.
            try TeamAutoSync.syncFirst(workspace, for: "member remove")
            try workspace.keepingTeamBase { try workspace.removeMember(name: name) }
            Terminal.say("removed member \(name); the data key was rotated")
        }
    }

    struct Roles: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "roles",
            abstract: "Print which role may do what.",
            discussion: """
                Example:
                  embargo member roles --json
                """
        )

        @OptionGroup var output: OutputOptions

        func run() throws {
            if output.json {
                let table = Dictionary(uniqueKeysWithValues: Action.allCases.map { ($0.rawValue, Permissions.roles(for: $0).map(\.rawValue)) })
                try Terminal.printJSON(["permissions": table])
            } else {
                Terminal.printTable(["ACTION", "ROLES", "MEANING"], Action.allCases.map {
                    [$0.rawValue, Permissions.roles(for: $0).map(\.rawValue).joined(separator: ","), $0.summary]
                })
            }
        }
    }
}

struct MemberReport: Encodable { let member: Member }
struct MemberListReport: Encodable { let members: [Member] }
