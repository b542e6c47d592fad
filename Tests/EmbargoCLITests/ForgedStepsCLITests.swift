import EmbargoCrypto
import Foundation
import GRDB
import Testing
@testable import EmbargoKit
@testable import EmbargoStore

/// An inside attacker (a member holding the data key) writes a team log entry
/// by hand, signed in their own name, that takes a step of the embargo no
/// command of theirs took (a status only a publication sets, a disclosure time
/// only scheduling moves, a published text only an amendment changes, a QA
/// result of someone else's), and pushes it. The honest members then run the
/// real CLI: every machine refuses the entry, and nothing goes public.
@Suite("team store: steps forged in a signed entry are refused", .serialized)
struct ForgedStepsCLITests {
    /// Writes the difference `forge` makes to `box`'s last synced state as the
    /// next entry of the team log at `remote`, sealed under the store's key and
    /// signed by `signer` (an identity file `SIGNER.identity` in `box`), and pushes it.
    static func pushForged(from box: Sandbox, remote: URL, signer: String, identityFile: String? = nil,
                           _ forge: (Database, EmbargoIdentity) throws -> Void) throws {
        let identity = try box.identity(identityFile ?? signer)
        let store = try Store.open(at: box.store, identity: identity.age)
        let base = try #require(try store.openState(at: box.store.appendingPathComponent("team/base.embargo"))).state
        let forged = try base.copy()
        try forged.queue.write { db in try forge(db, identity) }
        let changes = try RowDiff.diff(from: base, to: forged)

        let work = box.root.appendingPathComponent("forgery-\(UUID().uuidString)")
        try box.git(["clone", "--quiet", "--branch", "main", remote.path, work.path])
        let log = work.appendingPathComponent("log")
        let last = try #require(try FileManager.default.contentsOfDirectory(atPath: log.path).sorted().last)
        let sequence = try #require(TeamLogEntry.parse(fileName: last)).sequence
        let previous = Digest.sha256([UInt8](try Data(contentsOf: log.appendingPathComponent(last))))
        let content = TeamLogEntry.Content(author: signer, signingKey: identity.signingKey, at: Self.stamp,
                                           kind: .changes, changes: changes, snapshot: nil, schema: Store.schema)
        let (bytes, _) = try TeamLogEntry.seal(content, sequence: sequence + 1, previous: previous, identity: identity, store: store)
        try Data(bytes).write(to: work.appendingPathComponent(TeamLogEntry.path(sequence + 1, .changes)))
        try box.git(["-C", work.path, "add", "--all"])
        try box.git(["-C", work.path, "commit", "--quiet", "-m", "embargo sync \(signer) 2 changes"])
        try box.git(["-C", work.path, "push", "--quiet", "origin", "HEAD:main"])
    }

    static var stamp: String { Timestamp.string(Date()) }

    /// `box` holds alice (admin, she built things) and bob (security) as in
    /// `ReleaseFixture`; the store is connected to a team remote, and pat
    /// (publisher) works from `other`, with a clone of the project of their own.
    static func connect(_ box: Sandbox, _ other: Sandbox, sample: SampleProject) throws -> URL {
        let teamRemote = try box.shareWithPublisher(other, projectRemote: sample.remote)
        try box.ok(["store", "sync"])
        return teamRemote
    }

    func tags(_ box: Sandbox, _ remote: URL) throws -> [String] {
        try box.run("git", ["ls-remote", "--tags", remote.path]).stdout.split(separator: "\n").map(String.init)
    }

