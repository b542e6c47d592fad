import ArgumentParser
import EmbargoCrypto
import EmbargoKit
import Foundation

extension Embargo {
    struct IdentityCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "identity",
            abstract: "Create and show your identity (age encryption key and minisign signing key).",
            subcommands: [New.self, Show.self]
        )
    }
}

extension Embargo.IdentityCommands {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Create a new identity file (mode 0600); never overwrites one.",
            discussion: """
                The file is a standard age identity file. With --passphrase it is encrypted
                with a passphrase read from the terminal or from $EMBARGO_PASSPHRASE_FILE.

                Example:
                  embargo identity new --passphrase
                  embargo identity new --out ./bob.identity
                """
        )

        @Option(help: ArgumentHelp("Where to write the identity (default: the --identity location).", valueName: "file"))
        var out: String?

        @Option(name: .long, help: ArgumentHelp("The identity file (default: $EMBARGO_IDENTITY, else $XDG_CONFIG_HOME/embargo/identity).", valueName: "file"))
        var identity: String?

        @Flag(help: "Protect the identity with a passphrase.")
        var passphrase = false

        @OptionGroup var output: OutputOptions

        func run() throws {
            let url = out.map { URL(fileURLWithPath: $0) } ?? Settings.identityFile(identity)
            let secret = passphrase
                ? try TerminalPassphraseProvider().passphrase(for: .protectIdentity(url.path)) : nil
            let created = try EmbargoIdentity.generate()
            try created.write(to: url, passphrase: secret, createdAt: Date())
            if output.json {
                try Terminal.printJSON(IdentityReport(created))
            } else {
                Terminal.say("created identity \(url.path)")
                Terminal.say("recipient:   \(created.recipient)")
                Terminal.say("signing key: \(created.signingKey)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print your public keys, for an admin to add you as a member.",
            discussion: """
                Example:
                  embargo identity show --json
                """
        )

        @Option(name: .long, help: ArgumentHelp("The identity file (default: $EMBARGO_IDENTITY, else $XDG_CONFIG_HOME/embargo/identity).", valueName: "file"))
        var identity: String?

        @OptionGroup var output: OutputOptions

        func run() throws {
            let loaded = try EmbargoIdentity.load(from: Settings.identityFile(identity), passphrases: TerminalPassphraseProvider(),
                                                  agent: Settings.agentSocket)
            if output.json {
                try Terminal.printJSON(IdentityReport(loaded))
            } else {
                Terminal.say("recipient:   \(loaded.recipient)")
                Terminal.say("signing key: \(loaded.signingKey)")
            }
        }
    }
}

struct IdentityReport: Encodable {
    let recipient: String
    let signingKey: String

    init(_ identity: EmbargoIdentity) {
        recipient = identity.recipient
        signingKey = identity.signingKey
    }

    enum CodingKeys: String, CodingKey {
        case recipient
        case signingKey = "signing_key"
    }
}
