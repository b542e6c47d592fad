import Foundation
import Testing

/// A write that cannot reach the team remote prepares its entry; the next
/// sync pushes it at once when nobody pushed meanwhile, and otherwise does a
/// whole sync, bringing the others' changes in first.
@Suite("team store: prepared pushes", .serialized)
struct PreparedSyncCLITests {
    static let offline = ["GIT_ALLOW_PROTOCOL": "ssh"]

    /// The git commands (`fetch`, `push`, ...) that `arguments` ran on `box`, from git's own trace.
    static func gitCommands(_ box: Sandbox, _ arguments: [String]) throws -> (run: Run, commands: [String]) {
        let trace = box.root.appendingPathComponent("trace-\(UUID().uuidString).json")
        let run = try box.ok(arguments, env: ["GIT_TRACE2_EVENT": trace.path])
        defer { try? FileManager.default.removeItem(at: trace) }
        let text = (try? String(contentsOf: trace, encoding: .utf8)) ?? ""
        let commands = text.split(separator: "\n").compactMap { line -> String? in
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  event["event"] as? String == "start", let argv = event["argv"] as? [String] else { return nil }
            // The top-level git commands embargo started: `git -C <clone> <command> ...`.
            guard argv.count > 3, argv[1] == "-C" else { return nil }
            return argv[3]
        }
        return (run, commands)
    }

    @Test func aChangeMadeOfflineGoesOutInOnePushWhenTheTeamHasNotMoved() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"], bob = team["bob"]
        try alice.ok(["advisory", "create", "--project", "sample", "--title", "One", "--description", "d"])
        try bob.ok(["store", "sync"])

        let noted = try bob.ok(["advisory", "note", "ADV-2026-001", "bob was offline"], env: Self.offline)
        #expect(noted.stderr.contains("could not reach the team remote"))
        let outbox = bob.store.appendingPathComponent("team/outbox.json")
        #expect(FileManager.default.fileExists(atPath: outbox.path))

        let (sent, commands) = try Self.gitCommands(bob, ["store", "sync", "--json"])
        #expect(commands == ["push"], "\(commands)")
        let report = try bob.json(sent.stdout)
        let outgoing = report["outgoing"] as? [[String: Any]] ?? []
        #expect(outgoing.count == 1)
        #expect(outgoing.first?["changes"] as? [String] == ["ADV-2026-001: timeline"])
        #expect(outgoing.first?["author"] as? String == "bob")
        #expect(!FileManager.default.fileExists(atPath: outbox.path))
        #expect(report["sequence"] as? Int == outgoing.first?["sequence"] as? Int)