    /// A critical release of branch 1.1.x planned by alice, with paula (preparer) on the team.
    static func plannedCriticalRelease(_ box: Sandbox) throws -> (KindsFixture, String) {
        let fixture = try KindsFixture(box)
        try box.addMember("paula", role: "preparer")
        try box.merge("fix: #3400300 Stop the crash on empty names\n\nBy: frank", file: "src/crash.txt", on: "1.1.x",
                      remote: fixture.sample.remote, at: "2026-12-01T08:00:00Z")
        let planned = try box.json(box.ok(["release", "plan", "--project", SampleProject.name, "--kind", "critical",
                                           "--branch", "1.1.x", "--at", "2027-01-08T10:00Z", "--json"]).stdout)
        return (fixture, try #require((planned["release"] as? [String: Any])?["id"] as? String))
    }

    /// `other`'s sync refuses the forged entry (exit 4), saying `said`.
    func expectSyncRefused(_ other: Sandbox, _ said: String) throws {
        let sync = try other.embargo(["store", "sync"])
        #expect(sync.status == 4, "\(sync.stderr)")
        #expect(sync.stderr.contains(said), "\(sync.stderr)")
    }

    /// pat's `publish` of the unapproved advisory fails, and the project's remote holds the tags it held.
    func expectNothingPublished(by other: Sandbox, remote: URL, tagsBefore: [String]) throws {
        let publish = try other.embargo(["publish", "ADV-2026-001", "--out", other.path("public")])
        #expect(publish.status != 0, "publish of an unapproved, embargoed advisory succeeded: \(publish.stdout)")
        #expect(try tags(other, remote) == tagsBefore, "the unapproved fix's tags are public")
    }

    // MARK: Status

    /// bob (security) signs an `advisory.edit` of ADV-2026-001 and with it sets
    /// the advisory's status to `published`, which only a publication may. The
    /// pre-release alice built is not approved and the disclosure is in 2027.
    /// Accepted, pat's `publish` would skip every precondition of an advisory
    /// already published and push the fix: pat's machine refuses the entry.
    @Test func anEditEntryCannotPublish() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let release = try ReleaseFixture(box)
        _ = try release.prerelease()
        #expect(try box.advisoryStatus() == "prereleased")
        let teamRemote = try Self.connect(box, other, sample: release.sample)
        let tagsBefore = try tags(box, release.sample.remote)

        try Self.pushForged(from: box, remote: teamRemote, signer: "bob") { db, bob in
            try db.execute(sql: "UPDATE advisories SET status = 'published' WHERE id = 'ADV-2026-001'")
            try AuditTrail.append(db, identity: bob, member: "bob", at: Self.stamp, action: "advisory.edit", object: "ADV-2026-001")
        }
        let sync = try other.embargo(["store", "sync"])
        #expect(sync.status == 4, "the status change under an edit entry was accepted: \(sync.stderr)")
        #expect(sync.stderr.contains("advisory ADV-2026-001's status from prereleased to published without the signed steps that move it there"), "\(sync.stderr)")
        // Nothing of it was applied here.
        try other.ok(["audit", "verify"])

        try expectNothingPublished(by: other, remote: release.sample.remote, tagsBefore: tagsBefore)
    }

