import EmbargoKit
import Foundation
import Testing

/// The release day as a team lives it: an advisory moves along its lifecycle
/// by itself, every refusal and `embargo status` name the one command that
/// works, an interrupted publication says that the fix is public, and a
/// failing test shows its output.
@Suite("release day through the CLI")
struct ReleaseDayCLITests {
    func standing(_ box: Sandbox, _ id: String = "ADV-2026-001") throws -> [String: Any] {
        let report = try box.json(box.ok(["status", id, "--json"]).stdout)
        return try #require((report["advisories"] as? [[String: Any]])?.first)
    }

    @Test func theLifecycleMovesItselfAndEveryRefusalNamesTheNextCommand() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        try box.addMember("bob", role: "security")
        let root = box.root.appendingPathComponent("sample")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let sample = try SampleProject.create(at: root)
        try box.ok(["project", "add", SampleProject.name, "--repo", sample.repository.path, "--remote", "origin",
                    "--branch", "1.0.x", "--branch", "1.1.x"])
        try box.ok(["advisory", "create", "--project", SampleProject.name, "--title", "Page title is not escaped",
                    "--public-title", "Cross site scripting", "--risk", "AC:Basic/A:None/CI:Some/II:Some/E:Theoretical/TD:Default"])

        // A draft without patches: both branches lack them, and the next command says how to add them.
        var now = try standing(box)
        #expect(now["status"] as? String == "draft")
        #expect(now["blockers"] as? [String] == ["no patches for 1.0.x", "no patches for 1.1.x"])
        #expect(now["next"] as? String == "embargo patch add ADV-2026-001 --branch 1.0.x --from-ref REF")
        #expect((now["actors"] as? [String])?.contains("preparer") == true)
        let early = try box.embargo(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        #expect(early.status == 3)
        #expect(early.stderr.contains("no patches for 1.0.x; no patches for 1.1.x"), "\(early.stderr)")
        #expect(early.stderr.contains("hint: run 'embargo patch add ADV-2026-001 --branch 1.0.x --from-ref REF'"), "\(early.stderr)")

        // Patches added while still a draft: the next command is the verification.
        try ReleaseFixture.addTitleFix(box, repo: sample.repository)
        now = try standing(box)
        #expect(now["next"] as? String == "embargo patch verify ADV-2026-001")
        #expect((now["blockers"] as? [String])?.contains("the series for 1.1.x is not verified on the branch's current head") == true)
        let unverified = try box.embargo(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        #expect(unverified.status == 3)
        #expect(unverified.stderr.contains("hint: run 'embargo patch verify ADV-2026-001'"), "\(unverified.stderr)")

        // A passing verification takes the draft all the way to ready, each move on the timeline.
        try box.ok(["patch", "verify", "ADV-2026-001"])
        now = try standing(box)
        #expect(now["status"] as? String == "ready")
        #expect(now["blockers"] as? [String] == [])
        #expect(now["next"] as? String == "embargo prerelease ADV-2026-001 --out DIR")
        let timeline = try box.ok(["timeline", "ADV-2026-001"]).stdout
        for move in ["draft -> confirmed", "confirmed -> fixing", "fixing -> ready"] {
            #expect(timeline.contains(move), "\(move)")
        }

        // Pre-released: the security team's command, with the manifest's hash, is the next one; it works as printed.
        let report = try box.json(box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox"), "--json"]).stdout)
        let hash = try #require(report["manifest_sha256"] as? String)
        now = try standing(box)
        #expect(now["next"] as? String == "embargo approve ADV-2026-001 --sha256 \(hash)")
        #expect(now["actors"] as? [String] == Permissions.roles(for: .approve).map(\.rawValue))
        let command = try #require((now["next"] as? String)?.split(separator: " ").dropFirst().map(String.init))
        try box.ok(command + ["--identity", box.path("bob.identity")])
        #expect(try standing(box)["next"] as? String == "embargo schedule ADV-2026-001 --at TIME")
        try box.ok(["schedule", "ADV-2026-001", "--at", "2027-01-06T16:00Z"])
        now = try standing(box)
        #expect(now["next"] as? String == "embargo publish ADV-2026-001")
        let waiting = now["blockers"] as? [String] ?? []
        #expect(waiting.contains { $0.hasPrefix("the embargo lifts at 2027-01-06T16:00") }, "\(waiting)")
        #expect(waiting.contains("the SA id is not set (the public advisory would say so)"), "\(waiting)")
        // The text screen shows the same.
        let screen = try box.ok(["status"]).stdout
        #expect(screen.contains("ADV-2026-001  Page title is not escaped"))
        #expect(screen.contains("next        embargo publish ADV-2026-001"), "\(screen)")
    }

    @Test func anInterruptedPublicationSaysTheFixIsPublicUntilItIsFinished() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PublishFixture(box)
        let stopped = try box.embargo(["publish", "ADV-2026-001", "--out", box.path("public")], env: ["EMBARGO_STOP_AFTER_STEP": "pushed"])
        #expect(stopped.status != 0)
        let refs = try fixture.remoteRefs()

        #expect(try box.ok(["advisory", "show", "ADV-2026-001"]).stdout
                    .contains("publishing (stopped after 'pushed'; run 'embargo publish ADV-2026-001' to finish)"))
        #expect(try box.ok(["advisory", "list"]).stdout.contains("publishing"))
        let shown = try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)
        #expect(shown["publication_step"] as? String == "pushed")
        let now = try standing(box)
        #expect(now["shown_status"] as? String == "publishing")
        #expect(now["next"] as? String == "embargo publish ADV-2026-001")

