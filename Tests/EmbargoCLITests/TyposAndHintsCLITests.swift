import ArgumentParser
@testable import embargo
import Foundation
import Testing

/// Mistyped names get the name they most likely mean, before anything else;
/// every command a message suggests can be run as written; help examples are
/// never wrapped.
@Suite("typos, hints and help examples")
struct TyposAndHintsCLITests {
    @Test(arguments: [
        (["projet", "add", "ai"], "unknown command 'projet'",
         "did you mean 'embargo project'? run 'embargo --help' to see the commands"),
        (["project", "lst"], "unknown command 'lst' for 'embargo project'",
         "did you mean 'embargo project list'? run 'embargo project --help' to see the commands"),
        (["prerelease", "verfy", "bundle.tar.age"], "unknown command 'verfy' for 'embargo prerelease'",
         "did you mean 'embargo prerelease verify'? run 'embargo prerelease --help' to see the commands"),
        // Reported before the missing --remote and validate()'s "at least one --branch".
        (["project", "add", "ai", "--repo", "/tmp", "--branches", "1.x"], "unknown option '--branches' for 'embargo project add'",
         "did you mean '--branch'? run 'embargo project add --help' to see its options"),
        (["project", "add", "ai", "--repo", "/tmp", "--remote", "origin", "--branches", "1.x"],
         "unknown option '--branches' for 'embargo project add'",
         "did you mean '--branch'? run 'embargo project add --help' to see its options"),
        (["prerelease", "ADV-2026-001", "--out", "x", "--acept-finding", "k"], "unknown option '--acept-finding' for 'embargo prerelease'",
         "did you mean '--accept-finding'? run 'embargo prerelease --help' to see its options"),
        (["advisory", "list", "-json"], "unknown option '-json' for 'embargo advisory list'",
         "did you mean '--json'? run 'embargo advisory list --help' to see its options"),
        (["schedule", "ADV-2026-001", "--att", "2026-01-07T16:00Z"], "unknown option '--att' for 'embargo schedule'",
         "did you mean '--at'? run 'embargo schedule --help' to see its options"),
        (["advisory", "frobnicate"], "unknown command 'frobnicate' for 'embargo advisory'",
         "run 'embargo advisory --help' to see the commands"),
    ])
    func typosAreNamedWithTheNearestRealName(arguments: [String], error: String, hint: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try box.embargo(arguments)
        #expect(run.status == 64)
        #expect(run.stderr == "embargo: error: \(error)\nembargo: hint: \(hint)\n")
        #expect(!FileManager.default.fileExists(atPath: box.store.path), "a typo created a store")
    }

