import EmbargoCrypto
@testable import EmbargoKit
import EmbargoStore
import Foundation
import GRDB
import Testing

extension Sandbox {
    /// `NAME.identity` of this sandbox (made without a passphrase).
    func identity(_ name: String) throws -> EmbargoIdentity {
        struct NoPassphrase: PassphraseProvider {
            func passphrase(for purpose: PassphrasePurpose) throws -> SecureBytes { throw EmbargoError(.accessDenied, "none") }
        }
        return try EmbargoIdentity.load(from: URL(fileURLWithPath: path("\(name).identity")), passphrases: NoPassphrase())
    }

    /// What an inside attacker does: opens the store with their own keyring
    /// entry, outside embargo's checks, and rewrites the database.
    func tamper(as name: String, _ body: (Database, EmbargoIdentity) throws -> Void) throws {
        let identity = try identity(name)
        let store = try Store.open(at: self.store, identity: identity.age)
        try store.write { db in try body(db, identity) }
    }

    /// Where this sandbox's machine remembers what it saw of the store.
    var machineState: URL { root.appendingPathComponent(".local/state/embargo") }

    /// Copies the store directory aside, with what the machine remembers of
    /// it, to put both back after a tamper (so that it is not a rollback).
    func snapshotStore() throws -> URL {
        let copy = root.appendingPathComponent("store-copy-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: store, to: copy)
        if FileManager.default.fileExists(atPath: machineState.path) {
            try FileManager.default.copyItem(at: machineState, to: copy.appendingPathExtension("state"))
        }
        return copy
    }

    func restoreStore(from copy: URL) throws {
        try FileManager.default.removeItem(at: store)
        try FileManager.default.copyItem(at: copy, to: store)
        if FileManager.default.fileExists(atPath: copy.appendingPathExtension("state").path) {
            try? FileManager.default.removeItem(at: machineState)
            try FileManager.default.copyItem(at: copy.appendingPathExtension("state"), to: machineState)
        }
    }
}

/// The inside attacker: every member holds the data key and can rewrite the
/// database. What must stay true (who is a member with which role, who
/// approved what) is checked against the signed trail.
@Suite struct TrustCLITests {
    /// alice (admin), bob (security), quinn (qa).
    func team() throws -> Sandbox {
        let box = try Sandbox()
        try box.initStore()
        try box.addMember("bob", role: "security")
        try box.addMember("quinn", role: "qa")
        return box
    }

