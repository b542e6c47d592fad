import EmbargoCrypto
import EmbargoStore
import Foundation
import EmbargoKit
import GRDB
import Testing

@Suite("the signed audit trail")
struct AuditCLITests {
    /// Changes the store behind embargo's back, as someone holding the data key could.
    func tamper(_ box: Sandbox, _ sql: String) throws {
        let text = try String(contentsOfFile: box.path("alice.identity"), encoding: .utf8)
        let secret = try #require(text.split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-1") })
        let store = try Store.open(at: box.store, identity: AgeX25519Identity(parsing: String(secret)))
        try store.write { db in try db.execute(sql: sql) }
    }

    func populated() throws -> Sandbox {
        let box = try Sandbox()
        try box.initStore()
        let repo = try box.makeRepository()
        try box.ok(["project", "add", "ai", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"])
        try box.ok(["project", "set", "ai", "--test-command", "make test"])
        try box.addMember("bob", role: "qa")
        try box.ok(["member", "remove", "bob"])
        return box
    }

    @Test func everyChangeIsASignedEntry() throws {
        let box = try populated()
        defer { box.remove() }
        let listed = try box.json(box.ok(["audit", "--json"]).stdout)
        let entries = try #require(listed["entries"] as? [[String: Any]])
        #expect(entries.map { $0["action"] as? String } == ["store.init", "project.add", "project.set", "member.add", "member.remove"])
        #expect(entries.allSatisfy { $0["member"] as? String == "alice" })
        #expect(entries[1]["prev_hash"] as? String == entries[0]["hash"] as? String)
        let verified = try box.ok(["audit", "verify"]).stdout
        #expect(verified.hasPrefix("audit trail ok: 5 entries"))
        // Entries signed by a member who has left still verify.
        #expect(try box.ok(["store", "verify"]).stdout.contains("audit trail ok: 5 entries"))
    }

    @Test func aChangedEntryIsDetected() throws {
        let box = try populated()
        defer { box.remove() }
        try tamper(box, "UPDATE audit_log SET member = 'mallory' WHERE seq = 2")
        let result = try box.embargo(["audit", "verify"])
        #expect(result.status == 4)
        #expect(result.stderr.hasPrefix("embargo: error: audit entry 2 (project.add ai) is broken: its content does not match its hash"))
    }

    @Test func aRemovedEntryIsDetected() throws {
        let box = try populated()
        defer { box.remove() }
        try tamper(box, "DELETE FROM audit_log WHERE seq = 3")
        let result = try box.embargo(["audit", "verify"])
        #expect(result.status == 4)
        #expect(result.stderr.hasPrefix("embargo: error: audit entry 3 is missing"))
        #expect(try box.embargo(["store", "verify"]).status == 4)
    }

    @Test func aConsistentEntrySignedWithAForeignKeyIsDetected() throws {
        let box = try populated()
        defer { box.remove() }
        // Rewrite the last entry consistently (its hash recomputed) but sign it with a key no member holds.
        let text = try String(contentsOfFile: box.path("alice.identity"), encoding: .utf8)
        let secret = try #require(text.split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-1") })
        let store = try Store.open(at: box.store, identity: AgeX25519Identity(parsing: String(secret)))
        let key = try MinisignSecretKey.generate()
        try store.write { db in
            var entry = try #require(try AuditEntry.fetchOne(db, sql: "SELECT * FROM audit_log WHERE seq = 5"))
            entry.signingKey = key.publicKey.base64
            entry.hash = entry.computedHash
            let signature = Data(try key.signingKey.signature(for: Array(entry.hash.utf8))).base64EncodedString()
            try db.execute(sql: "UPDATE audit_log SET signing_key = ?, hash = ?, signature = ? WHERE seq = 5",
                           arguments: [entry.signingKey, entry.hash, signature])
        }
        let result = try box.embargo(["audit", "verify"])
        #expect(result.status == 4)
        #expect(result.stderr.hasPrefix("embargo: error: audit entry 5 (member.remove bob) is broken: it is signed with a key that was not member alice's at that point"))
    }
}
