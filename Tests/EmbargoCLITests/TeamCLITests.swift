import EmbargoKit
import Foundation
import Testing
import TestSupport

/// Several machines, each with its own HOME, identity and store, sharing one
/// store through a local bare git repository, as a team does through its
/// private remote. Every step runs the real CLI.
struct Team {
    let remote: URL
    let machines: [String: Sandbox]
    let project: URL

    /// `admin` founds the store and connects it; every other name gets a
    /// machine of its own, is added by the admin with its role, and clones.
    init(admin: String = "alice", members: [(String, String)]) throws {
        let first = try Sandbox()
        remote = first.root.appendingPathComponent("team.git")
        try first.git(["init", "--quiet", "--bare", remote.path])
        try first.ok(["identity", "new"])
        try first.ok(["init", "--name", admin])
        project = try first.makeRepository(branches: ["1.0.x"])
        try first.ok(["project", "add", "sample", "--repo", project.path, "--remote", "origin", "--branch", "1.0.x"])
        try first.ok(["store", "remote", "set", remote.path])
        var machines = [admin: first]
        for (name, role) in members {
            let box = try Sandbox()
            try box.becomeMember(name, role: role, addedBy: first)
            try box.ok(["store", "clone", remote.path])
            machines[name] = box
        }
        self.machines = machines
    }

    subscript(_ name: String) -> Sandbox { machines[name]! }

    func remove() {
        for box in machines.values { box.remove() }
    }