    func expectDamage(_ box: Sandbox, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for arguments in [["audit", "verify"], ["store", "verify"]] {
            let run = try box.embargo(arguments)
            #expect(run.status == 4, "\(arguments) exited \(run.status): \(run.stderr)", sourceLocation: sourceLocation)
            #expect(run.stderr.contains(words), "\(arguments): \(run.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test func aRoleRaisedByHandIsRefusedEverywhere() throws {
        let box = try team()
        defer { box.remove() }
        try box.tamper(as: "quinn") { db, _ in
            try db.execute(sql: "UPDATE members SET role = 'admin' WHERE name = 'quinn'")
        }
        // Quinn's next command, and everybody else's, sees the damage at once.
        let quinn = try box.embargo(["member", "add", "mallory", "--recipient", "age1x", "--signing-key", "RWx", "--role", "admin",
                                     "--identity", box.path("quinn.identity")])
        #expect(quinn.status == 4)
        #expect(quinn.stderr.contains("member quinn has role admin in the members table but qa in the signed membership chain"))
        #expect(try box.embargo(["member", "list"]).status == 4)
        try expectDamage(box, "signed membership chain")
    }

    @Test func entriesForgedInAnotherMembersNameAreRefused() throws {
        let box = try team()
        defer { box.remove() }
        let clean = try box.snapshotStore()
        // The attack that used to pass: a former_members row pairing bob's
        // name with quinn's key, then entries signed in bob's name.
        try box.tamper(as: "quinn") { db, quinn in
            try db.execute(sql: """
                INSERT INTO former_members (name, recipient, signing_key, role, removed_at, removed_by)
                VALUES ('bob', ?, ?, 'security', '2026-01-01T00:00:00Z', 'alice')
                """, arguments: [quinn.recipient, quinn.signingKey])
            try AuditTrail.append(db, identity: quinn, member: "bob", at: "2026-12-01T10:00:00Z",
                                  action: "advisory.note", object: "ADV-2026-001")
        }
        try expectDamage(box, "former member bob was never removed by a signed entry with that key")

        // Without the extra row, the entry alone is caught the same way.
        try box.restoreStore(from: clean)
        try box.tamper(as: "quinn") { db, quinn in
            try AuditTrail.append(db, identity: quinn, member: "bob", at: "2026-12-01T10:00:00Z",
                                  action: "advisory.note", object: "ADV-2026-001")
        }
        try expectDamage(box, "not member bob's")

        // A membership change quinn signs herself is refused: she was never an admin.
        try box.restoreStore(from: clean)
        try box.tamper(as: "quinn") { db, quinn in
            try db.execute(sql: "UPDATE members SET role = 'admin' WHERE name = 'quinn'")
            try AuditTrail.append(db, identity: quinn, member: "quinn", at: "2026-12-01T10:00:00Z",
                                  action: "member.role", object: "quinn", detail: "role admin")
        }
        try expectDamage(box, "had role qa then, which may not member.role")

        // Rewriting the whole trail from scratch with herself as founder does
        // not pass a machine that pinned the real founder.
        try box.restoreStore(from: clean)
        try box.tamper(as: "quinn") { db, quinn in
            try db.execute(sql: "DELETE FROM audit_log")
            try db.execute(sql: "DELETE FROM members WHERE name <> 'quinn'")
            try db.execute(sql: "UPDATE members SET role = 'admin' WHERE name = 'quinn'")
            let founder = Member(name: "quinn", recipient: quinn.recipient, signingKey: quinn.signingKey, role: .admin,
                                 addedAt: "2026-01-01T00:00:00Z", addedBy: nil)
            try AuditTrail.append(db, identity: quinn, member: "quinn", at: "2026-01-01T00:00:00Z", action: "store.init",
                                  object: "store", detail: AuditFacts.grant(founder, includeName: true).text)
        }
        let rewritten = try box.embargo(["audit", "verify", "--identity", box.path("quinn.identity")])
        #expect(rewritten.status == 4)
        #expect(rewritten.stderr.contains("founded by another key"))
        try box.restoreStore(from: clean)
        try box.ok(["audit", "verify"])
        try box.ok(["store", "verify"])
    }

    @Test func anApprovalRowWithoutASignedEntryIsDamage() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        let manifest = try #require(try release.prerelease()["manifest_sha256"] as? String)
        try box.ok(["schedule", "ADV-2026-001", "--at", "2026-01-07T16:00Z", "--allow-violation", "past"])
        // Alice (admin, she built the release) writes bob's approval into the tables herself.
        try box.tamper(as: "alice") { db, _ in
            try db.execute(sql: """
                INSERT INTO approvals (advisory, prerelease, manifest_hash, approved_at, approved_by)
                SELECT advisory, seq, manifest_hash, '2026-01-02T00:00:00Z', 'bob' FROM prereleases
                """)
            try db.execute(sql: "UPDATE advisories SET status = 'approved'")
        }
        let publish = try box.embargo(["publish", "ADV-2026-001", "--early", "--reason", "test"])
        #expect(publish.status == 4)
        #expect(publish.stderr.contains("the approval of ADV-2026-001 by bob has no signed entry that made it"))
        #expect(!(try box.run("git", ["ls-remote", release.sample.remote.path]).stdout.contains("refs/tags/1.0.2")))
        try expectDamage(box, "no signed entry")
        _ = manifest
    }

    @Test func whoBuiltAPrereleaseCannotApproveIt() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        try box.addMember("carol", role: "preparer")
        let carol = ["--identity", box.path("carol.identity")]
        let report = try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox"), "--json"] + carol)
        let manifest = try #require(try box.json(report.stdout)["manifest_sha256"] as? String)
        // Carol moves to the security team; she still cannot approve what she built.
        try box.ok(["member", "role", "carol", "security"])
        let own = try box.embargo(["approve", "ADV-2026-001", "--sha256", manifest] + carol)
        #expect(own.status == 3)
        #expect(own.stderr.contains("carol built a pre-release of ADV-2026-001 or changed its patches, so cannot approve it (four eyes)"))

