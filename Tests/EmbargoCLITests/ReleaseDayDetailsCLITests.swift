import Foundation
import Testing

/// The small things of a release day: one approval however often it is given,
/// bundles that never replace one another, "not addressed to you" as access
/// denied, pre-release numbers of the advisory's own, a next step after each
/// step, a warning before placeholders go public, and every blocker of a
/// publication at once.
@Suite("release day details through the CLI")
struct ReleaseDayDetailsCLITests {
    func bundle(in directory: String, _ box: Sandbox) throws -> String {
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: box.path(directory)).first { $0.hasSuffix(".tar.age") })
        return box.path("\(directory)/\(name)")
    }

    func auditActions(_ box: Sandbox, _ action: String) throws -> Int {
        let entries = try box.json(box.ok(["audit", "--advisory", "ADV-2026-001", "--json"]).stdout)["entries"] as? [[String: Any]] ?? []
        return entries.filter { $0["action"] as? String == action }.count
    }

    @Test func initPrereleaseAndApproveSayWhatComesNext() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.ok(["identity", "new"])
        let created = try box.ok(["init", "--name", "alice"]).stdout
        #expect(created.hasSuffix("next: register a project: 'embargo project add NAME --repo PATH --remote origin --branch BRANCH'\n"))
        box.remove()

        let other = try Sandbox()
        defer { other.remove() }
        let fixture = try ReleaseFixture(other)
        let built = try other.ok(["prerelease", "ADV-2026-001", "--out", other.path("outbox")]).stdout
        #expect(built.hasSuffix("""
            next: send sample_module-1.0.2-1.1.1.prerelease.tar.age to the security team; a member of it checks and approves it \
            with 'embargo approve ADV-2026-001 --bundle sample_module-1.0.2-1.1.1.prerelease.tar.age'

            """), "\(built)")
        let approved = try other.ok(["approve", "ADV-2026-001", "--bundle", bundle(in: "outbox", other), "--identity", other.path("bob.identity")])
        #expect(approved.stdout.hasSuffix("""
            next: publish at the disclosure time, 2027-01-06T16:00:00Z: 'embargo publish ADV-2026-001' ('--dry-run' checks it first); \
            or in drupal.org's order, 'embargo release tag REL-2026-001' on the disclosure day, then 'embargo release published \
            REL-2026-001 --sa-url URL' once the Security Team published the SA

            """), "\(approved.stdout)")
        _ = fixture
    }

    @Test func approvingTwiceRecordsOneApprovalAndSaysSo() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try ReleaseFixture(box)
        try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        let bob = ["--bundle", try bundle(in: "outbox", box), "--identity", box.path("bob.identity")]
        let first = try box.ok(["approve", "ADV-2026-001"] + bob).stdout
        #expect(first.hasPrefix("approved pre-release 1 of ADV-2026-001 (manifest "))
        let again = try box.ok(["approve", "ADV-2026-001"] + bob).stdout
        #expect(again.hasPrefix("pre-release 1 of ADV-2026-001 is already approved by bob ("))
        #expect(again.hasSuffix("); nothing was recorded\n"))
        let json = try box.json(box.ok(["approve", "ADV-2026-001", "--json"] + bob).stdout)
        #expect(json["already_recorded"] as? Bool == true)
        #expect((json["approval"] as? [String: Any])?["prerelease"] as? Int == 1)
        #expect(try auditActions(box, "advisory.approve") == 1)
        let timeline = try box.ok(["timeline", "ADV-2026-001"]).stdout
        #expect(timeline.components(separatedBy: "approved by bob").count == 2, "\(timeline)")
    }

    @Test func aNewBundleNeverReplacesAnOldOne() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try ReleaseFixture(box)
        try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        let old = try bundle(in: "outbox", box)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: old))

        let refused = try box.embargo(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        #expect(refused.status == 1)
        #expect(refused.stderr == """
            embargo: error: \(old) exists already; a new bundle never replaces a file
            embargo: hint: pass another directory: 'embargo prerelease ADV-2026-001 --out DIR', or remove the old bundle first

            """)
        #expect(try Data(contentsOf: URL(fileURLWithPath: old)) == bytes)
        #expect(try auditActions(box, "advisory.prerelease") == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path("outbox")) == [URL(fileURLWithPath: old).lastPathComponent])

        // Elsewhere it is written, and it is the advisory's second pre-release.
        try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox-2")])
        let verified = try box.ok(["prerelease", "verify", try bundle(in: "outbox-2", box), "--identity", box.path("bob.identity")]).stdout
        #expect(verified.contains("pre-release 2: the current one"))
    }

    @Test func aBundleForSomeoneElseIsAccessDenied() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        let bundle = try bundle(in: "outbox", box)
        // Alice built it for the security team (bob): the store knows it is intact, so it is not for her.
        for command in [["prerelease", "verify", bundle], ["approve", "ADV-2026-001", "--bundle", bundle]] {
            let run = try box.embargo(command)
            #expect(run.status == 5, "\(command): \(run.stderr)")
            #expect(run.stderr == """
                embargo: error: pre-release 1 of ADV-2026-001 is not addressed to alice: it was encrypted to bob
                embargo: hint: pass --identity FILE of one of them, or ask for a bundle to your recipient: \
                'embargo prerelease ADV-2026-001 --out DIR --recipient age1...'

                """)
        }
        // Without the store a bundle for others cannot be told from a damaged one: verification failed.
        try box.ok(["identity", "new", "--out", box.path("eve.identity")])
        let alone = try box.embargo(["prerelease", "verify", bundle, "--identity", box.path("eve.identity"), "--signer-key", try fixture.aliceKey()])
        #expect(alone.status == 4)
        #expect(alone.stderr.hasPrefix("embargo: error: the bundle cannot be opened with this identity: it is addressed to others, or its header was damaged\n"))
    }

    @Test func preReleaseNumbersAreTheAdvisorysOwn() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("first")])
        try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("second")])
        // A second advisory, with a fix of its own: a new file on both branches.
        try box.ok(["advisory", "create", "--project", "sample_module", "--title", "Build number exposed to visitors",
                    "--public-title", "Information disclosure", "--risk", "AC:Basic/A:None/CI:Some/II:None/E:Theoretical/TD:Default"])
        try box.ok(["advisory", "status", "ADV-2026-002", "confirmed"])
        let diff = "--- /dev/null\n+++ b/src/Footer.php\n@@ -0,0 +1,2 @@\n+<?php\n+// Footer text.\n"
        try diff.write(toFile: box.path("footer.diff"), atomically: true, encoding: .utf8)
        for branch in ["1.0.x", "1.1.x"] {
            try box.ok(["patch", "add", "ADV-2026-002", "--branch", branch, "--file", box.path("footer.diff"),
                        "--message", "Issue #3400031 by maintainer: Add a footer", "--author", "Maintainer <m@example.org>"])
        }
        try box.ok(["patch", "verify", "ADV-2026-002"])
        try box.ok(["prerelease", "ADV-2026-002", "--out", box.path("other")])
        let bob = ["--identity", box.path("bob.identity")]
        let verified = try box.ok(["prerelease", "verify", try bundle(in: "other", box)] + bob).stdout
        #expect(verified.contains("pre-release 1: the current one"), "\(verified)")
        let approved = try box.ok(["approve", "ADV-2026-002", "--bundle", try bundle(in: "other", box)] + bob).stdout
        #expect(approved.hasPrefix("approved pre-release 1 of ADV-2026-002"))
        let json = try box.json(box.ok(["prerelease", "verify", try bundle(in: "second", box), "--json"] + bob).stdout)
        #expect(json["prerelease"] as? Int == 2)
        _ = fixture
    }

    @Test func placeholdersInTheSAAreWarnedOfBeforeTheyGoOut() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try ReleaseFixture(box)
        let unset = "SA id, vulnerability type, CVE id, description, Reported by, Fixed by, Coordinated by"
        let options = "--sa-id SA-CONTRIB-YYYY-NNN --type TEXT --cve-id CVE-YYYY-NNNN --description-file FILE --reporter NAME --fixer NAME --coordinator NAME"
        let built = try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        #expect(built.stderr.contains("""
            embargo: warning: the SA of ADV-2026-001 goes to the security team with placeholders for: \(unset)
            embargo: hint: set them with 'embargo advisory edit ADV-2026-001 \(options)' \
            (a change of public fields needs a new pre-release and approval)

            """), "\(built.stderr)")
        let dry = try box.embargo(["publish", "ADV-2026-001", "--dry-run"])
        #expect(dry.stderr.hasPrefix("embargo: warning: the SA of ADV-2026-001 would go public with placeholders for: \(unset)\n"))

        // Filled in, the next pre-release is quiet.
        try "The page title is shown as typed.\n".write(toFile: box.path("description.txt"), atomically: true, encoding: .utf8)
        try box.ok(["advisory", "edit", "ADV-2026-001", "--sa-id", "SA-CONTRIB-2027-001", "--type", "Cross site scripting",
                    "--cve-id", "CVE-2027-1234", "--description-file", box.path("description.txt"), "--reporter", "Rita Reporter",
                    "--fixer", "Fred Fixer", "--coordinator", "Cora Coordinator"])
        let filled = try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox-2")])
        #expect(!filled.stderr.contains("placeholders"), "\(filled.stderr)")
    }

    @Test func aDryRunListsEveryBlockerAndTheNextCommand() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        let base = try box.run("git", ["-C", fixture.repo.path, "rev-parse", "1.0.x"]).stdout.prefix(12)
        // Not approved, embargoed until 2027, a branch name that gives the flaw away, a branch that moved.
        try box.git(["-C", fixture.repo.path, "branch", "xss-notes"])
        try box.git(["-C", fixture.repo.path, "checkout", "--quiet", "1.0.x"])
        try "more\n".write(to: fixture.repo.appendingPathComponent("NOTES.txt"), atomically: true, encoding: .utf8)
        try box.git(["-C", fixture.repo.path, "add", "NOTES.txt"])
        try box.git(["-C", fixture.repo.path, "commit", "--quiet", "-m", "Issue #3400032 by maintainer: Notes"])
        try box.git(["-C", fixture.repo.path, "push", "--quiet", "origin", "1.0.x"])

        let dry = try box.embargo(["publish", "ADV-2026-001", "--dry-run"])
        #expect(dry.status == 3)
        #expect(dry.stderr.hasSuffix("""
            embargo: error: ADV-2026-001 cannot be published yet; 4 things stand in the way:
              advisory ADV-2026-001 has no approval of its current pre-release
              the embargo of ADV-2026-001 lasts until 2027-01-06T16:00:00Z
              1 unaccepted lint finding(s) in ADV-2026-001: branch xss-notes: 'XSS' (key branch-xss-notes:xss)
              branch 1.0.x moved since the pre-release (it was at \(base))
            embargo: hint: the security team runs 'embargo approve ADV-2026-001 --bundle BUNDLE'

            """), "\(dry.stderr)")
        #expect(dry.stdout.isEmpty)

        // A publication itself stops at the first, and nothing changed.
        let real = try box.embargo(["publish", "ADV-2026-001"])
        #expect(real.status == 3)
        #expect(real.stderr.hasSuffix("""
            embargo: error: advisory ADV-2026-001 has no approval of its current pre-release
            embargo: hint: the security team runs 'embargo approve ADV-2026-001 --bundle BUNDLE'

            """))
        #expect(!(try box.run("git", ["ls-remote", fixture.sample.remote.path]).stdout.contains("1.0.2")))
    }
}

extension ReleaseDayDetailsCLITests {
    /// A pre-release built after 16:00 UTC on its release day is late for the
    /// Security Team (drupal.org's rule): said when it is built, with the way out.
    @Test func aPrereleaseAfterFourOnTheReleaseDayIsSaidToBeLate() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let late = try box.ok(at: "2027-01-06 16:30:00", ["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        #expect(late.stderr.contains("drupal.prerelease-before-16") && late.stderr.contains("--next-window"), "\(late.stderr)")
        _ = fixture
    }
}