    /// The commit the remote's `main` is at.
    func remoteHead() throws -> String {
        try machines.values.first!.run("git", ["-C", remote.path, "rev-parse", "main"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Moves the remote's `main` back to `head` (as an admin undoing a bad push would).
    func resetRemote(to head: String) throws {
        _ = try machines.values.first!.run("git", ["-C", remote.path, "update-ref", "refs/heads/main", head])
    }

    /// Every object of the remote repository, reachable or not, as bytes.
    func remoteObjects() throws -> [[UInt8]] {
        let box = machines.values.first!
        var objects: [[UInt8]] = []
        let list = try box.run("git", ["-C", remote.path, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"]).stdout
        for id in list.split(separator: "\n") {
            let type = try box.run("git", ["-C", remote.path, "cat-file", "-t", String(id)]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let content = try box.run("git", ["-C", remote.path, "cat-file", type, String(id)])
            objects.append(Array(content.stdout.utf8))
        }
        return objects
    }
}

@Suite("team store", .serialized)
struct TeamCLITests {
    /// Three machines change their own fields and advisories offline and sync
    /// in a random order; at the end every machine holds the same rows with
    /// every change anyone made, and every check passes everywhere.
    @Test func threeMachinesConvergeUnderARandomSchedule() throws {
        let team = try Team(members: [("bob", "preparer"), ("carol", "preparer")])
        defer { team.remove() }
        let names = ["alice", "bob", "carol"]
        // Each machine edits one field of its own, so that no two changes collide.
        let fields = ["alice": "--description", "bob": "--solution", "carol": "--cwe"]
        let columns = ["alice": "description", "bob": "solution", "carol": "cwes"]
        // Writes happen offline (git may not use the file protocol); only the sync steps reach the remote.
        let offline = ["GIT_ALLOW_PROTOCOL": "ssh"]
        func value(_ advisory: [String: Any], _ column: String) -> String? {
            column == "cwes" ? (advisory["cwes"] as? [Int]).map { $0.map(String.init).joined(separator: ",") } : advisory[column] as? String
        }
        let seed = UInt64(ProcessInfo.processInfo.environment["EMBARGO_TEST_SEED"] ?? "") ?? 0x7EA4_2026
        var random = SeededGenerator(seed: seed)
        var created: Set<String> = []
        var expected: [String: [String: String]] = [:] // title -> column -> value
        var notes: Set<String> = []
        let steps = 200
        for step in 0..<steps {
            let name = names[Int.random(in: 0..<3, using: &random)]
            let box = team[name]
            switch Int.random(in: 0..<10, using: &random) {
            case 0, 1:
                let title = "\(name) finding \(step)"
                try box.ok(["advisory", "create", "--project", "sample", "--title", title, "--description", "first"], env: offline)
                created.insert(title)
                expected[title, default: [:]]["description"] = "first"
            case 2, 3, 4:
                let listed = try box.json(box.ok(["advisory", "list", "--json"]).stdout)["advisories"] as? [[String: Any]] ?? []
                guard let pick = listed.isEmpty ? nil : listed[Int.random(in: 0..<listed.count, using: &random)],
                      let id = pick["id"] as? String, let title = pick["private_title"] as? String else { continue }
                let value = name == "carol" ? String(step + 1) : "\(name) value \(step)"
                try box.ok(["advisory", "edit", id, fields[name]!, value], env: offline)
                expected[title, default: [:]][columns[name]!] = value
            case 5, 6:
                let listed = try box.json(box.ok(["advisory", "list", "--json"]).stdout)["advisories"] as? [[String: Any]] ?? []
                guard let pick = listed.isEmpty ? nil : listed[Int.random(in: 0..<listed.count, using: &random)],
                      let id = pick["id"] as? String else { continue }
                let text = "\(name) note \(step)"
                try box.ok(["advisory", "note", id, text], env: offline)
                notes.insert(text)
            default:
                try box.ok(["store", "sync"])
            }
        }
        // Two rounds bring everyone to the same entry.
        for _ in 0..<2 { for name in names { try team[name].ok(["store", "sync"]) } }

        var lists: [String] = []
        for name in names {
            let box = team[name]
            let listed = try box.json(box.ok(["advisory", "list", "--json"]).stdout)["advisories"] as? [[String: Any]] ?? []
            #expect(Set(listed.compactMap { $0["private_title"] as? String }) == created, "\(name) holds every advisory")
            for advisory in listed {
                let title = advisory["private_title"] as? String ?? ""
                for (column, expectedValue) in expected[title] ?? [:] {
                    #expect(value(advisory, column) == expectedValue, "\(name): \(title) \(column)")
                }
            }
            var seen = ""
            for advisory in listed {
                seen += try box.ok(["timeline", advisory["id"] as! String, "--json"]).stdout
            }
            #expect(notes.allSatisfy { seen.contains($0) }, "\(name) holds every note")
            try box.ok(["audit", "verify"])
            try box.ok(["store", "verify"])
            lists.append(listed.map { "\($0["id"] ?? "") \($0["private_title"] ?? "") \($0["description"] ?? "") \($0["solution"] ?? "")" }.sorted().joined(separator: "\n"))
            let audit = try box.json(box.ok(["audit", "--json"]).stdout)["entries"] as? [[String: Any]] ?? []
            lists.append("audit \(audit.count) \(audit.last?["hash"] ?? "")")
        }
        #expect(lists[0] == lists[2] && lists[2] == lists[4], "the three machines hold the same advisories")
        #expect(lists[1] == lists[3] && lists[3] == lists[5], "the three machines hold the same audit trail")
        print("team schedule: seed \(seed), \(steps) steps, \(created.count) advisories, \(notes.count) notes")
    }
}

extension TeamCLITests {
    /// Two members change the same field: the second sync stops with the
    /// field, both values and both authors; nothing is lost until settled.
    @Test func concurrentEditsOfOneFieldAreANamedConflict() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        try team["bob"].ok(["store", "sync"])
        try team["alice"].ok(["advisory", "edit", "ADV-2026-001", "--description", "alice's text"])
        let bobEdit = try team["bob"].embargo(["advisory", "edit", "ADV-2026-001", "--description", "bob's text"])
        #expect(bobEdit.status == 0, "the local edit commits; only its sync stops: \(bobEdit.stderr)")
        #expect(bobEdit.stderr.contains("conflict ADV-2026-001.description: mine 'bob's text' (bob"))
        #expect(bobEdit.stderr.contains("theirs 'alice's text' (alice"))
        let sync = try team["bob"].embargo(["store", "sync"])
        #expect(sync.status == 3)
        #expect(sync.stderr.contains("--keep mine|theirs"))
        let mine = try team["bob"].json(team["bob"].ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(mine?["description"] as? String == "bob's text", "the local change stays pending and intact")

        try team["bob"].ok(["store", "sync", "--keep", "mine", "ADV-2026-001.description"])
        try team["alice"].ok(["store", "sync"])
        let settled = try team["alice"].json(team["alice"].ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(settled?["description"] as? String == "bob's text")
        try team["alice"].ok(["audit", "verify"])
        try team["bob"].ok(["audit", "verify"])
    }

    /// One withdraws what the other worked on: a conflict, never a silent
    /// merge into a withdrawn advisory.
    @Test func aWithdrawalAgainstAChangeIsAConflict() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        try team["bob"].ok(["store", "sync"])
        try team["bob"].ok(["advisory", "edit", "ADV-2026-001", "--solution", "upgrade"])
        let withdraw = try team["alice"].ok(["advisory", "status", "ADV-2026-001", "withdrawn"])
        #expect(withdraw.stderr.contains("conflict ADV-2026-001.status"), "\(withdraw.stderr)")
        #expect(try team["alice"].embargo(["store", "sync"]).status == 3)
        try team["alice"].ok(["store", "sync", "--keep", "mine", "ADV-2026-001.status"])
        try team["bob"].ok(["store", "sync"])
        #expect(try team["bob"].ok(["advisory", "list"]).stdout.contains("withdrawn"))
    }
}

extension TeamCLITests {
    /// An advisory created offline whose id the team took meanwhile is
    /// renumbered, with one line saying so, and keeps its notes.
    @Test func anAdvisoryCreatedOfflineIsRenumbered() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let offline = ["GIT_ALLOW_PROTOCOL": "none"]
        try team["bob"].ok(["advisory", "create", "--project", "sample", "--title", "Bob's", "--description", "b"], env: offline)
        try team["bob"].ok(["advisory", "note", "ADV-2026-001", "bob's note"], env: offline)
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Alice's", "--description", "a"])
        let sync = try team["bob"].ok(["store", "sync"])
        #expect(sync.stdout.contains("renumbered ADV-2026-001 to ADV-2026-002"))
        let bobs = try team["bob"].json(team["bob"].ok(["advisory", "show", "ADV-2026-002", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(bobs?["private_title"] as? String == "Bob's")
        #expect(try team["bob"].ok(["timeline", "ADV-2026-002", "--json"]).stdout.contains("bob's note"))
        #expect(!(try team["bob"].ok(["timeline", "ADV-2026-001", "--json"]).stdout.contains("bob's note")))
        try team["alice"].ok(["store", "sync"])
        try team["alice"].ok(["audit", "verify"])
    }

    /// Offline, a write commits locally and says it could not push; the next sync sends it.
    @Test func offlineWritesAreKeptAndSentLater() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let moved = team.remote.deletingLastPathComponent().appendingPathComponent("away.git")
        try FileManager.default.moveItem(at: team.remote, to: moved)
        let create = try team["bob"].ok(["advisory", "create", "--project", "sample", "--title", "Offline", "--description", "x"])
        #expect(create.stderr.contains("could not reach the team remote"))
        let approve = try team["bob"].embargo(["approve", "ADV-2026-001", "--sha256", String(repeating: "0", count: 64)])
        #expect(approve.status == 3)
        #expect(approve.stderr.contains("needs the team remote"))
        let sync = try team["bob"].embargo(["store", "sync"])
        #expect(sync.status == 1, "a sync that could not reach the remote did not do its job: \(sync.stderr)")
        #expect(sync.stderr.hasPrefix("embargo: error: could not reach the team remote: "), "\(sync.stderr)")
        #expect(sync.stderr.contains("this machine's changes are kept"), "\(sync.stderr)")
        try FileManager.default.moveItem(at: moved, to: team.remote)
        try team["bob"].ok(["store", "sync"])
        try team["alice"].ok(["store", "sync"])
        #expect(try team["alice"].ok(["advisory", "list"]).stdout.contains("Offline"))

        // A read on a state synced more than an hour ago says how old it is.
        let state = team["alice"].store.appendingPathComponent("team/state.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: state)) as! [String: Any]
        config["synced_at"] = "2026-01-01T08:00:00Z"
        try JSONSerialization.data(withJSONObject: config).write(to: state)
        let list = try team["alice"].ok(["advisory", "list"])
        #expect(list.stderr.contains("working on the team state of 2026-01-01T08:00:00Z"), "\(list.stderr)")
    }
}

extension TeamCLITests {
    /// A rolled-back remote, a tampered file and an entry by a removed
    /// member are each refused with exit 4 (the removed member gets exit 5),
    /// and the local store stays intact.
    @Test func aRolledBackTamperedOrForgedRemoteIsRefused() throws {
        let team = try Team(members: [("bob", "preparer"), ("carol", "preparer")])
        defer { team.remove() }
        let alice = team["alice"], bob = team["bob"]
        try alice.ok(["advisory", "create", "--project", "sample", "--title", "One", "--description", "d"])
        let saved = alice.root.appendingPathComponent("saved.git")
        try FileManager.default.copyItem(at: team.remote, to: saved)
        try alice.ok(["advisory", "create", "--project", "sample", "--title", "Two", "--description", "d"])
        try bob.ok(["store", "sync"])
        let before = try bob.ok(["advisory", "list"]).stdout

        // Rollback: the remote's history is set back to an older state.
        let newest = alice.root.appendingPathComponent("newest.git")
        try FileManager.default.moveItem(at: team.remote, to: newest)
        try FileManager.default.copyItem(at: saved, to: team.remote)
        // Every machine that saw the newer state refuses it, and keeps its data.
        for box in [alice, bob] {
            let listed = try box.ok(["advisory", "list"]).stdout
            let rolled = try box.embargo(["store", "sync"])
            #expect(rolled.status == 4, "\(rolled.stderr)")
            #expect(rolled.stderr.contains("rolled back"), "\(rolled.stderr)")
            #expect(try box.ok(["advisory", "list"]).stdout == listed)
        }
        #expect(try bob.ok(["advisory", "list"]).stdout == before)
        try FileManager.default.removeItem(at: team.remote)
        try FileManager.default.moveItem(at: newest, to: team.remote)
        try bob.ok(["store", "sync"])

        // Tampering: someone with push access changes one byte of the newest entry.
        let work = alice.root.appendingPathComponent("attacker")
        try alice.git(["clone", "--quiet", "--branch", "main", team.remote.path, work.path])
        let log = work.appendingPathComponent("log")
        let newestFile = try FileManager.default.contentsOfDirectory(atPath: log.path).sorted().last!
        var bytes = [UInt8](try Data(contentsOf: log.appendingPathComponent(newestFile)))
        bytes[bytes.count - 20] ^= 0x01
        try Data(bytes).write(to: log.appendingPathComponent(newestFile))
        try alice.git(["-C", work.path, "commit", "--quiet", "-am", "embargo sync alice 1 changes"])
        try alice.git(["-C", work.path, "push", "--quiet", "origin", "HEAD:main"])
        let carol = team["carol"]
        for box in [alice, bob, carol] {
            let tampered = try box.embargo(["store", "sync"])
            #expect(tampered.status == 4, "\(tampered.stderr)")
            // Who had the entry sees it rewritten; who had not, sees it fail authentication.
            #expect(tampered.stderr.contains("team log entry") || tampered.stderr.contains("rewritten"), "\(tampered.stderr)")
            try box.ok(["store", "verify"])
        }
        try alice.git(["-C", work.path, "revert", "--no-edit", "HEAD"])
        try alice.git(["-C", work.path, "push", "--quiet", "origin", "HEAD:main"])
        try carol.ok(["store", "sync"])

        // A removed member: their key opens nothing new, and what they push is refused.
        try alice.ok(["member", "remove", "bob"])
        let removed = try bob.embargo(["store", "sync"])
        #expect(removed.status == 5, "\(removed.stderr)")
        #expect(removed.stderr.contains("you were removed from the team store"))
        try carol.ok(["store", "sync"])
        try carol.ok(["store", "verify"])
        try carol.ok(["audit", "verify"])
    }

    /// Titles, descriptions, notes and patches never reach the remote in
    /// plaintext: not in any object, reachable or not, nor in commit messages.
    @Test func nothingEmbargoedReachesTheRemote() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let canary = "CANARY-7f3e9a-greeting-xss"
        let alice = team["alice"]
        try alice.ok(["advisory", "create", "--project", "sample", "--title", "Title \(canary)", "--description", "Description \(canary)"])
        try alice.ok(["advisory", "note", "ADV-2026-001", "Note \(canary)"])
        let patch = """
            From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
            From: Alice <alice@example.org>
            Date: Mon, 1 Dec 2026 10:00:00 +0000
            Subject: [PATCH] Tidy greeting

            \(canary)
            ---
             README.md | 2 +-
             1 file changed, 1 insertion(+), 1 deletion(-)

            diff --git a/README.md b/README.md
            --- a/README.md
            +++ b/README.md
            @@ -1 +1 @@
            -hello
            +hello \(canary)
            --
            2.39.0

            """
        try patch.write(toFile: alice.path("fix.patch"), atomically: true, encoding: .utf8)
        try alice.ok(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--file", alice.path("fix.patch")])
        try alice.ok(["store", "sync"])
        try team["bob"].ok(["store", "sync"])
        for object in try team.remoteObjects() {
            #expect(String(decoding: object, as: UTF8.self).range(of: canary) == nil)
        }
        let messages = try alice.run("git", ["-C", team.remote.path, "log", "--format=%s %an %ae"]).stdout
        #expect(messages.split(separator: "\n").allSatisfy { $0.hasPrefix("embargo sync ") && $0.contains("@embargo.invalid") }, "\(messages)")
    }
}

extension TeamCLITests {
    /// A member the admin has not added cannot clone (exit 5), and a clone
    /// checks what it received.
    @Test func onlyMembersClone() throws {
        let team = try Team(members: [])
        defer { team.remove() }
        let stranger = try Sandbox()
        defer { stranger.remove() }
        try stranger.ok(["identity", "new"])
        let run = try stranger.embargo(["store", "clone", team.remote.path])
        #expect(run.status == 5, "\(run.stderr)")
        #expect(run.stderr.contains("not a member of the team store"))
        #expect(!FileManager.default.fileExists(atPath: stranger.store.appendingPathComponent("store.embargo").path))
        let show = try team["alice"].ok(["store", "remote", "show", "--json"])
        #expect(try team["alice"].json(show.stdout)["remote"] as? String == team.remote.path)
    }
}

extension TeamCLITests {
    /// An approved advisory on a team store (alice's machine, `box`), and a
    /// second machine (`other`) whose member pat may publish too, from a clone
    /// of the project of their own.
    struct PublishingTeam {
        let box: Sandbox
        let other: Sandbox
        let fixture: PublishFixture

        init() throws {
            box = try Sandbox()
            var other: Sandbox?
            do {
                other = try Sandbox()
                fixture = try Self.connect(box, other!)
            } catch {
                box.remove()
                other?.remove()
                throw error
            }
            self.other = other!
        }

        /// The approved advisory on `box`'s team store, and pat's clone on `other`.
        private static func connect(_ box: Sandbox, _ other: Sandbox) throws -> PublishFixture {
            let fixture = try PublishFixture(box)
            _ = try box.shareWithPublisher(other, projectRemote: fixture.remote)
            return fixture
        }

        func remove() {
            box.remove()
            other.remove()
        }
    }

    /// Two publishing managers on two machines: whoever claims the advisory
    /// through the remote first publishes; the other is refused with the
    /// first one's name before pushing any tag.
    @Test func onlyOnePublisherPublishes() throws {
        let team = try PublishingTeam()
        defer { team.remove() }
        let (box, other, fixture) = (team.box, team.other, team.fixture)
        let before = try fixture.remoteRefs()

        // Both start at the same moment.
        let first = try box.start(["publish", "ADV-2026-001", "--out", box.path("public")])
        let second = try other.start(["publish", "ADV-2026-001", "--out", other.path("public")])
        first.waitUntilExit()
        second.waitUntilExit()
        let statuses = [first.terminationStatus, second.terminationStatus]
        #expect(statuses.filter { $0 == 0 }.count == 1, "exactly one publishes: \(statuses)")
        #expect(statuses.contains(3), "the other is refused: \(statuses)")
        try box.ok(["store", "sync"])
        try other.ok(["store", "sync"])
        #expect(try fixture.status() == "published")
        #expect(try fixture.remoteRefs() != before)
        try box.ok(["audit", "verify"])
        try other.ok(["audit", "verify"])
        let published = try box.json(box.ok(["audit", "--advisory", "ADV-2026-001", "--json"]).stdout)["entries"] as? [[String: Any]] ?? []
        // Both claimed; only the first went on (pushed, marked, ...).
        let publishers = Set(published.filter { ($0["action"] as? String ?? "").hasPrefix("publish.") && $0["action"] as? String != "publish.checked" }
            .compactMap { $0["member"] as? String })
        #expect(publishers.count == 1, "one member's steps only: \(publishers)")
    }

    /// The second publisher, after the first claimed: refused by name, no tag pushed.
    @Test func aSecondPublisherIsRefusedByName() throws {
        let team = try PublishingTeam()
        defer { team.remove() }
        let (box, other, fixture) = (team.box, team.other, team.fixture)
        let before = try fixture.remoteRefs()
        // alice's publish stops (killed) right after its claim reached the team.
        let stopped = try box.embargo(["publish", "ADV-2026-001", "--out", box.path("public")], env: ["EMBARGO_STOP_AFTER_STEP": "checked"])
        #expect(stopped.status != 0)
        let refused = try other.embargo(["publish", "ADV-2026-001", "--out", other.path("public")])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("ADV-2026-001 is being published by alice"), "\(refused.stderr)")
        #expect(try fixture.remoteRefs() == before, "no branch or tag was pushed")
        // alice finishes what she started.
        try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        try fixture.expectPublished(try fixture.manifest())
    }
}

extension TeamCLITests {
    /// A sync killed at any moment leaves both the store and the remote
    /// usable: the next sync finishes the job, nothing twice, nothing lost.
    @Test func aSyncKilledAnywhereIsFinishedByTheNext() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"], bob = team["bob"]
        let seed = UInt64(ProcessInfo.processInfo.environment["EMBARGO_TEST_SEED"] ?? "") ?? 0x5EED_0015
        var random = SeededGenerator(seed: seed)
        let offline = ["GIT_ALLOW_PROTOCOL": "ssh"]
        var killed = 0
        var notes: [String] = []
        try bob.ok(["advisory", "create", "--project", "sample", "--title", "Shared", "--description", "d"])
        for round in 0..<30 {
            let note = "round \(round)"
            try bob.ok(["advisory", "note", "ADV-2026-001", note], env: offline)
            notes.append(note)
            if round % 3 == 0 {
                try alice.ok(["store", "sync"])
                try alice.ok(["advisory", "note", "ADV-2026-001", "alice \(round)"])
                notes.append("alice \(round)")
            }
            let process = try bob.start(["store", "sync"])
            if bob.kill(process, after: Double.random(in: 0...0.25, using: &random)) { killed += 1 }
            try bob.ok(["store", "sync"])
        }
        try alice.ok(["store", "sync"])
        try bob.ok(["store", "sync"])
        for box in [alice, bob] {
            try box.ok(["audit", "verify"])
            try box.ok(["store", "verify"])
            let timeline = try box.ok(["timeline", "ADV-2026-001", "--json"]).stdout
            for note in notes {
                #expect(timeline.components(separatedBy: "\"\(note)\"").count - 1 == 1, "\(note) is there exactly once")
            }
        }
        let trails = try [alice, bob].map { box in
            try box.json(box.ok(["audit", "--json"]).stdout)["entries"] as? [[String: Any]] ?? []
        }
        #expect(trails[0].count == trails[1].count)
        #expect(trails[0].last?["hash"] as? String == trails[1].last?["hash"] as? String)
        print("team sync kills: \(killed) of 30 syncs killed mid-flight, seed \(seed)")
    }

    /// A sync killed while its git ran leaves that git at work in the clone,
    /// or (killed too) its lock files: the next sync waits for the one and
    /// removes the others, instead of stopping on "index.lock: File exists".
    @Test func aSyncWaitsForTheGitAKilledSyncLeftAtWork() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"], bob = team["bob"]
        try bob.ok(["advisory", "create", "--project", "sample", "--title", "Shared", "--description", "d"])
        try bob.ok(["advisory", "note", "ADV-2026-001", "left behind"], env: ["GIT_ALLOW_PROTOCOL": "ssh"])
        let teamDirectory = bob.root.appendingPathComponent("store/team")
        let clone = teamDirectory.appendingPathComponent("remote")
        // What a killed sync leaves: its mark, the lock files of a git killed
        // with it, and a git still at work (which drops its own lock when done).
        try Data("1".utf8).write(to: teamDirectory.appendingPathComponent("sync.lock"))
        for stale in [".git/index.lock", ".git/HEAD.lock", ".git/refs/remotes/origin/main.lock"] {
            FileManager.default.createFile(atPath: clone.appendingPathComponent(stale).path, contents: Data())
        }
        let straggler = try SpawnedProcess(path: "/bin/sh", arguments: ["-c", "sleep 1; rm -f .git/index.lock"],
                                           environment: ["PATH": "/usr/bin:/bin"], directory: clone)
        let synced = try bob.ok(["store", "sync"])
        #expect(!straggler.isRunning, "the sync waited for the git still at work")
        #expect(synced.stdout.contains("ADV-2026-001"), "\(synced.stdout)")
        #expect(try Data(contentsOf: teamDirectory.appendingPathComponent("sync.lock")).isEmpty, "the mark is cleared")
        try alice.ok(["store", "sync"])
        #expect(try alice.ok(["timeline", "ADV-2026-001", "--json"]).stdout.contains("left behind"))
    }
}

extension TeamCLITests {
    /// An advisory's lists are rows (`advisory_items`): two members who each
    /// credit someone keep both credits, a removal on one side stays a
    /// removal, and two changes of the same person's credit are a conflict
    /// named after that person.
    @Test func twoMembersAddingACreditKeepBoth() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let offline = ["GIT_ALLOW_PROTOCOL": "ssh"]
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d",
                              "--credit", "Old Friend:FINDER", "--cwe", "79"])
        try team["bob"].ok(["store", "sync"])
        try team["alice"].ok(["advisory", "edit", "ADV-2026-001", "--credit", "Old Friend:FINDER", "--credit", "Ann Analyst:ANALYST"])
        try team["bob"].ok(["advisory", "edit", "ADV-2026-001", "--credit", "Bo Fixer:REMEDIATION_DEVELOPER", "--cwe", "79", "--cwe", "80"], env: offline)
        try team["bob"].ok(["store", "sync"])
        try team["alice"].ok(["store", "sync"])
        func advisory(_ name: String) throws -> [String: Any] {
            try team[name].json(team[name].ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any] ?? [:]
        }
        func credits(_ name: String) throws -> [String] {
            ((try advisory(name)["credits"] as? [[String: Any]]) ?? []).map { "\($0["name"] ?? "") \($0["type"] ?? "")" }
        }
        let merged = try credits("alice")
        #expect(Set(merged) == ["Ann Analyst ANALYST", "Bo Fixer REMEDIATION_DEVELOPER"], "bob removed the old credit, each added one: \(merged)")
        #expect(try credits("bob") == merged, "both machines list them in the same order")
        for name in ["alice", "bob"] {
            #expect(try advisory(name)["cwes"] as? [Int] == [79, 80], "\(name)")
            try team[name].ok(["audit", "verify"])
        }

        // The same person's credit changed on both machines: one conflict, on that credit's type.
        try team["alice"].ok(["advisory", "edit", "ADV-2026-001", "--credit", "Ann Analyst:FINDER", "--credit", "Bo Fixer:REMEDIATION_DEVELOPER"])
        let bobEdit = try team["bob"].embargo(["advisory", "edit", "ADV-2026-001", "--credit", "Ann Analyst:REPORTER",
                                               "--credit", "Bo Fixer:REMEDIATION_DEVELOPER", "--credit", "Cy Coordinator:COORDINATOR"])
        #expect(bobEdit.status == 0, "\(bobEdit.stderr)")
        #expect(bobEdit.stderr.contains("conflict ADV-2026-001.credits[Ann Analyst].type: mine 'REPORTER' (bob"), "\(bobEdit.stderr)")
        #expect(bobEdit.stderr.contains("theirs 'FINDER' (alice"), "\(bobEdit.stderr)")
        try team["bob"].ok(["store", "sync", "--keep", "theirs", "ADV-2026-001.credits[Ann Analyst].type"])
        try team["alice"].ok(["store", "sync"])
        for name in ["alice", "bob"] {
            let final = try credits(name)
            #expect(Set(final) == ["Ann Analyst FINDER", "Bo Fixer REMEDIATION_DEVELOPER", "Cy Coordinator COORDINATOR"],
                    "\(name): alice's type stands, bob's new credit is kept: \(final)")
            try team[name].ok(["audit", "verify"])
        }
    }
}

extension TeamCLITests {
    /// Each member works in their own clone: its path is this machine's
    /// setting, used by every command here, and never reaches the team.
    @Test func eachMemberUsesTheirOwnClone() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"], bob = team["bob"]
        let clone = bob.root.appendingPathComponent("bobs-clone")
        try bob.git(["clone", "--quiet", "--branch", "1.0.x", team.project.path, clone.path])
        let set = try bob.ok(["project", "local", "sample", "--repo", clone.path, "--test-command", "true"])
        #expect(set.stdout.contains("repository \(clone.path)"))
        func repository(_ box: Sandbox) throws -> String? {
            (try box.json(box.ok(["project", "show", "sample", "--json"]).stdout)["project"] as? [String: Any])?["repository"] as? String
        }
        #expect(try repository(bob) == clone.path)
        #expect(try bob.ok(["project", "show", "sample"]).stdout.contains("(this machine)"))
        #expect(try repository(alice) == team.project.path)