        // Bob approves, bound to what he names: a stale or mistyped hash is refused.
        let wrong = try box.embargo(["approve", "ADV-2026-001", "--sha256", String(repeating: "ab", count: 32), "--identity", box.path("bob.identity")])
        #expect(wrong.status == 3)
        #expect(wrong.stderr.contains("is not the current pre-release"))
        let unnamed = try box.embargo(["approve", "ADV-2026-001", "--identity", box.path("bob.identity")])
        #expect(unnamed.status == 64)
        #expect(unnamed.stderr.contains("--bundle FILE or --sha256 HASH"))
        let approved = try box.ok(["approve", "ADV-2026-001", "--sha256", manifest, "--identity", box.path("bob.identity")])
        #expect(approved.stdout.contains(manifest))
        // Approving twice records one approval.
        try box.ok(["approve", "ADV-2026-001", "--sha256", manifest, "--identity", box.path("bob.identity")])
        let approvals = try box.json(box.ok(["audit", "--advisory", "ADV-2026-001", "--json"]).stdout)["entries"] as? [[String: Any]] ?? []
        #expect(approvals.filter { $0["action"] as? String == "advisory.approve" }.count == 1)
        try box.ok(["audit", "verify"])
        _ = release
    }

    @Test func editingAPublicTextAfterApprovalVoidsIt() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        try release.approvedPrerelease()
        // The private title is not in what the public reads: the approval stands.
        try box.ok(["advisory", "edit", "ADV-2026-001", "--title", "Greeting markup (internal name)"])
        #expect(try status(box) == "approved")
        let edited = try box.ok(["advisory", "edit", "ADV-2026-001", "--solution", "Upgrade, and also read this text nobody reviewed."])
        #expect(edited.stderr.contains("the approval of ADV-2026-001 is void: its public texts changed"))
        #expect(try status(box) == "prereleased")
        // Approving that pre-release again would not carry the new text: the next step is a new one.
        let standing = try box.ok(["status", "ADV-2026-001"]).stdout
        #expect(standing.contains("voided the approval") && standing.contains("embargo prerelease ADV-2026-001"), "\(standing)")
        try box.ok(["schedule", "ADV-2026-001", "--at", "2026-01-07T16:00Z", "--allow-violation", "past"])
        let publish = try box.embargo(["publish", "ADV-2026-001", "--early", "--reason", "test"])
        #expect(publish.status == 3)
        // Putting the void flag back by hand is damage.
        try box.tamper(as: "alice") { db, _ in
            try db.execute(sql: "UPDATE approvals SET void = 0")
            try db.execute(sql: "UPDATE advisories SET status = 'approved'")
        }
        try expectDamage(box, "was voided by a later entry")
    }

    @Test func anExternalApproverSignsTheManifestWithMinisign() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        _ = try release.prerelease()
        // The outside team's key comes from the real minisign tool; they get no recipient.
        try box.run("minisign", ["-G", "-W", "-p", box.path("team.pub"), "-s", box.path("team.key")])
        let publicKey = try String(contentsOfFile: box.path("team.pub"), encoding: .utf8).split(separator: "\n")[1]
        try box.ok(["member", "add", "drupal-sec", "--external", "--signing-key", String(publicKey), "--role", "security"])
        let members = try box.json(box.ok(["member", "list", "--json"]).stdout)["members"] as? [[String: Any]] ?? []
        let external = try #require(members.first { $0["name"] as? String == "drupal-sec" })
        #expect(external["external"] as? Bool == true)
        #expect(external["recipient"] == nil)
        // They receive manifest.json (from the bundle bob opened) and sign it.
        let outbox = box.root.appendingPathComponent("outbox")
        let bundle = try #require(try FileManager.default.contentsOfDirectory(atPath: outbox.path).first { $0.hasSuffix(".tar.age") })
        let opened = box.root.appendingPathComponent("opened")
        try FileManager.default.createDirectory(at: opened, withIntermediateDirectories: true)
        try box.run("sh", ["-c", "age -d -i \"$1\" \"$2\" | tar -x -C \"$3\"", "sh", box.path("bob.identity"),
                           outbox.appendingPathComponent(bundle).path, opened.path])
        let manifestFile = opened.appendingPathComponent("manifest.json").path
        try box.run("minisign", ["-S", "-s", box.path("team.key"), "-m", manifestFile])
        // A signature over anything else is refused.
        try box.run("minisign", ["-S", "-s", box.path("team.key"), "-m", opened.appendingPathComponent("SHA256SUMS").path])
        let other = try box.embargo(["approve", "ADV-2026-001", "--external", "drupal-sec",
                                     "--signature", opened.appendingPathComponent("SHA256SUMS.minisig").path])
        #expect(other.status == 4)
        // Alice prepared the release; recording the team's signed approval is still fine: the signature is the evidence.
        let approved = try box.ok(["approve", "ADV-2026-001", "--external", "drupal-sec", "--signature", manifestFile + ".minisig"])
        #expect(approved.stdout.contains("for drupal-sec"))
        #expect(try status(box) == "approved")
        try box.ok(["audit", "verify"])
        // A URL cannot stand in for a registered approver's signature.
        let byURL = try box.embargo(["approve", "ADV-2026-001", "--external", "drupal-sec", "--ref", "https://example.org/ok",
                                     "--identity", box.path("bob.identity")])
        #expect(byURL.status == 64)
    }

    func status(_ box: Sandbox) throws -> String? { try box.advisoryStatus() }
}

