import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Run a complete embargo on a generated sample repository, showing each command.",
            discussion: """
                Everything happens in a new temporary directory (mode 0700) that is removed
                afterwards unless --keep is given. Each step runs the real embargo binary.

                Example:
                  embargo demo
                  embargo demo --keep
                """
        )

        @Flag(help: "Keep the demo directory and print its path.")
        var keep = false

        static var year: Int { Calendar(identifier: .gregorian).component(.year, from: Date()) }

        func run() throws {
            let root = try TemporaryDirectory.create(prefix: "embargo-demo")
            defer { keep ? TemporaryDirectory.keep(root) : TemporaryDirectory.remove(root) }
            let runner = DemoRunner(root: root)

            runner.say("Generating a sample Drupal module with release branches 1.0.x and 1.1.x in \(root.path)")
            let sample = try SampleProject.create(at: root)
            runner.say("Its public remote is the bare repository \(sample.remote.lastPathComponent).")

            runner.say("Alice, the release preparer, creates her identity and the encrypted store.")
            try runner.embargo(["identity", "new"])
            try runner.embargo(["init", "--name", "alice"])

            runner.say("Bob from the security team creates his identity; Alice adds him as a member.")
            let bob = root.appendingPathComponent("bob.identity").path
            try runner.embargo(["identity", "new", "--out", bob])
            let keys = try runner.embargo(["identity", "show", "--identity", bob, "--json"])
            let shown = try JSONDecoder().decode([String: AnyCodableValue].self, from: Data(keys.utf8))
            guard case .string(let recipient)? = shown["recipient"], case .string(let signingKey)? = shown["signing_key"] else {
                throw EmbargoError(.failure, "the demo could not read bob's keys")
            }
            try runner.embargo(["member", "add", "bob", "--recipient", recipient, "--signing-key", signingKey, "--role", "security"])
            try runner.embargo(["member", "list"])

            runner.say("Bob works on his own machine. Alice connects the store to the team's private git remote (a bare repository here); it only ever receives sealed, signed files.")
            let team = root.appendingPathComponent("team-store.git")
            try runner.git(root, ["init", "--quiet", "--bare", team.path])
            try runner.embargo(["store", "remote", "set", team.path])
            try runner.embargo(["store", "clone", team.path], on: .bob)

            runner.say("Alice registers the project with its release branches.")
            try runner.embargo(["project", "add", SampleProject.name, "--repo", sample.repository.path,
                                "--remote", "origin", "--branch", "1.0.x", "--branch", "1.1.x"])
            try runner.embargo(["project", "show", SampleProject.name])

            runner.say("A report arrives. Alice registers the advisory; its text never leaves the encrypted store.")
            try runner.embargo(["advisory", "create", "--project", SampleProject.name, "--title", "Greeting page echoes its input unescaped",
                                "--public-title", "Cross site scripting", "--type", "Cross site scripting", "--cwe", "CWE-79",
                                "--reporter", "Jane Reporter <https://www.drupal.org/u/jane>", "--reported-at", "2026-11-02",
                                "--risk", "AC:Basic/A:None/CI:Some/II:Some/E:Theoretical/TD:Default",
                                "--cvss", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "--sa-id", "SA-CONTRIB-\(Self.year)-001"])
            try runner.embargo(["advisory", "status", "ADV-\(Self.year)-001", "confirmed", "--note", "reproduced on 1.0.x and 1.1.x"])
            try runner.embargo(["advisory", "show", "ADV-\(Self.year)-001"])

            runner.say("The Drupal policy puts the release on a Wednesday, 16:00-20:00 UTC; embargo picks the next window.")
            try runner.embargo(["schedule", "ADV-\(Self.year)-001", "--next-window"])
            try runner.embargo(["timeline", "ADV-\(Self.year)-001", "--tz", "Europe/Brussels"])
            let scheduled = try runner.embargo(["advisory", "show", "ADV-\(Self.year)-001", "--json"], echo: false)
            let releaseDay = scheduled.firstMatch(of: /"disclosure_at" : "([0-9-]{10})T/).map { String($0.1) } ?? ""

            let id = "ADV-\(Self.year)-001"
            runner.say("Alice writes the fix on private local branches, with a neutral commit message, and stores it as patches.")
            for branch in SampleProject.branches {
                try runner.git(sample.repository, ["checkout", "--quiet", "-b", "wip-\(branch)", branch])
                let file = sample.repository.appendingPathComponent("src/Controller/PageController.php")
                let text = try String(contentsOf: file, encoding: .utf8)
                try text.replacingOccurrences(of: "'Hello ' . $name", with: "'Hello ' . htmlspecialchars($name)")
                    .write(to: file, atomically: true, encoding: .utf8)
                try runner.git(sample.repository, ["commit", "--quiet", "-am", "Issue #3400030 by maintainer: Tidy the page title"])
                try runner.embargo(["patch", "add", id, "--branch", branch, "--from-ref", "wip-\(branch)"])
            }
            try runner.git(sample.repository, ["checkout", "--quiet", "1.1.x"])

            runner.say("The pre-push guard refuses to publish the fix early, even by accident.")
            try runner.embargo(["guard", "install", "--project", SampleProject.name])
            try runner.gitExpectingFailure(sample.repository, ["push", "origin", "wip-1.0.x"])
            try runner.git(sample.repository, ["branch", "--quiet", "-D", "wip-1.0.x", "wip-1.1.x"])

            runner.say("The leak linter and a test run in a throwaway clone check the series on both branches.")
            try runner.embargo(["lint", id])
            try runner.embargo(["project", "set", SampleProject.name, "--test-command", "grep -q htmlspecialchars src/Controller/PageController.php"])
            try runner.embargo(["patch", "verify", id])

            runner.say("Alice builds the pre-release: release commits, tags and archives, signed and encrypted for bob. It makes the advisory's security release too.")
            let outbox = root.appendingPathComponent("outbox").path
            try runner.embargo(["prerelease", id, "--out", outbox])
            let bundle = try FileManager.default.contentsOfDirectory(atPath: outbox).first { $0.hasSuffix(".tar.age") }
                .map { "\(outbox)/\($0)" } ?? outbox

            runner.say("On his machine, bob checks the bundle (age, minisign and sha256sum would do too) and approves exactly what he opened; approve syncs first, and the approval reaches the team at once.")
            try runner.embargo(["store", "sync"], on: .bob)
            try runner.embargo(["prerelease", "verify", bundle], on: .bob)
            try runner.embargo(["approve", id, "--bundle", bundle], on: .bob)

            runner.say("Release day, a Wednesday. The security release comes first, in drupal.org's order: the preparer tags it from the approved pre-release (from 00:00 UTC, ready by 11:00; the demo is early, so it says why), exactly as bob reviewed it.")
            let security = "REL-\(Self.year)-001"
            try runner.embargo(["release", "show", security])
            try runner.embargo(["release", "tag", security, "--yes", "--early", "the demo simulates release day"])
            try runner.git(root, ["ls-remote", "--tags", sample.remote.path])
            try runner.embargo(["release", "node", security])
            runner.say("The Security Team publishes the SA; recording it finishes the advisory's publication and its public documents.")
            try runner.embargo(["release", "published", security, "--sa-url", "https://www.drupal.org/sa-contrib-\(Self.year)-001",
                                "--url", "https://www.drupal.org/project/\(SampleProject.name)/releases/1.1.1",
                                "--out", root.appendingPathComponent("public").path])
            try runner.embargo(["release", "announce", security])

            runner.say("The same Wednesday, the regular patch release of 1.1.x (16:00-20:00 UTC) carries an ordinary fix merged before the cutoff.")
            try runner.git(sample.repository, ["checkout", "--quiet", "1.1.x"])
            try runner.git(sample.repository, ["pull", "--quiet", "--ff-only", "origin", "1.1.x"])
            try "Say hello politely.\n".write(to: sample.repository.appendingPathComponent("HELP.md"), atomically: true, encoding: .utf8)
            try runner.git(sample.repository, ["add", "HELP.md"])
            try runner.git(sample.repository, ["commit", "--quiet", "-m", "docs: #3400040 Add a help page\n\nBy: jane"])
            try runner.git(sample.repository, ["push", "--quiet", "origin", "1.1.x"])
            try runner.embargo(["release", "plan", "--project", SampleProject.name, "--kind", "patch", "--branch", "1.1.x",
                                "--at", "\(releaseDay)T17:00Z", "--issue", "3400040"])
            let patch = "REL-\(Self.year)-002"
            try runner.embargo(["release", "tag", patch, "--yes", "--early", "the demo simulates release day"])
            try runner.embargo(["release", "verify", patch])
            try runner.embargo(["release", "published", patch, "--url", "https://www.drupal.org/project/\(SampleProject.name)/releases/1.1.2"])
            try runner.embargo(["release", "announce", patch, "--highlight", "3400040"])
            try runner.embargo(["release", "list"])

            runner.say("Every change is on the signed audit trail, the same on both machines.")
            try runner.embargo(["audit", "--advisory", id])
            try runner.embargo(["audit", "verify"])
            try runner.embargo(["store", "sync"], on: .bob)
            try runner.embargo(["audit", "verify"], on: .bob)

            runner.say("The store is one encrypted file (and a journal of commits once it is large) plus the keyring, which any member opens with age.")
            try runner.embargo(["store", "verify"])
            try runner.embargo(["store", "verify"], on: .bob)
            try runner.embargo(["store", "remote", "show"], on: .bob)

            runner.say("Demo complete.")
            if keep { runner.say("The demo directory is kept: \(root.path)") }
        }
    }
}