        // A shared change by bob's machine keeps the shared path; bob's own path stays his.
        try bob.ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        try alice.ok(["store", "sync"])
        #expect(try repository(alice) == team.project.path)
        #expect(try repository(bob) == clone.path)
        for object in try team.remoteObjects() {
            #expect(String(decoding: object, as: UTF8.self).range(of: "bobs-clone") == nil)
        }

        let wrong = try bob.embargo(["project", "local", "sample", "--repo", bob.root.path])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("is not a git repository"))
        #expect(try bob.embargo(["project", "local", "nope", "--repo", clone.path]).status == 1)
        try bob.ok(["project", "local", "sample", "--clear"])
        #expect(try repository(bob) == team.project.path)
    }
}

extension TeamCLITests {
    /// Commands that run at the same time on one machine each sync after
    /// they commit, while another machine pushes too: the syncs take turns,
    /// a change committed during a sync goes out with the next round, and
    /// nothing is lost or sent twice.
    @Test func commandsAtTheSameTimeOnOneMachineAllReachTheTeam() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"], bob = team["bob"]
        try alice.ok(["advisory", "create", "--project", "sample", "--title", "Shared", "--description", "d"])
        try bob.ok(["store", "sync"])
        var notes: [String] = []
        for round in 0..<3 {
            var running: [SpawnedProcess] = []
            for index in 0..<4 {
                let note = "bob \(round).\(index)"
                notes.append(note)
                running.append(try bob.start(["advisory", "note", "ADV-2026-001", note]))
            }
            running.append(try bob.start(["store", "sync"]))
            try alice.ok(["advisory", "note", "ADV-2026-001", "alice \(round)"])
            notes.append("alice \(round)")
            for process in running {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
            }
        }
        for box in [bob, alice, bob] { try box.ok(["store", "sync"]) }
        for box in [alice, bob] {
            try box.ok(["audit", "verify"])
            let timeline = try box.ok(["timeline", "ADV-2026-001", "--json"]).stdout
            for note in notes {
                #expect(timeline.components(separatedBy: "\"\(note)\"").count - 1 == 1, "\(note) is there exactly once")
            }
        }
    }
}