extension TrustCLITests {
    /// An approved advisory whose disclosure time has come: ready to publish.
    func approvedAndDue(_ box: Sandbox) throws -> ReleaseFixture {
        let release = try ReleaseFixture(box)
        try release.approvedPrerelease()
        try box.ok(["schedule", "ADV-2026-001", "--at", "2026-01-07T16:00Z", "--allow-violation", "past"])
        return release
    }

    @Test func publicationRefusesTextsTheSecurityTeamDidNotApprove() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try approvedAndDue(box)
        // An inside attacker rewrites the solution in the database, past 'advisory edit'.
        try box.tamper(as: "alice") { db, _ in
            try db.execute(sql: "UPDATE advisories SET solution = 'Also run this script from my site.'")
        }
        let publish = try box.embargo(["publish", "ADV-2026-001", "--out", box.path("public")])
        #expect(publish.status == 4)
        #expect(publish.stderr.contains("public texts of ADV-2026-001 differ from the ones in the approved pre-release"))
        #expect(!(try box.run("git", ["ls-remote", release.sample.remote.path]).stdout.contains("refs/tags/1.0.2")))
    }
}

extension TrustCLITests {
    /// The approval binds the manifest's hash; publication rebuilds from the
    /// manifest's text. A text rewritten in the database (another patch's
    /// commit and tag ids, with the approved hash left in place) is damage:
    /// publication refuses it before any push, and the verifications name it.
    @Test func aManifestRewrittenUnderItsApprovedHashIsRefused() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try approvedAndDue(box)
        try box.tamper(as: "alice") { db, _ in
            let manifest = try #require(try String.fetchOne(db, sql: "SELECT manifest FROM prereleases"))
            // Any change to the text, say to the first release commit's id.
            let forged = manifest.replacingOccurrences(of: #""release_commit" : ""#, with: #""release_commit" : "0"#)
            #expect(forged != manifest)
            try db.execute(sql: "UPDATE prereleases SET manifest = ?", arguments: [forged])
        }
        let publish = try box.embargo(["publish", "ADV-2026-001", "--out", box.path("public")])
        #expect(publish.status == 4, "\(publish.stderr)")
        #expect(publish.stderr.contains("does not match its hash"), "\(publish.stderr)")
        #expect(!(try box.run("git", ["ls-remote", release.sample.remote.path]).stdout.contains("refs/tags/1.0.2")))
        try expectDamage(box, "the manifest of a pre-release of ADV-2026-001 does not match its hash")
    }
}

extension TrustCLITests {
    /// Whoever changed the fix is one of its authors: a second preparer who
    /// replaced a patch (without adding one or building the pre-release)
    /// cannot vouch for an outside team's approval of it either.
    @Test func whoReplacedAPatchCannotVouchForItsApproval() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        try box.addMember("pat", role: "preparer")
        try box.git(["-C", release.repo.path, "checkout", "--quiet", "-b", "pat-fix", "1.1.x"])
        let file = release.repo.appendingPathComponent("src/Controller/PageController.php")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "'Hello ' . $name", with: "'Hello ' . htmlspecialchars($name, ENT_QUOTES)")
            .write(to: file, atomically: true, encoding: .utf8)
        try box.git(["-C", release.repo.path, "commit", "--quiet", "-am", "Issue #3400030 by maintainer: Tidy the page title"])
        try box.git(["-C", release.repo.path, "checkout", "--quiet", "1.1.x"])
        try box.ok(["patch", "replace", "ADV-2026-001", "--branch", "1.1.x", "1", "--from-ref", "pat-fix", "--identity", box.path("pat.identity")])
        try box.ok(["patch", "verify", "ADV-2026-001"])
        let manifest = try #require(try release.prerelease()["manifest_sha256"] as? String)
        let vouched = try box.embargo(["approve", "ADV-2026-001", "--external", "Drupal Security Team", "--ref", "https://security.drupal.org/node/1",
                                       "--sha256", manifest, "--identity", box.path("pat.identity")])
        #expect(vouched.status == 3, "\(vouched.stderr)")
        #expect(vouched.stderr.contains("pat built a pre-release of ADV-2026-001 or changed its patches"), "\(vouched.stderr)")
    }
}

