import EmbargoKit
import EmbargoStore
import Foundation
import Testing

/// A command killed outright leaves its throwaway clone (patched source,
/// private refs) behind; the next command removes it, and never one that a
/// running command still uses.
@Suite("no plaintext left by a killed command")
struct StaleTemporaryCLITests {
    func clones(_ box: Sandbox) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: box.path("tmp"))) ?? []
        return Set(names.filter { $0.hasPrefix("embargo-clone.") })
    }

    /// Starts `patch verify` and waits until its test command runs (it marks
    /// its start, then sleeps): by then git has finished writing the clone, so
    /// nothing but the sleeping test command is left of it once it is killed.
    func startVerify(_ box: Sandbox, besides known: Set<String>) throws -> (SpawnedProcess, String) {
        let process = try box.start(["patch", "verify", "ADV-2026-001"])
        let deadline = Date() + 60
        while Date() < deadline {
            if let new = clones(box).subtracting(known).first,
               FileManager.default.fileExists(atPath: box.path("tmp/\(new)/work/.test-started")) {
                return (process, new)
            }
            usleep(20_000)
        }
        process.terminate()
        throw EmbargoError(.failure, "patch verify started no test command in time")
    }

    @Test func theNextCommandRemovesWhatAKilledOneLeftButNotWhatALiveOneUses() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try ReleaseFixture(box)
        try box.ok(["project", "set", SampleProject.name, "--test-command", "touch .test-started && sleep 30"])

        let (killed, stale) = try startVerify(box, besides: [])
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        #expect(clones(box).contains(stale), "the killed command's clone is still there")

        let (running, live) = try startVerify(box, besides: [stale])
        defer {
            running.terminate()
            running.waitUntilExit()
        }
        try box.ok(["advisory", "list"])
        #expect(!clones(box).contains(stale), "the stale clone was removed")
        #expect(clones(box).contains(live), "the running command's clone was kept")
        #expect(FileManager.default.fileExists(atPath: box.path("tmp/\(live)/work")))
    }
}