extension TeamCLITests {
    /// Every few entries an admin's sync adds a snapshot, signed by the admin;
    /// other members' syncs go across it, and a new clone starts from it.
    @Test func anAdminsSyncAddsSnapshotsThatNewClonesStartFrom() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let every = ["EMBARGO_TEAM_SNAPSHOT_EVERY": "3"]
        func snapshots() throws -> [String] {
            let files = try team["alice"].run("git", ["-C", team.remote.path, "ls-tree", "--name-only", "main", "log/"]).stdout
            return files.split(separator: "\n").map(String.init).filter { $0.hasSuffix(".snapshot") }
        }
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"], env: every)
        try team["bob"].ok(["store", "sync"], env: every)
        let before = try snapshots()
        for note in 1...4 {
            try team["bob"].ok(["advisory", "note", "ADV-2026-001", "note \(note)"], env: every)
        }
        #expect(try snapshots() == before, "a preparer's sync writes no snapshot")
        try team["alice"].ok(["advisory", "edit", "ADV-2026-001", "--description", "after the notes"], env: every)
        let written = try snapshots()
        #expect(written.count == before.count + 1, "\(before) then \(written)")
        try team["bob"].ok(["store", "sync"], env: every)
        try team["bob"].ok(["advisory", "note", "ADV-2026-001", "after the snapshot"], env: every)

