import EmbargoKit
import Foundation
import Testing

/// `embargo unlock`: the passphrase is asked once, an agent of the user's
/// holds the identity until its time is up or `embargo lock`, and only for
/// the identity file it was unlocked from.
@Suite("identity agent through the CLI", .serialized)
struct AgentCLITests {
    @Test func unlockOnceThenCommandsNeedNoPassphraseUntilLock() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let runtime = box.root.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let agent = ["XDG_RUNTIME_DIR": runtime.path]
        defer { _ = try? box.embargo(["lock"], env: agent) }
        let passFile = box.path("pass")
        try "correct horse battery\n".write(toFile: passFile, atomically: true, encoding: .utf8)
        let passphrase = ["EMBARGO_PASSPHRASE_FILE": passFile]
        try box.ok(["identity", "new", "--passphrase"], env: passphrase)
        try box.ok(["init", "--name", "alice"], env: passphrase)
        #expect(try box.embargo(["member", "list"], env: agent).status == 5, "locked: no terminal, no passphrase")

        let unlocked = try box.ok(["unlock", "--for", "10m"], env: passphrase.merging(agent) { $1 })
        #expect(unlocked.stdout.contains("unlocked"), "\(unlocked.stdout)")
        let socket = runtime.appendingPathComponent("embargo/agent.sock")
        let mode = try FileManager.default.attributesOfItem(atPath: socket.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: socket.deletingLastPathComponent().path)[.posixPermissions] as? Int
        #expect(directory == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: socket.deletingLastPathComponent().path) == ["agent.sock"], "no file but the socket")

        // Every command now works without the passphrase.
        try box.ok(["member", "list"], env: agent)
        try box.ok(["project", "list"], env: agent)
        #expect(try box.ok(["unlock"], env: agent).stdout.contains("already unlocked"))

        // Another protected identity file is not served by this agent.
        try box.ok(["identity", "new", "--passphrase", "--out", box.path("other.identity")], env: passphrase)
        #expect(try box.embargo(["identity", "show", "--identity", box.path("other.identity")], env: agent).status == 5)

        // A bad argument is refused before any identity is needed.
        let bad = try box.embargo(["advisory", "show"], env: agent)
        #expect(bad.status == 64)

        #expect(try box.ok(["lock"], env: agent).stdout.contains("locked"))
        #expect(try box.embargo(["member", "list"], env: agent).status == 5, "locked again")
        #expect(try box.ok(["lock"], env: agent).stdout.contains("no agent was running"))
        #expect(!FileManager.default.fileExists(atPath: socket.path))
    }

    /// The agent ends by itself when its time is up, and removes its socket.
    @Test func theAgentEndsWhenItsTimeIsUp() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let socket = box.root.appendingPathComponent("run/embargo/agent.sock")
        let started = Date()
        let run = try box.run(embargoBinary.path, ["agent", "--socket", socket.path, "--seconds", "1", "--digest", "00"], stdin: "5\nhello")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Date().timeIntervalSince(started) >= 1)
        #expect(!FileManager.default.fileExists(atPath: socket.path))
    }

    @Test func unlockWithoutARuntimeDirectoryIsOneLine() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let run = try box.embargo(["unlock"], env: ["XDG_RUNTIME_DIR": ""])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("embargo: error: XDG_RUNTIME_DIR is not set"), "\(run.stderr)")
    }
}