/// Runs the embargo binary itself for each demo step and echoes the command and its output.
struct DemoRunner {
    let root: URL

    func say(_ text: String) {
        Terminal.say("\n# \(text)")
    }

    /// The two simulated machines: each has its own store, identity and memory.
    enum Machine: String {
        case alice, bob
    }

    @discardableResult
    func embargo(_ arguments: [String], on machine: Machine = .alice, echo: Bool = true) throws -> String {
        if echo { Terminal.say("\(machine == .alice ? "" : "[bob's machine] ")$ embargo \(arguments.map(quoted).joined(separator: " "))") }
        var env = SampleProject.gitEnvironment()
        let home = root.appendingPathComponent("\(machine.rawValue)-machine")
        env["EMBARGO_STORE"] = machine == .alice ? root.appendingPathComponent("store").path : home.appendingPathComponent("store").path
        env["EMBARGO_IDENTITY"] = root.appendingPathComponent("\(machine.rawValue).identity").path
        env["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        env.removeValue(forKey: "EMBARGO_PASSPHRASE_FILE")
        let result = try SystemProcessRunner().run(
            ownExecutable(), arguments, environment: env, directory: root, input: nil)
        let text = result.stdoutText
        if echo, !text.isEmpty { Terminal.say(text, terminator: text.hasSuffix("\n") ? "" : "\n") }
        if !result.stderr.isEmpty { FileHandle.standardError.write(Data(result.stderr)) }
        guard result.status == 0 else {
            throw EmbargoError(.failure, "demo step 'embargo \(arguments.first ?? "")' failed with exit code \(result.status)")
        }
        return text
    }

    /// Runs git in `directory` (shown like the embargo steps) and requires success.
    func git(_ directory: URL, _ arguments: [String]) throws {
        let result = try runGit(directory, arguments)
        guard result.status == 0 else {
            throw EmbargoError(.failure, "demo step 'git \(arguments.first ?? "")' failed: \(result.stderrText)")
        }
    }

    /// Runs git and requires it to fail (the guard refusing a push).
    func gitExpectingFailure(_ directory: URL, _ arguments: [String]) throws {
        let result = try runGit(directory, arguments)
        guard result.status != 0 else {
            throw EmbargoError(.failure, "demo step 'git \(arguments.joined(separator: " "))' should have been refused")
        }
        Terminal.say("(refused, as it should be)")
    }

    private func runGit(_ directory: URL, _ arguments: [String]) throws -> ProcessResult {
        if !arguments.contains("--quiet") { Terminal.say("$ git \(arguments.map(quoted).joined(separator: " "))") }
        var env = SampleProject.gitEnvironment()
        env["EMBARGO_STORE"] = root.appendingPathComponent("store").path
        env["EMBARGO_IDENTITY"] = root.appendingPathComponent("alice.identity").path
        let result = try SystemProcessRunner().run("git", ["-C", directory.path] + arguments, environment: env, directory: root, input: nil)
        if !arguments.contains("--quiet") {
            Terminal.say(result.stdoutText + result.stderrText, terminator: "")
        }
        return result
    }

    private func ownExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    private func quoted(_ argument: String) -> String {
        argument.contains(" ") ? "'\(argument)'" : argument
    }
}

/// A minimal JSON value, to read the demo's own JSON output.
enum AnyCodableValue: Decodable {
    case string(String)
    case other

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .other
        }
    }
}