        let carol = try Sandbox()
        defer { carol.remove() }
        try carol.becomeMember("carol", role: "qa", addedBy: team["alice"])
        let clone = try carol.json(carol.ok(["store", "clone", team.remote.path, "--json"]).stdout)
        let incoming = (clone["incoming"] as? [[String: Any]]) ?? []
        let snapshot = try #require(written.last.flatMap { Int($0.dropFirst(4).prefix(12)) })
        #expect(incoming.first?["sequence"] as? Int == snapshot, "the clone starts at the newest snapshot: \(incoming)")
        #expect(incoming.first?["kind"] as? String == "snapshot")
        for box in [team["alice"], team["bob"], carol] {
            try box.ok(["store", "sync"])
            let timeline = try box.ok(["timeline", "ADV-2026-001", "--json"]).stdout
            for note in ["note 1", "note 3", "after the snapshot"] {
                #expect(timeline.contains(note), "\(note)")
            }
            try box.ok(["audit", "verify"])
            try box.ok(["store", "verify"])
        }
    }
}

extension TeamCLITests {
    /// Whether this process may mount a tmpfs (root, outside a container that forbids it): tried once.
    static let canMountSmallDisks: Bool = {
        guard geteuid() == 0, let box = try? Sandbox() else { return false }
        defer { box.remove() }
        let point = box.root.appendingPathComponent("probe")
        guard (try? FileManager.default.createDirectory(at: point, withIntermediateDirectories: true)) != nil,
              let mounted = try? box.run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", point.path]), mounted.status == 0
        else { return false }
        _ = try? box.run("umount", [point.path])
        return true
    }()