extension TrustCLITests {
    /// A member who may publish records a push that never happened (a signed
    /// `publish.pushed` entry and its step). Nothing is decided on it: the
    /// remote holds none of the reviewed tags, so `publish` before the
    /// disclosure time does not "finish" an early publication (exit 4, naming
    /// the record, whatever address it names or a same-named decoy tag there,
    /// also when the push is on record as an early publication's), and `revert` goes on with a warning instead of refusing as if the fix
    /// were public.
    @Test func aPushOnRecordIsCheckedAgainstTheRemote() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        try release.approvedPrerelease()
        try box.ok(["schedule", "ADV-2026-001", "--at", "2027-03-03T16:00Z", "--allow-violation", "a test date"])
        let repo = release.sample.repository.path
        let url = try box.run("git", ["-C", repo, "remote", "get-url", "origin"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try box.tamper(as: "alice") { db, identity in
            let seq = try #require(try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM prereleases WHERE advisory = 'ADV-2026-001' AND superseded = 0"))
            for step in ["checked", "rebuilt", "pushed"] {
                try db.execute(sql: "INSERT INTO publication_steps (advisory, prerelease, step, done_at, detail) VALUES ('ADV-2026-001', ?, ?, '2026-12-04T10:00:00Z', ?)",
                               arguments: [seq, step, step == "pushed" ? url : ""])
                try AuditTrail.append(db, identity: identity, member: "alice", at: "2026-12-04T10:00:00Z", action: "publish.\(step)",
                                      object: "ADV-2026-001", detail: step == "pushed" ? url : "")
            }
        }
        try box.ok(["audit", "verify"])
        func publishRefused(_ said: String) throws {
            let run = try box.embargo(["publish", "ADV-2026-001", "--out", box.path("public")])
            #expect(run.status == 4, "\(run.stderr)")
            #expect(run.stderr.contains(said), "\(run.stderr)")
            #expect(try box.advisoryStatus() == "approved")
        }
        try publishRefused("ADV-2026-001's release is on record as pushed (by alice), but \(url) holds none of its tags (1.0.2, 1.1.1)")
        // A record naming another address proves nothing about the public remote either.
        try box.tamper(as: "alice") { db, _ in
            try db.execute(sql: "UPDATE publication_steps SET detail = 'https://example.org/elsewhere.git' WHERE step = 'pushed'")
        }
        try publishRefused("on record as pushed to https://example.org/elsewhere.git (by alice), but \(url) holds none")
        // Nor does a tag of the same name that is not the reviewed one.
        try box.git(["-C", repo, "tag", "1.0.2", "origin/1.0.x"])
        try box.git(["-C", repo, "push", "--quiet", "origin", "refs/tags/1.0.2"])
        try box.git(["-C", repo, "tag", "-d", "1.0.2"])
        try publishRefused("holds none of its tags as reviewed (1.0.2, 1.1.1)")
        // Recorded as an early publication, the release is made again at the recorded date,
        // and the decoy is not that release either: refused before any push is tried.
        try box.tamper(as: "alice") { db, _ in
            try db.execute(sql: "UPDATE publication_steps SET detail = ? WHERE step = 'pushed'", arguments: [url])
            try db.execute(sql: "UPDATE publication_steps SET detail = 'early: a test' WHERE step = 'checked'")
        }
        try publishRefused("ADV-2026-001's release is on record as pushed (by alice), but tag 1.0.2 on origin is not the release made from the reviewed pre-release")
        #expect(try box.run("git", ["-C", repo, "ls-remote", "--tags", "origin", "1.1.1"]).stdout.isEmpty)
        try box.tamper(as: "alice") { db, _ in
            try db.execute(sql: "UPDATE publication_steps SET detail = '' WHERE step = 'checked'")
        }

        let reverted = try box.ok(["revert", "ADV-2026-001"]).stdout
        #expect(reverted.contains("warning: ADV-2026-001's release is on record as pushed") && reverted.contains("reverted all the same"), "\(reverted)")
        #expect(try box.advisoryStatus() == "ready")
        try box.ok(["audit", "verify"])
    }
}