    @Test func correctCommandLinesAreLeftToTheParser() throws {
        let box = try Sandbox()
        defer { box.remove() }
        // A value that looks like an option, a value after '--', the default subcommand: no typo.
        let tree = try #require(Typos.tree())
        for arguments in [["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--file", "-", "--message", "-x", "--author", "a <a@b.c>"],
                          ["prerelease", "ADV-2026-001", "--out", "outbox"], ["store", "sync", "--keep", "mine", "ADV-2026-001.title"],
                          ["audit", "--advisory", "ADV-2026-001"], ["help", "project"], ["advisory", "show", "--", "--odd-id"]] {
            #expect(Typos.check(arguments, tree: tree) == nil, "\(arguments)")
        }
        // The parser's own message stays for what is not a typo.
        let missing = try box.embargo(["advisory", "show"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("Missing expected argument '<id>'"))
    }

    /// The commands quoted in the sources ('embargo ...' in hints, notes and help) with
    /// their placeholders filled in: each must parse, required options and all.
    static func quotedCommands() throws -> [(file: String, line: Int, arguments: [String])] {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources").standardized
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        // Placeholders that must be of a type (a number, a role, a time) to parse.
        let values = ["N": "1", "ROLE": "security", "TIME": "2026-01-07T16:00Z", "mine|theirs": "mine", "CVE-YYYY-NNNN": "CVE-2026-1234",
                      "CVE-YYYY-NNNNN": "CVE-2026-12345", "HASH": String(repeating: "a", count: 64)]
        let names = Set((try #require(Typos.tree()).subcommands ?? []).map(\.commandName))
        var found: [(String, Int, [String])] = []
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() {
                // 'embargo ...' in text, and "embargo ..." built as a whole string.
                // A whole string is a command when it names one (not "embargo release <...>", a committer).
                let whole = line.matches(of: /"embargo ((?:[^"\\,]|\\\((?:[^()]|\([^()]*\))*\))+)"/).map { String($0.1) }
                    .filter { text in names.contains(String(text.prefix { $0 != " " })) && text.firstMatch(of: /<[^>]*@[^>]*>/) == nil }
                let quoted = line.matches(of: /'embargo ([^']+)'/).map { String($0.1) } + whole
                for command in quoted where !command.hasPrefix("\\(") {
                    let filled = command.replacing(/\\\(((?:[^()]|\([^()]*\))*)\)/) { match in
                        match.1.contains("position") || match.1.contains("number") || match.1.contains("issue") ? "1"
                            : match.1.contains("kind") ? "minor" : match.1.contains("field") ? "ADV-2026-001.title"
                            : match.1.contains("Hash") ? String(repeating: "a", count: 64) : "x"
                    }
                    let arguments = Self.words(filled.replacingOccurrences(of: "\\\"", with: "\"")).map { values[$0] ?? $0 }
                    found.append((file.lastPathComponent, number + 1, arguments))
                }
            }
        }
        return found
    }

    /// Words as a shell splits them, with "double quotes" around words with spaces.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var word = ""
        var quoted = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
            } else if character == " ", !quoted {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else {
                word.append(character)
            }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }

    @Test func everyCommandTheSourcesSuggestParses() throws {
        let commands = try Self.quotedCommands()
        #expect(commands.count > 60, "the scan found too few commands: \(commands.count)")
        for (file, line, arguments) in commands {
            do {
                _ = try Embargo.parseAsRoot(arguments)
            } catch {
                let code = Embargo.exitCode(for: error)
                #expect(code == .success, "\(file):\(line): 'embargo \(arguments.joined(separator: " "))' does not parse: \(Embargo.message(for: error))")
            }
        }
    }

    @Test func incompleteCommandsAreCaught() {
        // The check itself: a command without a required option does not parse.
        #expect(throws: (any Error).self) { _ = try Embargo.parseAsRoot(["prerelease", "ADV-2026-001"]) }
        #expect(throws: (any Error).self) { _ = try Embargo.parseAsRoot(["schedule", "ADV-2026-001"]) }
        #expect(throws: (any Error).self) { _ = try Embargo.parseAsRoot(["patch", "remove", "ADV-2026-001", "--branch", "1.0.x", "N"]) }
    }

    /// Every command's help at the default width of 80 columns: example lines are
    /// indented commands of at most 79 characters, continued with ' \' when longer.
    @Test func helpExamplesNeverWrap() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let tree = try #require(Typos.tree())
        func paths(_ command: Typos.Command, _ path: [String]) -> [[String]] {
            [path] + (command.subcommands ?? []).flatMap { paths($0, path + [$0.commandName]) }
        }
        var examples = 0
        for path in paths(tree, []) where path.last != "help" {
            let help = try box.embargo(path + ["--help"], env: ["COLUMNS": "80"]).stdout
            var inExample = false
            var continued = false
            for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("Example") {
                    inExample = true
                    continue
                }
                if line.hasPrefix("USAGE:") { inExample = false }
                guard inExample, !line.isEmpty else { continue }
                examples += 1
                let shown = "embargo \(path.joined(separator: " ")) --help: '\(line)'"
                #expect(line.count <= 79, "\(shown) is too long")
                #expect(line.hasPrefix(continued ? "    " : "  ") && !line.hasPrefix(continued ? "     " : "   "), "\(shown) is wrapped")
                continued = line.hasSuffix(" \\")
            }
        }
        #expect(examples > 80, "too few example lines found: \(examples)")

        // The formatter re-wraps a discussion line of 80 columns or more, leaving a word
        // or two on a line of their own: none is that long.
        let dump = try box.json(box.ok(["--experimental-dump-help"]).stdout)
        func discussions(_ command: [String: Any], _ path: [String]) -> [(String, String)] {
            [(path.joined(separator: " "), command["discussion"] as? String ?? "")]
                + (command["subcommands"] as? [[String: Any]] ?? []).flatMap { discussions($0, path + [$0["commandName"] as? String ?? "?"]) }
        }
        let all = discussions(try #require(dump["command"] as? [String: Any]), ["embargo"])
        #expect(all.count > 60)
        for (path, text) in all {
            for line in text.split(separator: "\n") where line.count >= 80 {
                Issue.record("\(path) --help: '\(line)' is \(line.count) columns wide")
            }
        }
    }
}