    /// A disk that fills up during a sync: one line and exit 1, nothing is
    /// lost, the remote stays usable for the others, and the next sync, with
    /// space again, finishes the job. (The member's store lives on a small
    /// file system of its own, which only root may mount; CI runs as root.)
    @Test(.enabled(if: Self.canMountSmallDisks, "mounting a small file system needs root and a kernel that lets it"))
    func aFullDiskStopsASyncAndLosesNothing() throws {
        let team = try Team(members: [])
        defer { team.remove() }
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        var dora = try Sandbox()
        let disk = dora.root.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let mounted = try dora.run("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.path])
        try #require(mounted.status == 0, "\(mounted.stderr)")
        defer {
            _ = try? dora.run("umount", [disk.path])
            dora.remove()
        }
        dora.environment["EMBARGO_STORE"] = disk.appendingPathComponent("store").path
        try dora.becomeMember("dora", role: "preparer", addedBy: team["alice"])
        try dora.ok(["store", "clone", team.remote.path])
        try dora.ok(["advisory", "note", "ADV-2026-001", "written before the disk filled up"], env: ["GIT_ALLOW_PROTOCOL": "ssh"])

        // Leave the file system a few KiB: less than any state or log entry takes.
        var info = statvfs()
        try #require(statvfs(disk.path, &info) == 0)
        let filler = disk.appendingPathComponent("filler")
        _ = FileManager.default.createFile(atPath: filler.path, contents: Data(count: max(0, Int(info.f_bavail) * Int(info.f_frsize) - 4096)))
        try team["alice"].ok(["advisory", "edit", "ADV-2026-001", "--description", "alice meanwhile"])
        let full = try dora.embargo(["store", "sync"])
        #expect(full.status == 1, "\(full.stderr)")
        let lines = full.stderr.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("embargo: error:") && lines[1].hasPrefix("embargo: hint:"), "\(full.stderr)")
        #expect(full.stderr.contains("No space left on device"), "\(full.stderr)")
        #expect(try dora.ok(["timeline", "ADV-2026-001"]).stdout.contains("written before the disk filled up"), "the local change is intact")
        try team["alice"].ok(["store", "sync"])

        try FileManager.default.removeItem(at: filler)
        try dora.ok(["store", "sync"])
        try team["alice"].ok(["store", "sync"])
        for box in [team["alice"], dora] {
            #expect(try box.ok(["timeline", "ADV-2026-001"]).stdout.contains("written before the disk filled up"))
            let advisory = try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
            #expect(advisory?["description"] as? String == "alice meanwhile")
            try box.ok(["audit", "verify"])
            try box.ok(["store", "verify"])
        }
    }
}