    /// bob (security) signs an `advisory.create` of a new advisory that is
    /// already published (an advisory nobody published, and whose patches the
    /// guard would let through): a new advisory is a draft, but an import's.
    @Test func aNewAdvisoryIsADraft() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let release = try ReleaseFixture(box)
        let teamRemote = try Self.connect(box, other, sample: release.sample)
        try Self.pushForged(from: box, remote: teamRemote, signer: "bob") { db, bob in
            try db.execute(sql: """
                INSERT INTO advisories (id, year, seq, project, status, private_title, created_at, created_by, updated_at)
                VALUES ('ADV-2026-009', 2026, 9, ?, 'published', 'Forged', ?, 'bob', ?)
                """, arguments: [SampleProject.name, Self.stamp, Self.stamp])
            try AuditTrail.append(db, identity: bob, member: "bob", at: Self.stamp, action: "advisory.create", object: "ADV-2026-009")
        }
        try expectSyncRefused(other, "advisory ADV-2026-009's status from draft to published without the signed steps that move it there")
    }

    // MARK: Disclosure time

    /// bob (security) moves the disclosure of an approved advisory from 2027
    /// to the past under an `advisory.edit` entry, around `schedule` (its
    /// policy checks, its recorded `--allow-violation` reason and `scheduled`
    /// event): refused, and pat cannot publish before the time without `--early`.
    @Test func anEditEntryCannotMoveTheDisclosureTime() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let release = try ReleaseFixture(box)
        try release.approvedPrerelease()
        #expect(try box.advisoryStatus() == "approved")
        let teamRemote = try Self.connect(box, other, sample: release.sample)

        try Self.pushForged(from: box, remote: teamRemote, signer: "bob") { db, bob in
            try db.execute(sql: "UPDATE advisories SET disclosure_at = '2026-12-01T16:00:00Z' WHERE id = 'ADV-2026-001'")
            try AuditTrail.append(db, identity: bob, member: "bob", at: Self.stamp, action: "advisory.edit", object: "ADV-2026-001")
        }
        let sync = try other.embargo(["store", "sync"])
        #expect(sync.status == 4, "a disclosure date moved under an edit entry was accepted: \(sync.stderr)")
        #expect(sync.stderr.contains("advisory ADV-2026-001's disclosure time without a signed schedule or publication"), "\(sync.stderr)")
        let shown = try other.json(other.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(shown?["disclosure_at"] as? String == "2027-01-06T16:00:00Z", "pat's store holds the moved date")
        let publish = try other.embargo(["publish", "ADV-2026-001", "--out", other.path("public")])
        #expect(publish.status != 0, "publish before the scheduled 2027 disclosure succeeded without --early: \(publish.stdout)")
    }

    // MARK: Release tags

    /// paula (preparer) signs a `release.tag` entry for a critical release
    /// that alice planned, without making or pushing any tag. The log cannot
    /// tell; pat's `release published` checks the project's remote and
    /// refuses (exit 4) to record a release whose tags it does not hold.
    @Test func aReleaseOnRecordAsTaggedIsPublishedOnlyWithItsTags() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let (fixture, id) = try Self.plannedCriticalRelease(box)
        let teamRemote = try Self.connect(box, other, sample: fixture.sample)
        let tagsBefore = try tags(box, fixture.sample.remote)

        try Self.pushForged(from: box, remote: teamRemote, signer: "paula") { db, paula in
            let at = Self.stamp
            try db.execute(sql: "UPDATE releases SET status = 'tagged', tagged_at = ?, tagged_by = 'paula' WHERE id = ?", arguments: [at, id])
            try db.execute(sql: """
                UPDATE release_versions SET tagged_head = ?, tag_commit = ?, tag_object = ? WHERE release = ?
                """, arguments: [String(repeating: "1", count: 40), String(repeating: "2", count: 40), String(repeating: "3", count: 40), id])
            try AuditTrail.append(db, identity: paula, member: "paula", at: at, action: "release.tag", object: id,
                                  detail: "1.1.1 \(String(repeating: "3", count: 40))")
        }
        // The log cannot tell whether a tag was pushed; the publishing manager's machine can.
        try other.ok(["store", "sync"])
        let published = try other.embargo(["release", "published", id, "--url", "https://www.drupal.org/project/sample/releases/1.1.1"])
        #expect(published.status == 4, "release published recorded a release that was never tagged: \(published.stdout)")
        #expect(published.stderr.contains("release \(id) is on record as tagged (by paula), but origin holds no tag 1.1.1; nothing was published"), "\(published.stderr)")
        #expect(try tags(box, fixture.sample.remote) == tagsBefore, "no tag was ever pushed")
        let shown = try #require(try other.json(other.ok(["release", "show", id, "--json"]).stdout)["release"] as? [String: Any])
        #expect(shown["status"] as? String != "published", "release \(id) shows published, by pat: \(shown)")
        try other.ok(["audit", "verify"])
    }

    /// carol (preparer) signs `advisory.status` with the detail `fixing -> ready`
    /// (the role it needs is read from the detail) while the row goes from
    /// `prereleased` to `published`: the detail must be the move the row makes.
    @Test func aStatusEntryIsTheMoveItNames() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let release = try ReleaseFixture(box)
        try box.addMember("carol", role: "preparer")
        _ = try release.prerelease()
        let teamRemote = try Self.connect(box, other, sample: release.sample)
        let tagsBefore = try tags(box, release.sample.remote)

        try Self.pushForged(from: box, remote: teamRemote, signer: "carol") { db, carol in
            try db.execute(sql: "UPDATE advisories SET status = 'published' WHERE id = 'ADV-2026-001'")
            try AuditTrail.append(db, identity: carol, member: "carol", at: Self.stamp, action: "advisory.status", object: "ADV-2026-001",
                                  detail: "fixing -> ready")
        }
        let sync = try other.embargo(["store", "sync"])
        #expect(sync.status == 4, "a status entry moved the advisory to published: \(sync.stderr)")
        let shown = try other.ok(["advisory", "show", "ADV-2026-001"]).stdout
        #expect(!shown.contains("published"), "pat sees the embargoed advisory as published: \(shown.prefix(300))")
        try expectNothingPublished(by: other, remote: release.sample.remote, tagsBefore: tagsBefore)
    }

    // MARK: Published texts

    /// After alice published ADV-2026-001, bob (security) signs an
    /// `advisory.edit` (not an `advisory.amend`) that rewrites its public
    /// description, which would carry no revision and no reason into the
    /// exports: a published advisory changes by amendment only.
    @Test func aPublishedAdvisoryChangesByAmendmentOnly() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let fixture = try PublishFixture(box)
        try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        #expect(try box.advisoryStatus() == "published")
        let teamRemote = try Self.connect(box, other, sample: fixture.release.sample)
        let before = try other.ok(["export", "ADV-2026-001", "--format", "osv"]).stdout
        try box.ok(["store", "sync"]) // the export is on the team log: forge on top of it

        try Self.pushForged(from: box, remote: teamRemote, signer: "bob") { db, bob in
            try db.execute(sql: "UPDATE advisories SET description = 'Nothing to see here; no upgrade is needed.' WHERE id = 'ADV-2026-001'")
            try AuditTrail.append(db, identity: bob, member: "bob", at: Self.stamp, action: "advisory.edit", object: "ADV-2026-001")
        }
        let sync = try other.embargo(["store", "sync"])
        #expect(sync.status == 4, "a published advisory's text changed without an amendment: \(sync.stderr)")
        let after = try other.ok(["export", "ADV-2026-001", "--format", "osv"]).stdout
        #expect(!after.contains("no upgrade is needed"), "the OSV export carries the unreviewed text")
        #expect(before.contains("\"modified\"") && after.components(separatedBy: "\n").filter { $0.contains("\"modified\"") }
                    != before.components(separatedBy: "\n").filter { $0.contains("\"modified\"") } || !after.contains("no upgrade is needed"),
                "the OSV 'modified' time did not move: the change looks as published")
    }

    /// paula (preparer) signs a `release.tag` entry that marks alice's planned
    /// release published (only the publishing manager's `release published`
    /// may, after it is tagged): a release moves one step at a time, each by
    /// its own action.
    @Test func aReleaseMovesOneStepAtATime() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let (fixture, id) = try Self.plannedCriticalRelease(box)
        let teamRemote = try Self.connect(box, other, sample: fixture.sample)
        try Self.pushForged(from: box, remote: teamRemote, signer: "paula") { db, paula in
            try db.execute(sql: "UPDATE releases SET status = 'published' WHERE id = ?", arguments: [id])
            try AuditTrail.append(db, identity: paula, member: "paula", at: Self.stamp, action: "release.tag", object: id, detail: "")
        }
        try expectSyncRefused(other, "release \(id)'s status from planned to published without the signed step that moves it there")
    }

    // MARK: QA

    /// quinn (qa) records a failed QA of a minor release. paula (preparer)
    /// signs a `release.drop` entry of that release that drops nothing and
    /// flips quinn's QA row to passed: a drop deletes, it changes nothing.
    @Test func aDropEntryCannotChangeAQAResult() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let fixture = try KindsFixture(box)
        try box.addMember("paula", role: "preparer")
        try box.addMember("quinn", role: "qa")
        try box.merge("feat: #3400500 A new greeting\n\nBy: frank", file: "src/new.txt", on: "1.1.x",
                      remote: fixture.sample.remote, at: "2026-12-01T08:00:00Z")
        let planned = try box.json(box.ok(["release", "plan", "--project", SampleProject.name, "--kind", "minor", "--branch", "1.1.x",
                                           "--stability", "rc", "--json"]).stdout)
        let id = try #require((planned["release"] as? [String: Any])?["id"] as? String)
        try box.ok(["release", "qa", id, "--fail", "--note", "settings form broken", "--identity", box.path("quinn.identity")])
        let teamRemote = try Self.connect(box, other, sample: fixture.sample)

        try Self.pushForged(from: box, remote: teamRemote, signer: "paula") { db, paula in
            try db.execute(sql: "UPDATE release_qa SET passed = 1, note = 'all good' WHERE release = ? AND by = 'quinn'", arguments: [id])
            try AuditTrail.append(db, identity: paula, member: "paula", at: Self.stamp, action: "release.drop", object: id, detail: "minor")
        }
        let sync = try other.embargo(["store", "sync"])
        #expect(sync.status == 4, "another member's QA row was rewritten under a drop entry: \(sync.stderr)")
        let shown = try #require(try other.json(other.ok(["release", "show", id, "--json"]).stdout)["release"] as? [String: Any])
        let qa = shown["qa"] as? [[String: Any]] ?? []
        #expect(!qa.contains { $0["by"] as? String == "quinn" && ($0["passed"] as? Bool == true || $0["passed"] as? Int == 1) },
                "release show says quinn passed QA: \(qa)")
        let published = try other.embargo(["release", "published", id, "--url", "https://www.drupal.org/project/sample/releases/1.2.0-rc1"])
        #expect(published.status != 0, "release published still reads the signed QA entry: \(published.stderr)")
    }

    // MARK: The guard

    /// alice guards her clone and has the fix checked out on a branch; the
    /// pre-push hook refuses to push it. bob (security) signs an
    /// `advisory.edit` that marks the advisory published: had her machine
    /// taken it, the next refresh of her guard list would drop the fix's
    /// patches and let the push through.
    @Test func aForgedStatusDoesNotSwitchOffTheGuard() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let release = try ReleaseFixture(box)
        _ = try release.prerelease()
        let teamRemote = try Self.connect(box, other, sample: release.sample)
        let repo = release.sample.repository
        try box.ok(["guard", "install", "--project", SampleProject.name])
        try box.ok(["patch", "checkout", "ADV-2026-001", "--branch", "1.0.x", "--as", "wip/fix"])
        let refused = try box.run("git", ["-C", repo.path, "push", "origin", "wip/fix"])
        #expect(refused.status != 0, "the guard holds the fix back at first: \(refused.stderr)")
        try box.ok(["store", "sync"])

        try Self.pushForged(from: box, remote: teamRemote, signer: "bob") { db, bob in
            try db.execute(sql: "UPDATE advisories SET status = 'published' WHERE id = 'ADV-2026-001'")
            try AuditTrail.append(db, identity: bob, member: "bob", at: Self.stamp, action: "advisory.edit", object: "ADV-2026-001")
        }
        let sync = try box.embargo(["store", "sync"])
        #expect(sync.status == 4, "alice's machine accepted the forged status: \(sync.stderr)")
        try box.ok(["guard", "install", "--project", SampleProject.name])
        let pushed = try box.run("git", ["-C", repo.path, "push", "origin", "wip/fix"])
        #expect(pushed.status != 0, "alice's pre-push hook let the embargoed fix through: \(pushed.stderr)")
        let refs = try box.run("git", ["ls-remote", release.sample.remote.path]).stdout
        #expect(!refs.contains("refs/heads/wip/fix"), "the embargoed fix is on the public remote")
    }

    /// pat (publisher: may publish an approved release, nothing else) signs an
    /// `advisory.publish` entry that marks the unapproved advisory published,
    /// without the steps of a publication: every machine refuses it, pat's too.
    @Test func aPublishEntryAloneDoesNotPublish() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let release = try ReleaseFixture(box)
        _ = try release.prerelease()
        let teamRemote = try Self.connect(box, other, sample: release.sample)
        try other.ok(["store", "sync"])
        let tagsBefore = try tags(box, release.sample.remote)

        try Self.pushForged(from: other, remote: teamRemote, signer: "pat", identityFile: "alice") { db, pat in
            try db.execute(sql: "UPDATE advisories SET status = 'published' WHERE id = 'ADV-2026-001'")
            try AuditTrail.append(db, identity: pat, member: "pat", at: Self.stamp, action: "advisory.publish", object: "ADV-2026-001",
                                  detail: "1.0.2, 1.1.1")
        }
        let sync = try box.embargo(["store", "sync"])
        #expect(sync.status == 4, "alice's machine accepted an advisory marked published by no publication: \(sync.stderr)")
        // pat's own machine refuses it too: it came through the remote, not through pat's store.
        #expect(try other.embargo(["store", "sync"]).status == 4)
        try expectNothingPublished(by: other, remote: release.sample.remote, tagsBefore: tagsBefore)
    }

    // MARK: Approvals and lint acceptance

    /// An approval of pre-release 1 moved onto pre-release 2 by bob, under an
    /// approve entry of his: refused (an approval's update may flip `void` only).
    @Test func refusedAnApprovalMovedOntoANewPrerelease() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let release = try ReleaseFixture(box)
        try release.approvedPrerelease()
        let second = try #require(try release.prerelease()["manifest_sha256"] as? String)
        let teamRemote = try Self.connect(box, other, sample: release.sample)
        try Self.pushForged(from: box, remote: teamRemote, signer: "bob") { db, bob in
            let seq = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM prereleases")!
            try db.execute(sql: "UPDATE approvals SET prerelease = ?, manifest_hash = ?, void = 0", arguments: [seq, second])
            try db.execute(sql: "UPDATE advisories SET status = 'approved' WHERE id = 'ADV-2026-001'")
            try AuditTrail.append(db, identity: bob, member: "bob", at: Self.stamp, action: "advisory.approve", object: "ADV-2026-001",
                                  detail: AuditFacts([("pre-release", String(seq)), ("manifest", second), ("by", "bob")]).text)
        }
        let sync = try other.embargo(["store", "sync"])
        #expect(sync.status == 4, "\(sync.stderr)")
    }

    /// A lint finding accepted in alice's name by bob: refused (the member column names the signer).
    @Test func refusedALintAcceptanceInAnotherMembersName() throws {
        let box = try Sandbox()
        let other = try Sandbox()
        defer { box.remove(); other.remove() }
        let release = try ReleaseFixture(box)
        let teamRemote = try Self.connect(box, other, sample: release.sample)
        try Self.pushForged(from: box, remote: teamRemote, signer: "bob") { db, bob in
            try db.execute(sql: """
                INSERT INTO accepted_findings (advisory, key, location, term, accepted_at, accepted_by)
                VALUES ('ADV-2026-001', 'commit-1.0.x-1:title', 'commit 1.0.x#1 message', 'title', ?, 'alice')
                """, arguments: [Self.stamp])
            try AuditTrail.append(db, identity: bob, member: "bob", at: Self.stamp, action: "lint.accept", object: "ADV-2026-001",
                                  detail: "accepted commit-1.0.x-1:title")
        }
        try expectSyncRefused(other, "naming alice as accepted_by")
    }
}
