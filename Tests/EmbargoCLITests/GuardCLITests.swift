import Foundation
import Testing

@Suite("pre-push guard through the CLI, with real git and a bare remote")
struct GuardCLITests {
    struct Setup {
        let repo: URL
        let remote: URL
        let advisory: String
        let patchID: String
    }

    /// A project `ai` whose two release branches are on a bare `origin`, an
    /// advisory, and one patch (a real change of README.md) on 1.0.x.
    func setUp(_ box: Sandbox) throws -> Setup {
        try box.initStore()
        let repo = try box.makeRepository(branches: ["1.0.x", "1.1.x"])
        try box.git(["-C", repo.path, "push", "--quiet", "origin", "1.0.x", "1.1.x"])
        try box.ok(["project", "add", "ai", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x", "--branch", "1.1.x"])
        let created = try box.json(box.ok(["advisory", "create", "--project", "ai", "--title", "Greeting XSS", "--json"]).stdout)
        let advisory = try #require((created["advisory"] as? [String: Any])?["id"] as? String)

        try "hello, escaped world\n".write(to: repo.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let diff = try box.run("git", ["-C", repo.path, "diff"])
        #expect(diff.status == 0 && diff.stdout.contains("+hello, escaped world"))
        try diff.stdout.write(toFile: box.path("fix.diff"), atomically: true, encoding: .utf8)
        try box.git(["-C", repo.path, "checkout", "--quiet", "--", "README.md"])
        try box.ok(["patch", "add", advisory, "--branch", "1.0.x", "--file", box.path("fix.diff"),
                    "--message", "Improve greeting output", "--author", "Sam <sam@example.org>"])
        let listed = try box.json(box.ok(["patch", "list", advisory, "--json"]).stdout)
        let patchID = try #require((listed["patches"] as? [[String: Any]])?.first?["patch_id"] as? String)
        return Setup(repo: repo, remote: box.root.appendingPathComponent("repo-remote.git"), advisory: advisory, patchID: patchID)
    }

    func push(_ box: Sandbox, _ repo: URL, _ refspec: String) throws -> Run {
        try box.run("git", ["-C", repo.path, "push", "origin", refspec])
    }

    func remoteRefs(_ box: Sandbox, _ remote: URL) throws -> String {
        let listed = try box.run("git", ["ls-remote", remote.path])
        #expect(listed.status == 0, "\(listed.stderr)")
        return listed.stdout
    }

    func commitFile(_ box: Sandbox, _ repo: URL, branch: String, name: String) throws {
        try box.git(["-C", repo.path, "checkout", "--quiet", branch])
        try "\(name)\n".write(to: repo.appendingPathComponent(name), atomically: true, encoding: .utf8)
        try box.git(["-C", repo.path, "add", name])
        try box.git(["-C", repo.path, "commit", "--quiet", "-m", "Add \(name)"])
    }

    @Test func pushOfAnEmbargoedFixIsRefusedUntilThePatchIsRemoved() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let s = try setUp(box)
        let installed = try box.ok(["guard", "install", "--project", "ai"])
        #expect(installed.stdout.contains("guarding 1 embargoed patch(es) (\(s.advisory))"))
        try box.ok(["patch", "checkout", s.advisory, "--branch", "1.0.x", "--as", "wip/fix"])

        // The series' own branch is refused by the hook, naming the advisory and the commit.
        let before = try remoteRefs(box, s.remote)
        let tip = try box.run("git", ["-C", s.repo.path, "rev-parse", "wip/fix"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let refused = try push(box, s.repo, "wip/fix")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("embargo: error: commit \(tip.prefix(12)) carries an embargoed fix of \(s.advisory)\n"),
                "\(refused.stderr)")
        #expect(refused.stderr.contains("embargo: hint: "))
        #expect(try remoteRefs(box, s.remote) == before)

        // An unrelated commit on a release branch goes through.
        try commitFile(box, s.repo, branch: "1.1.x", name: "NOTES.md")
        let unrelated = try push(box, s.repo, "1.1.x")
        #expect(unrelated.status == 0, "\(unrelated.stderr)")
        let head = try box.run("git", ["-C", s.repo.path, "rev-parse", "1.1.x"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try remoteRefs(box, s.remote).contains("\(head)\trefs/heads/1.1.x"))

        // The same fix cherry-picked onto the other release branch is a different
        // commit with the same patch id: refused too.
        try box.git(["-C", s.repo.path, "cherry-pick", "wip/fix"])
        let picked = try push(box, s.repo, "1.1.x")
        #expect(picked.status != 0)
        #expect(picked.stderr.contains("carries an embargoed fix of \(s.advisory)"))
        #expect(try remoteRefs(box, s.remote).contains("\(head)\trefs/heads/1.1.x"))

        // Once the patch is no longer embargoed material, both pushes go through.
        try box.ok(["patch", "remove", s.advisory, "--branch", "1.0.x", "1"])
        let afterRemoval = try push(box, s.repo, "wip/fix")
        #expect(afterRemoval.status == 0, "\(afterRemoval.stderr)")
        #expect(try remoteRefs(box, s.remote).contains("\(tip)\trefs/heads/wip/fix"))
        #expect(try push(box, s.repo, "1.1.x").status == 0)
    }

    @Test func guardListHoldsOnlySaltedHashesAndAdvisoryIds() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let s = try setUp(box)
        // 'patch add' wrote the list already: a hook installed later finds it current.
        let list = s.repo.appendingPathComponent(".git/embargo/guard.json")
        let first = try box.json(String(contentsOf: list, encoding: .utf8))
        try box.ok(["guard", "install", "--project", "ai"])

        let text = try String(contentsOf: list, encoding: .utf8)
        let document = try box.json(text)
        #expect(document["format_version"] as? Int == 2)
        let entries = try #require(document["entries"] as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["advisory"] as? String == s.advisory)
        #expect((entries.first?["hash"] as? String)?.count == 64)
        // One hunk, one line long enough to count ("+hello, escaped world"), as a keyed hash.
        let hunks = try #require(entries.first?["hunks"] as? [[String]])
        #expect(hunks.count == 1 && hunks[0].count == 1 && hunks[0][0].count == 32 && hunks[0][0].allSatisfy(\.isHexDigit))
        #expect(!text.contains("hello,escapedworld"))
        // The salt is kept across rewrites.
        #expect(document["salt"] as? String == first["salt"] as? String)
        #expect(!text.contains(s.patchID))
        #expect(!text.contains("escaped world"))
        #expect(!text.contains("README.md"))
        #expect(!text.contains("Greeting XSS"))
        #expect(!text.contains("Improve greeting"))

        let fileMode = try FileManager.default.attributesOfItem(atPath: list.path)[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        let directoryMode = try FileManager.default.attributesOfItem(atPath: list.deletingLastPathComponent().path)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)

        // Moving the project to another clone writes that clone's list, with the same entries.
        let moved = try box.makeRepository("moved")
        try box.ok(["project", "set", "ai", "--repo", moved.path])
        let movedList = try box.json(String(contentsOf: moved.appendingPathComponent(".git/embargo/guard.json"), encoding: .utf8))
        #expect((movedList["entries"] as? [[String: Any]])?.map { $0["advisory"] as? String } == [s.advisory])
        try box.ok(["project", "set", "ai", "--repo", s.repo.path])

        // Removing the only patch empties the list.
        try box.ok(["patch", "remove", s.advisory, "--branch", "1.0.x", "1"])
        let emptied = try box.json(String(contentsOf: list, encoding: .utf8))
        #expect((emptied["entries"] as? [Any])?.isEmpty == true)
    }

    @Test func anExistingPrePushHookIsKeptAndStillRuns() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let s = try setUp(box)
        // A project that keeps its hooks in the tree (core.hooksPath) with its own pre-push hook.
        let hooks = s.repo.appendingPathComponent(".githooks")
        try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
        let log = box.path("hook.log")
        let original = "#!/bin/sh\necho \"previous hook: $1 $2\" >> '\(log)'\ncat >> '\(log)'\n"
        try original.write(to: hooks.appendingPathComponent("pre-push"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hooks.appendingPathComponent("pre-push").path)
        try box.git(["-C", s.repo.path, "config", "core.hooksPath", ".githooks"])

        let installed = try box.ok(["guard", "install", "--project", "ai"])
        #expect(installed.stdout.contains("pre-push.embargo-chained"))
        // Installing again changes nothing: the kept hook is not replaced by ours.
        try box.ok(["guard", "install", "--project", "ai"])
        let chained = hooks.appendingPathComponent("pre-push.embargo-chained")
        #expect(try String(contentsOf: chained, encoding: .utf8) == original)
        #expect(try String(contentsOf: hooks.appendingPathComponent("pre-push"), encoding: .utf8).contains("guard check --hook"))
        #expect(!FileManager.default.fileExists(atPath: s.repo.appendingPathComponent(".git/hooks/pre-push").path))

        // A clean push runs the previous hook with git's arguments and input.
        try commitFile(box, s.repo, branch: "1.1.x", name: "NOTES.md")
        let head = try box.run("git", ["-C", s.repo.path, "rev-parse", "1.1.x"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let clean = try push(box, s.repo, "1.1.x")
        #expect(clean.status == 0, "\(clean.stderr)")
        let logged = try String(contentsOfFile: log, encoding: .utf8)
        #expect(logged.contains("previous hook: origin \(s.remote.path)"))
        #expect(logged.contains("refs/heads/1.1.x \(head) refs/heads/1.1.x"))

        // A refused push stops before the previous hook, and a failing previous hook still refuses.
        try box.ok(["patch", "checkout", s.advisory, "--branch", "1.0.x", "--as", "wip/fix"])
        #expect(try push(box, s.repo, "wip/fix").status != 0)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == logged)
        try "#!/bin/sh\necho 'previous hook says no' >&2\nexit 7\n".write(to: chained, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: chained.path)
        try commitFile(box, s.repo, branch: "1.1.x", name: "MORE.md")
        let vetoed = try push(box, s.repo, "1.1.x")
        #expect(vetoed.status != 0)
        #expect(vetoed.stderr.contains("previous hook says no"))
    }

    @Test func checkByHandReportsUnpushedEmbargoedCommitsWithoutTheStore() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let s = try setUp(box)
        // No identity at all: the check never opens the store, and a setting that
        // concerns only the store does not stop it either.
        let noIdentity = ["EMBARGO_IDENTITY": box.path("nobody.identity"), "EMBARGO_STORE_JOURNAL_BYTES": "not a number"]
        let clean = try box.embargo(["guard", "check", "--repo", s.repo.path], env: noIdentity)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("no embargoed fix in 0 unpushed commit(s)"))

        try box.ok(["patch", "checkout", s.advisory, "--branch", "1.0.x", "--as", "wip/fix"])
        try commitFile(box, s.repo, branch: "1.1.x", name: "NOTES.md")
        let tip = try box.run("git", ["-C", s.repo.path, "rev-parse", "wip/fix"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let found = try box.embargo(["guard", "check", "--repo", s.repo.path], env: noIdentity)
        #expect(found.status == 3)
        #expect(found.stderr.hasPrefix("embargo: error: commit \(tip.prefix(12)) carries an embargoed fix of \(s.advisory) (on wip/fix)\n"),
                "\(found.stderr)")
        #expect(found.stderr.contains("embargo: hint: "))

        // The hook's mode, fed by hand: the unrelated branch passes, the fix does not.
        let zero = String(repeating: "0", count: 40)
        let notes = try box.run("git", ["-C", s.repo.path, "rev-parse", "1.1.x"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let passes = try box.embargo(["guard", "check", "--hook", "--repo", s.repo.path, "origin", "url"], env: noIdentity,
                                     stdin: "refs/heads/1.1.x \(notes) refs/heads/1.1.x \(zero)\n")
        #expect(passes.status == 0, "\(passes.stderr)")
        let fails = try box.embargo(["guard", "check", "--hook", "--repo", s.repo.path, "origin", "url"], env: noIdentity,
                                    stdin: "refs/heads/wip/fix \(tip) refs/heads/wip/fix \(zero)\n")
        #expect(fails.status == 3)
        #expect(fails.stderr.contains("carries an embargoed fix of \(s.advisory)"))
        // Deleting a remote branch sends no commit.
        let deletion = try box.embargo(["guard", "check", "--hook", "--repo", s.repo.path, "origin", "url"], env: noIdentity,
                                       stdin: "(delete) \(zero) refs/heads/wip/fix \(tip)\n")
        #expect(deletion.status == 0, "\(deletion.stderr)")

        // A repository without a guard list has nothing to check.
        let other = try box.makeRepository("other")
        let none = try box.embargo(["guard", "check", "--repo", other.path], env: noIdentity)
        #expect(none.status == 0)
        #expect(none.stderr.hasPrefix("embargo: note: no pre-push guard list in "))
    }
}