extension TeamCLITests {
    /// A project's blackout days reach every member, and so does their removal.
    @Test func blackoutsReachTheTeam() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"], bob = team["bob"]
        func blackouts(_ box: Sandbox) throws -> [[String: String]]? {
            (try box.json(box.ok(["project", "show", "sample", "--json"]).stdout)["project"] as? [String: Any])?["blackouts"] as? [[String: String]]
        }
        try alice.ok(["project", "set", "sample", "--blackout", "2026-12-24..2027-01-02", "--blackout", "2027-04-14"])
        try alice.ok(["store", "sync"])
        try bob.ok(["store", "sync"])
        #expect(try blackouts(bob) == [["first": "2026-12-24", "last": "2027-01-02"], ["first": "2027-04-14", "last": "2027-04-14"]])
        try alice.ok(["project", "set", "sample", "--remove-blackout", "2027-04-14"])
        try alice.ok(["store", "sync"])
        try bob.ok(["store", "sync"])
        #expect(try blackouts(bob) == [["first": "2026-12-24", "last": "2027-01-02"]])
        for box in [alice, bob] { try box.ok(["audit", "verify"]) }
    }
}

extension TeamCLITests {
    /// A write that committed succeeds although the sync after it fails on
    /// this machine (here its sync lock cannot be opened): it says the change
    /// is saved, never that the state before it is intact, so that no one
    /// repeats it; the next sync sends it.
    @Test func aWriteWhoseSyncFailsLocallyIsSavedAndSaysSo() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let lock = team["bob"].store.appendingPathComponent("team/sync.lock")
        try? FileManager.default.removeItem(at: lock)
        try FileManager.default.createDirectory(at: lock, withIntermediateDirectories: false)
        let create = try team["bob"].embargo(["advisory", "create", "--project", "sample", "--title", "Kept", "--description", "x"])
        #expect(create.status == 0, "\(create.stderr)")
        #expect(create.stderr.contains("the change is saved on this machine, but the team sync after it failed"), "\(create.stderr)")
        #expect(!create.stderr.contains("intact"), "\(create.stderr)")
        #expect(try team["bob"].ok(["advisory", "list"]).stdout.contains("Kept"))
        try FileManager.default.removeItem(at: lock)
        try team["bob"].ok(["store", "sync"])
        try team["alice"].ok(["store", "sync"])
        #expect(try team["alice"].ok(["advisory", "list"]).stdout.contains("Kept"))
    }
}