        // What went out is a whole team log entry: the others take it, and every check passes everywhere.
        try alice.ok(["store", "sync"])
        #expect(try alice.ok(["timeline", "ADV-2026-001", "--json"]).stdout.contains("bob was offline"))
        let again = try bob.ok(["store", "sync"])
        #expect(again.stdout.contains("up to date"), "\(again.stdout)")
        for box in [alice, bob] {
            try box.ok(["audit", "verify"])
            try box.ok(["store", "verify"])
        }
    }

    @Test func whenTheTeamMovedMeanwhileTheirChangesComeInFirst() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"], bob = team["bob"]
        try alice.ok(["advisory", "create", "--project", "sample", "--title", "One", "--description", "d"])
        try bob.ok(["store", "sync"])
        try bob.ok(["advisory", "note", "ADV-2026-001", "bob's offline note"], env: Self.offline)
        try alice.ok(["advisory", "note", "ADV-2026-001", "alice's note"])

        let (synced, commands) = try Self.gitCommands(bob, ["store", "sync"])
        #expect(commands.first == "push" && commands.contains("fetch"), "the lease refused the prepared push, then a whole sync: \(commands)")
        #expect(synced.stdout.contains("in   #"), "\(synced.stdout)")
        #expect(synced.stdout.contains("out  #"), "\(synced.stdout)")
        try alice.ok(["store", "sync"])
        for box in [alice, bob] {
            let timeline = try box.ok(["timeline", "ADV-2026-001", "--json"]).stdout
            #expect(timeline.contains("bob's offline note") && timeline.contains("alice's note"))
            try box.ok(["audit", "verify"])
            try box.ok(["store", "verify"])
        }
    }

    /// A write's own sync pushes first, with the lease: no fetch when nobody
    /// pushed meanwhile; when someone did, the lease refuses and the whole
    /// sync brings their change in before sending this one.
    @Test func aWritesOwnSyncFetchesOnlyWhenTheTeamMoved() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"], bob = team["bob"]
        try alice.ok(["advisory", "create", "--project", "sample", "--title", "One", "--description", "d"])
        try bob.ok(["store", "sync"])

        let (_, alone) = try Self.gitCommands(alice, ["advisory", "note", "ADV-2026-001", "alice alone"])
        #expect(!alone.contains("fetch") && alone.last == "push", "\(alone)")
        try bob.ok(["advisory", "note", "ADV-2026-001", "bob meanwhile"])
        let (noted, moved) = try Self.gitCommands(alice, ["advisory", "note", "ADV-2026-001", "alice after bob"])
        #expect(moved.first != "fetch" && moved.contains("fetch") && moved.last == "push", "\(moved)")
        #expect(noted.stderr.contains("bob"), "the team's change came in first: \(noted.stderr)")
        try bob.ok(["store", "sync"])
        for box in [alice, bob] {
            let timeline = try box.ok(["timeline", "ADV-2026-001", "--json"]).stdout
            #expect(["alice alone", "bob meanwhile", "alice after bob"].allSatisfy { timeline.contains($0) })
            try box.ok(["audit", "verify"])
            try box.ok(["store", "verify"])
        }
    }

    /// `store remote show` says whether changes wait, also when a sync that
    /// stopped at the wrong moment left no last synced state behind.
    @Test func remoteShowKnowsWhatIsPendingWithoutTheLastSyncedState() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let bob = team["bob"]
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "One", "--description", "d"])
        try bob.ok(["store", "sync"])
        let base = bob.store.appendingPathComponent("team/base.embargo")
        try FileManager.default.removeItem(at: base)
        #expect(try bob.ok(["store", "remote", "show"]).stdout.contains("pending: nothing"))
        try bob.ok(["advisory", "note", "ADV-2026-001", "waiting"], env: Self.offline)
        #expect(!FileManager.default.fileExists(atPath: base.path), "nothing was prepared without it")
        #expect(try bob.ok(["store", "remote", "show"]).stdout.contains("pending: this machine has changes the team has not received"))
        try bob.ok(["store", "sync"])
        #expect(try bob.ok(["store", "remote", "show"]).stdout.contains("pending: nothing"))
        try team["alice"].ok(["store", "sync"])
        #expect(try team["alice"].ok(["timeline", "ADV-2026-001", "--json"]).stdout.contains("waiting"))
    }

    /// An admin's write that a snapshot is due to follow (here: the log was
    /// written by an older embargo, as far as this machine knows) is not sent
    /// by the prepared push but by the whole sync, which writes the snapshot.
    @Test func anAdminsWriteThatASnapshotIsDueToFollowWritesIt() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"]
        let state = alice.store.appendingPathComponent("team/state.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: state)) as? [String: Any])
        config.removeValue(forKey: "clone_schema")
        try JSONSerialization.data(withJSONObject: config).write(to: state)
        try alice.ok(["advisory", "create", "--project", "sample", "--title", "One", "--description", "d"])
        let log = try alice.run("git", ["-C", team.remote.path, "ls-tree", "--name-only", "main", "log/"]).stdout
        #expect(log.split(separator: "\n").last?.hasSuffix(".snapshot") == true, "\(log)")
        try team["bob"].ok(["store", "sync"])
        try team["bob"].ok(["audit", "verify"])
    }

    /// Something prepared for another state of the store, or changed by hand,
    /// is never pushed: the sync does all of its work instead.
    @Test func aPreparedPushThatNoLongerHoldsIsNotUsed() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"], bob = team["bob"]
        try alice.ok(["advisory", "create", "--project", "sample", "--title", "One", "--description", "d"])
        try bob.ok(["store", "sync"])
        try bob.ok(["advisory", "note", "ADV-2026-001", "first"], env: Self.offline)
        let outbox = bob.store.appendingPathComponent("team/outbox.json")
        let prepared = try Data(contentsOf: outbox)
        var fields = try JSONSerialization.jsonObject(with: prepared) as! [String: Any]
        fields["generation"] = (fields["generation"] as! Int) - 1
        try JSONSerialization.data(withJSONObject: fields).write(to: outbox)

        let (_, commands) = try Self.gitCommands(bob, ["store", "sync"])
        #expect(commands.contains("fetch"), "\(commands)")
        try alice.ok(["store", "sync"])
        #expect(try alice.ok(["timeline", "ADV-2026-001", "--json"]).stdout.contains("first"))

        // A second offline change replaces what the first prepared: one entry carries both.
        try bob.ok(["advisory", "note", "ADV-2026-001", "second"], env: Self.offline)
        try bob.ok(["advisory", "note", "ADV-2026-001", "third"], env: Self.offline)
        let (sent, pushed) = try Self.gitCommands(bob, ["store", "sync", "--json"])
        #expect(pushed == ["push"], "\(pushed)")
        #expect((try bob.json(sent.stdout)["outgoing"] as? [Any])?.count == 1)
        try alice.ok(["store", "sync"])
        let timeline = try alice.ok(["timeline", "ADV-2026-001", "--json"]).stdout
        #expect(timeline.contains("second") && timeline.contains("third"))
        try alice.ok(["audit", "verify"])
    }
}
