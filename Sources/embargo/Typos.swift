import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

/// A mistyped command or option, found when the parser refuses the command
/// line and reported before anything else it would say: the parser checks
/// required options and `validate()` before it looks at an unknown option
/// (`--branches` came out as "at least one --branch is required"), and has no
/// suggestion for an unknown subcommand (`projet` came out as "3 unexpected
/// arguments").
///
/// The command tree, with every command's options, comes from the parser's
/// own description of it (the JSON of `--experimental-dump-help`), read only
/// on this error path.
enum Typos {
    struct Command: Decodable {
        var commandName: String
        var defaultSubcommand: String?
        var subcommands: [Command]?
        var arguments: [Argument]?
    }

    struct Argument: Decodable {
        struct Name: Decodable {
            var kind: String
            var name: String
        }

        var kind: String
        var names: [Name]?
        var parsingStrategy: String?

        var spellings: [String] {
            (names ?? []).map { ($0.kind == "long" ? "--" : "-") + $0.name }
        }
    }

    private struct Dump: Decodable {
        var command: Command
    }

    /// The root command as the parser describes it.
    static func tree() -> Command? {
        do {
            _ = try Embargo.parseAsRoot(["--experimental-dump-help"])
            return nil
        } catch {
            let text = Embargo.fullMessage(for: error)
            return try? JSONDecoder().decode(Dump.self, from: Data(text.utf8)).command
        }
    }

    /// The command `tokens` (the command line without the program name) names:
    /// `embargo advisory status`.
    static func commandPath(_ tokens: [String], tree root: Command) -> String {
        var command = root
        var path = ["embargo"]
        for token in tokens where !token.hasPrefix("-") {
            guard let sub = command.subcommands?.first(where: { $0.commandName == token }) else { break }
            command = sub
            path.append(token)
        }
        return path.joined(separator: " ")
    }

    /// The first unknown subcommand or option of `tokens` (the command line
    /// without the program name), as a usage error naming the closest real
    /// one; nil when every name is known.
    static func check(_ tokens: [String], tree root: Command) -> EmbargoError? {
        var command = root
        var path = ["embargo"]
        var index = 0
        // The subcommands, down to the command that runs.
        while index < tokens.count, let subcommands = command.subcommands, !subcommands.isEmpty {
            let token = tokens[index]
            if token == "--" { return nil }
            if token.hasPrefix("-") {
                index += 1
                continue
            }
            if let sub = subcommands.first(where: { $0.commandName == token }) {
                command = sub
                path.append(token)
                index += 1
                continue
            }
            let close = Suggestion.closest(to: token, among: subcommands.map(\.commandName).filter { $0 != "help" })
            if let defaultName = command.defaultSubcommand, let fallback = subcommands.first(where: { $0.commandName == defaultName }) {
                // `prerelease ADV-2026-001` runs the default subcommand; only a near miss of another name is a typo.
                if let close, close != defaultName { return unknownCommand(token, path: path, close: close) }
                command = fallback
                break
            }
            if path.count == 1, token == "help" { return nil }
            return unknownCommand(token, path: path, close: close)
        }
        // The options of that command, from the start: `embargo --json advisory list` is a typo too.
        let arguments = command.arguments ?? []
        var known: [String: Argument] = [:]
        for argument in arguments {
            for spelling in argument.spellings where known[spelling] == nil { known[spelling] = argument }
        }
        let shown = path.joined(separator: " ")
        index = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if token == "--" { return nil }
            // `-` is standard input; `-5` a number.
            guard token.hasPrefix("-"), token.count > 1, !(token.dropFirst().first?.isNumber ?? false) else { continue }
            let name = token.hasPrefix("--") ? String(token.prefix { $0 != "=" }) : token
            guard let argument = known[name] else {
                let close = Suggestion.closest(to: name.hasPrefix("--") ? name : "-" + name, among: Array(known.keys).filter { $0.hasPrefix("--") })
                return EmbargoError(.usage, "unknown option '\(name.prefix(60))' for '\(shown)'",
                                    hint: (close.map { "did you mean '\($0)'? " } ?? "") + "run '\(shown) --help' to see its options")
            }
            guard argument.kind == "option", !token.contains("=") else { continue }
            switch argument.parsingStrategy {
            case "remaining", "allRemainingInput", "postTerminator", "allUnrecognized":
                return nil
            case "upToNextOption":
                while index < tokens.count, !tokens[index].hasPrefix("-") { index += 1 }
            default:
                // The value, whatever it looks like.
                index += 1
            }
        }
        return nil
    }

    private static func unknownCommand(_ token: String, path: [String], close: String?) -> EmbargoError {
        let shown = path.joined(separator: " ")
        return EmbargoError(.usage, "unknown command '\(token.prefix(60))'" + (path.count > 1 ? " for '\(shown)'" : ""),
                            hint: (close.map { "did you mean '\(shown) \($0)'? " } ?? "") + "run '\(shown) --help' to see the commands")
    }
}