extension TeamCLITests {
    /// The documented steps after an approval reach the team: an edit of a
    /// public text voids the approval, and a new pre-release sets the old one
    /// aside. Both change rows that name only their number (the approval's,
    /// the pre-release's); the other machine finds their advisory in its own
    /// copy and takes them, under the signed edit and pre-release.
    @Test func anEditAndANewPrereleaseAfterApprovalReachTheTeam() throws {
        let team = try PublishingTeam()
        defer { team.remove() }
        let (box, other) = (team.box, team.other)
        #expect(try other.advisoryStatus() == "approved")
        try box.ok(["advisory", "edit", "ADV-2026-001", "--solution", "Upgrade to the new release."])
        try other.ok(["store", "sync"])
        #expect(try other.advisoryStatus() != "approved")
        let again = try box.embargo(["prerelease", "ADV-2026-001", "--out", box.path("outbox-2")])
        #expect(again.status == 0, "\(again.stderr)")
        try other.ok(["store", "sync"])
        #expect(try other.advisoryStatus() == "prereleased")
        try other.ok(["audit", "verify"])
    }
}

extension TeamCLITests {
    /// A sync that stops on a conflict has fetched entries it did not apply.
    /// The next command's own sync does not take their numbers: it leaves the
    /// sending to a whole sync, so the remote's log is never rewritten and the
    /// other members sync on.
    @Test func aWriteAfterAStoppedSyncDoesNotRewriteTheRemotesLog() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        try team["alice"].ok(["people", "set", "longwave", "--org", "Alpha"])
        try team["bob"].ok(["people", "set", "longwave", "--org", "Beta"])
        let stopped = try team["bob"].embargo(["store", "sync"])
        #expect(stopped.status == 3, "\(stopped.stderr)")
        let head = try team.remoteHead()
        try team["bob"].ok(["people", "set", "catch", "--name", "Cat Ch"])
        #expect(try team.remoteHead() == head, "the remote's log stays as the team wrote it")
        try team["alice"].ok(["store", "sync"])
        let fields = Set(stopped.stderr.matches(of: /people:longwave\.[a-z_]+/).map { String($0.output) })
        #expect(!fields.isEmpty, "\(stopped.stderr)")
        try team["bob"].ok(["store", "sync"] + fields.sorted().flatMap { ["--keep", "theirs", $0] })
        try team["alice"].ok(["store", "sync"])
        let people = try team["alice"].ok(["people", "list"]).stdout
        #expect(people.contains("Cat Ch") && people.contains("Alpha"), "\(people)")
        try team["alice"].ok(["audit", "verify"])
    }
}