        // A revert cannot take back what was pushed: it says so and changes nothing.
        let revert = try box.embargo(["revert", "ADV-2026-001"])
        #expect(revert.status == 3)
        #expect(revert.stderr.contains("the fix of ADV-2026-001 is public"), "\(revert.stderr)")
        #expect(revert.stderr.contains("the embargo is broken"), "\(revert.stderr)")
        #expect(revert.stderr.contains("hint: finish now with 'embargo publish ADV-2026-001'"), "\(revert.stderr)")
        #expect(try fixture.remoteRefs() == refs, "the tags stay where they are")
        #expect(try fixture.status() == "approved")

        try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        try fixture.expectPublished(fixture.manifest())
        #expect(try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["publication_step"] == nil)
        #expect(try box.ok(["status"]).stdout.contains("no open advisories"))
    }

    @Test func aFailingTestShowsItsOutputAndTheHintDoesNotBlameThePatches() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try ReleaseFixture(box)
        try box.ok(["project", "set", SampleProject.name, "--test-command",
                    "for i in $(seq -w 1 60); do echo \"test line $i\"; done; exit 1"])
        let run = try box.embargo(["patch", "verify", "ADV-2026-001"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("test line 21") && run.stdout.contains("test line 60"), "the last 40 lines: \(run.stdout)")
        #expect(!run.stdout.contains("test line 20"), "not more than 40")
        #expect(run.stderr.contains("the project's tests fail on 1.0.x with the series applied"), "\(run.stderr)")
        #expect(run.stderr.contains("'--verbose' prints the whole output"), "\(run.stderr)")
        let verbose = try box.embargo(["patch", "verify", "ADV-2026-001", "--verbose"])
        #expect(verbose.stdout.contains("test line 01"), "everything with --verbose")
        #expect(verbose.stdout.contains("test line 60"))
    }

    /// Verification and pre-release fetch the project's remote first and work
    /// on its branch heads; offline they refuse with a hint, or use the
    /// branches as last fetched with --offline. A publication leaves the local
    /// release branches where the remote's are.
    @Test func branchesAreFetchedAndLocalBranchesFollowAPublication() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let colleague = box.root.appendingPathComponent("colleague")
        try box.git(["clone", "--quiet", "--branch", "1.1.x", fixture.sample.remote.path, colleague.path])
        try box.git(["-C", colleague.path, "commit", "--quiet", "--allow-empty", "-m", "Issue #3400060 by ann: Late change"])
        try box.git(["-C", colleague.path, "push", "--quiet", "origin", "1.1.x"])
        let moved = try box.run("git", ["-C", colleague.path, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let verified = try box.json(box.ok(["patch", "verify", "ADV-2026-001", "--json"]).stdout)["branches"] as? [[String: Any]] ?? []
        #expect(verified.first { $0["branch"] as? String == "1.1.x" }?["head"] as? String == moved, "verified on the remote's new head")

        let away = fixture.sample.remote.deletingLastPathComponent().appendingPathComponent("away.git")
        try FileManager.default.moveItem(at: fixture.sample.remote, to: away)
        let offline = try box.embargo(["patch", "verify", "ADV-2026-001"])
        #expect(offline.status == 1)
        #expect(offline.stderr.contains("cannot fetch origin into"), "\(offline.stderr)")
        #expect(offline.stderr.contains("pass --offline to use the branches as last fetched"), "\(offline.stderr)")
        try box.ok(["patch", "verify", "ADV-2026-001", "--offline"])
        #expect(try box.embargo(["prerelease", "ADV-2026-001", "--out", box.path("outbox")]).status == 1)
        try FileManager.default.moveItem(at: away, to: fixture.sample.remote)

        _ = try fixture.prerelease()
        let bundle = try #require(try FileManager.default.contentsOfDirectory(atPath: box.path("outbox")).first { $0.hasSuffix(".tar.age") })
        try box.ok(["approve", "ADV-2026-001", "--bundle", box.path("outbox/\(bundle)"), "--identity", box.path("bob.identity")])
        try box.ok(["schedule", "ADV-2026-001", "--at", "2026-01-07T16:00Z", "--allow-violation", "the release day is in the past for this test"])
        let published = try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")]).stdout
        for branch in ["1.0.x", "1.1.x"] {
            let local = try box.run("git", ["-C", fixture.repo.path, "rev-parse", "refs/heads/\(branch)"]).stdout
            let remote = try box.run("git", ["-C", fixture.sample.remote.path, "rev-parse", "refs/heads/\(branch)"]).stdout
            #expect(local == remote, "\(branch) follows the publication")
            #expect(published.contains("moved local branch \(branch) forward to origin/\(branch)"), "\(published)")
        }
    }

    /// Patch intake checks what it takes: commits that are public already are
    /// refused, a ref that forks before the branch head is warned about, the
    /// same change twice is refused with the command that replaces it, and
    /// `patch replace` puts new patches in the place of one.
    @Test func patchIntakeRefusesPublicCommitsAndDuplicatesAndReplaces() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let repo = fixture.repo.path
        func commit(_ path: String, _ text: String, _ message: String) throws {
            try text.write(to: fixture.repo.appendingPathComponent(path), atomically: true, encoding: .utf8)
            try box.git(["-C", repo, "add", path])
            try box.git(["-C", repo, "commit", "--quiet", "-m", message])
        }
        func subjects() throws -> [String] {
            let list = try box.json(box.ok(["patch", "list", "ADV-2026-001", "--json"]).stdout)["patches"] as? [[String: Any]] ?? []
            return list.filter { $0["branch"] as? String == "1.0.x" }.compactMap { $0["subject"] as? String }
        }

        // 1.1.x is public: its commits are not an embargoed fix for 1.0.x.
        let published = try box.embargo(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--from-ref", "origin/1.1.x"])
        #expect(published.status == 3, "\(published.stderr)")
        #expect(published.stderr.contains("are public already, on a branch or tag of origin"), "\(published.stderr)")

        // A fix started before the branch's head: taken, with a warning.
        try box.git(["-C", repo, "checkout", "--quiet", "-b", "old", "1.0.x~1"])
        try commit("NOTES.md", "Short greetings.\n", "Issue #3400070 by ann: Keep the greeting short")
        let forked = try box.ok(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--from-ref", "old"])
        #expect(forked.stderr.contains("old is not based on the current head of 1.0.x"), "\(forked.stderr)")
        #expect(try subjects() == ["Issue #3400030 by maintainer: Tidy the page title", "Issue #3400070 by ann: Keep the greeting short"])

        // The same change again: refused, with the command that replaces it.
        let first = try box.ok(["patch", "show", "ADV-2026-001", "--branch", "1.0.x", "1"]).stdout
        try first.write(to: box.root.appendingPathComponent("again.patch"), atomically: true, encoding: .utf8)
        let again = try box.embargo(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--file", box.path("again.patch")])
        #expect(again.status == 3, "\(again.stderr)")
        #expect(again.stderr.contains("is the same change as patch 1 of the 1.0.x series"), "\(again.stderr)")
        #expect(again.stderr.contains("hint: to change that patch, run 'embargo patch replace ADV-2026-001 --branch 1.0.x 1 --from-ref REF'"))

        // Two commits in the place of patch 1: the second patch moves down.
        try box.git(["-C", repo, "checkout", "--quiet", "-b", "two", "1.0.x"])
        try commit("src/Controller/PageController.php", "<?php\n// rewritten\n", "Issue #3400071 by ann: Rework the page output")
        try commit("CHANGES.txt", "Reworked.\n", "Issue #3400072 by ann: Describe the rework")
        try box.ok(["patch", "replace", "ADV-2026-001", "--branch", "1.0.x", "1", "--from-ref", "two"])
        #expect(try subjects() == ["Issue #3400071 by ann: Rework the page output", "Issue #3400072 by ann: Describe the rework",
                                   "Issue #3400070 by ann: Keep the greeting short"])
        #expect(try box.ok(["timeline", "ADV-2026-001"]).stdout.contains("patch 1 of 1.0.x replaced by 2 patch(es)"))
        try box.ok(["audit", "verify"])
        try box.ok(["store", "verify"])
    }

    /// A member names their own clone with --repo for one command (the
    /// store's path may not exist on their machine), and a pre-release warns
    /// while the project has no committer of its own.
    @Test func repoNamesThisMembersCloneForOneCommand() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let mine = box.root.appendingPathComponent("my-clone")
        try box.git(["clone", "--quiet", fixture.sample.remote.path, mine.path])
        try FileManager.default.moveItem(at: fixture.repo, to: box.root.appendingPathComponent("elsewhere"))

        let without = try box.embargo(["patch", "verify", "ADV-2026-001"])
        #expect(without.status == 1, "\(without.stderr)")
        #expect(without.stderr.split(separator: "\n").count == 2, "one line and its hint: \(without.stderr)")
        let notAClone = try box.embargo(["patch", "verify", "ADV-2026-001", "--repo", box.path("nothing")])
        #expect(notAClone.status == 1)
        #expect(notAClone.stderr.contains("is not a git repository"), "\(notAClone.stderr)")
        try box.ok(["patch", "verify", "ADV-2026-001", "--repo", mine.path])
        #expect(try box.ok(["status", "ADV-2026-001", "--repo", mine.path]).stdout.contains("next        embargo prerelease ADV-2026-001 --out DIR"))

        let first = try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox"), "--repo", mine.path])
        #expect(first.stderr.contains("project sample_module has no committer"), "\(first.stderr)")
        #expect(first.stderr.contains("'embargo project set sample_module --committer \"Name <email>\"'"), "\(first.stderr)")
        try box.ok(["project", "set", SampleProject.name, "--committer", "Ann Maintainer <ann@example.org>"])
        let second = try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox2"), "--repo", mine.path])
        #expect(!second.stderr.contains("has no committer"), "\(second.stderr)")
    }

    /// Three members on three machines (their own homes, stores synced through
    /// the team remote, clones of the project at different paths) take one
    /// advisory from report to publication: a branch moves on the remote and
    /// is fetched, and a publication stopped after its push is finished by the
    /// publisher.
    @Test func threeMembersOnThreeMachinesTakeAnAdvisoryToPublication() throws {
        let alice = try Sandbox(), sam = try Sandbox(), pat = try Sandbox()
        defer { for box in [alice, sam, pat] { box.remove() } }
        try alice.initStore()
        let root = alice.root.appendingPathComponent("sample")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let sample = try SampleProject.create(at: root)
        try alice.ok(["project", "add", SampleProject.name, "--repo", sample.repository.path, "--remote", "origin",
                      "--branch", "1.0.x", "--branch", "1.1.x"])
        try alice.ok(["project", "set", SampleProject.name, "--committer", "Alice Maintainer <alice@example.org>"])
        let team = alice.root.appendingPathComponent("team.git")
        try alice.git(["init", "--quiet", "--bare", team.path])
        try alice.ok(["store", "remote", "set", team.path])
        for (box, name, role) in [(sam, "sam", "security"), (pat, "pat", "publisher")] {
            try box.becomeMember(name, role: role, addedBy: alice)
            try box.ok(["store", "clone", team.path])
        }
        let patClone = pat.root.appendingPathComponent("work/sample-module")
        try pat.git(["clone", "--quiet", sample.remote.path, patClone.path])
        try pat.ok(["project", "local", SampleProject.name, "--repo", patClone.path])

        // The preparer registers the report and the fix.
        try alice.ok(["advisory", "create", "--project", SampleProject.name, "--title", "Page title is not escaped",
                      "--public-title", "Cross site scripting", "--risk", "AC:Basic/A:None/CI:Some/II:Some/E:Theoretical/TD:Default"])
        try alice.ok(["advisory", "edit", "ADV-2026-001", "--sa-id", "SA-CONTRIB-2026-001"])
        try ReleaseFixture.addTitleFix(alice, repo: sample.repository)
        try alice.ok(["patch", "verify", "ADV-2026-001"])

        // Someone pushes to 1.1.x meanwhile: the pre-release fetches it and refuses, the verification takes it in.
        let colleague = alice.root.appendingPathComponent("colleague")
        try alice.git(["clone", "--quiet", "--branch", "1.1.x", sample.remote.path, colleague.path])
        try alice.git(["-C", colleague.path, "commit", "--quiet", "--allow-empty", "-m", "Issue #3400060 by ann: Late change"])
        try alice.git(["-C", colleague.path, "push", "--quiet", "origin", "1.1.x"])
        let stale = try alice.embargo(["prerelease", "ADV-2026-001", "--out", alice.path("outbox")])
        #expect(stale.status == 3)
        #expect(stale.stderr.contains("hint: run 'embargo patch verify ADV-2026-001'"), "\(stale.stderr)")
        try alice.ok(["patch", "verify", "ADV-2026-001"])
        let report = try alice.json(alice.ok(["prerelease", "ADV-2026-001", "--out", alice.path("outbox"), "--json"]).stdout)
        let bundle = try #require(report["bundle"] as? String)

        // The security team's member checks the bundle and approves it, from their machine.
        try sam.ok(["store", "sync"])
        try sam.ok(["prerelease", "verify", bundle])
        let next = try #require((try standing(sam)["next"] as? String)?.split(separator: " ").dropFirst().map(String.init))
        try sam.ok(next)
        try sam.ok(["schedule", "ADV-2026-001", "--at", "2026-01-07T16:00Z", "--allow-violation", "the release day is in the past for this test"])

        // The publisher's first run stops after its push; the fix is public, and everyone can see it.
        try pat.ok(["store", "sync"])
        #expect(try standing(pat)["next"] as? String == "embargo publish ADV-2026-001")
        let stopped = try pat.embargo(["publish", "ADV-2026-001", "--out", pat.path("public")], env: ["EMBARGO_STOP_AFTER_STEP": "pushed"])
        #expect(stopped.status != 0)
        try pat.ok(["store", "sync"])
        try alice.ok(["store", "sync"])
        #expect(try standing(alice)["shown_status"] as? String == "publishing")
        #expect(try alice.embargo(["revert", "ADV-2026-001"]).status == 3)
        try pat.ok(["publish", "ADV-2026-001", "--out", pat.path("public")])
        for box in [alice, sam, pat] {
            try box.ok(["store", "sync"])
            let shown = try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
            #expect(shown?["status"] as? String == "published")
            try box.ok(["audit", "verify"])
        }
        let refs = try alice.run("git", ["ls-remote", "--tags", sample.remote.path]).stdout
        #expect(refs.contains("refs/tags/1.0.2") && refs.contains("refs/tags/1.1.1"), "\(refs)")
        let tagger = try alice.run("git", ["-C", patClone.path, "for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/1.1.1"]).stdout
        #expect(tagger.contains("Alice Maintainer <alice@example.org>"), "the project's committer: \(tagger)")
    }

    /// An old branch runs a test command of its own (another PHP version, say).
    @Test func aBranchRunsATestCommandOfItsOwn() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try ReleaseFixture(box)
        try box.ok(["project", "set", SampleProject.name, "--test-command", "echo newest runtime; exit 1"])
        try box.ok(["project", "set", SampleProject.name, "--branch", "1.0.x", "--test-command", "echo older runtime"])
        let shown = try box.ok(["project", "show", SampleProject.name]).stdout
        #expect(shown.contains("test command (1.0.x)"), "\(shown)")
        let json = try box.json(box.ok(["project", "show", SampleProject.name, "--json"]).stdout)["project"] as? [String: Any]
        #expect(json?["branch_test_commands"] as? [String: String] == ["1.0.x": "echo older runtime"])

        let run = try box.embargo(["patch", "verify", "ADV-2026-001", "--json"])
        let checks = try box.json(run.stdout)["branches"] as? [[String: Any]] ?? []
        let results = Dictionary(uniqueKeysWithValues: checks.compactMap { check in
            (check["branch"] as? String).map { ($0, check["result"] as? String ?? "") }
        })
        #expect(results == ["1.0.x": "tests-passed", "1.1.x": "tests-failed"], "\(results)")

        // Adding or removing other branches keeps it; an empty command gives the branch the project's again.
        try box.ok(["project", "set", SampleProject.name, "--remove-branch", "1.1.x"])
        #expect(try box.ok(["project", "show", SampleProject.name]).stdout.contains("test command (1.0.x)"))
        try box.ok(["project", "set", SampleProject.name, "--branch", "1.0.x", "--test-command", ""])
        #expect(!(try box.ok(["project", "show", SampleProject.name]).stdout.contains("test command (1.0.x)")))
        let unknown = try box.embargo(["project", "set", SampleProject.name, "--branch", "9.x", "--test-command", "true"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("has no branch 9.x"))
        #expect(try box.embargo(["project", "set", SampleProject.name, "--branch", "1.0.x"]).status == 64)
    }
}
