import Foundation
import Testing

/// The guard's hunk fingerprints on a real history: Bottle's header fix
/// (Tests/Fixtures/guard-history) is the embargoed patch.
@Suite("pre-push guard: squashed, re-indented and split fixes, on a real history")
struct GuardHunkCLITests {
    static let bundle = ExportCLITests.repo.appendingPathComponent("Tests/Fixtures/guard-history/bottle.bundle")
    /// The fix and its parent, where the release branch stands.
    static let fix = "6d7e13da0f998820800ecb3fe9ccee4189aefb54"
    static let base = "58882c718889533e2f848b70d9733c1474f8ed44"
    static let canary = "EMBARGO-CANARY-hunk-4f1c9e"

    struct Setup {
        let repo: URL
        let advisory: String
        let diff: String
    }

    /// Bottle's history on branch `release` (at the fix's parent), a project
    /// on it and an advisory whose patch is the real fix plus a canary comment.
    func setUp(_ box: Sandbox) throws -> Setup {
        try box.initStore()
        let repo = box.root.appendingPathComponent("bottle")
        try box.git(["clone", "--quiet", "--no-checkout", Self.bundle.path, repo.path])
        try box.git(["-C", repo.path, "checkout", "--quiet", "-b", "release", Self.base])
        // Only the release branch remains: the fix itself is nowhere in the repository.
        try box.git(["-C", repo.path, "remote", "remove", "origin"])
        let remote = box.root.appendingPathComponent("bottle-remote.git")
        try box.git(["init", "--quiet", "--bare", remote.path])
        try box.git(["-C", repo.path, "remote", "add", "origin", remote.path])
        try box.ok(["project", "add", "bottle", "--repo", repo.path, "--remote", "origin", "--branch", "release"])
        let created = try box.json(box.ok(["advisory", "create", "--project", "bottle", "--title", "Header injection", "--json"]).stdout)
        let advisory = try #require((created["advisory"] as? [String: Any])?["id"] as? String)

        let fixDiff = try box.run("git", ["-C", repo.path, "diff", Self.base, Self.fix])
        #expect(fixDiff.status == 0 && fixDiff.stdout.contains("+def _hval(value):"), "\(fixDiff.stderr)")
        try fixDiff.stdout.write(toFile: box.path("real.diff"), atomically: true, encoding: .utf8)
        try box.git(["-C", repo.path, "apply", box.path("real.diff")])
        try edit(repo, "bottle.py") { $0.replacingOccurrences(of: "def _hval(value):\n", with: "def _hval(value):\n    # \(Self.canary)\n") }
        let diff = try box.run("git", ["-C", repo.path, "diff"]).stdout
        #expect(diff.contains(Self.canary))
        try diff.write(toFile: box.path("fix.diff"), atomically: true, encoding: .utf8)
        try box.git(["-C", repo.path, "checkout", "--quiet", "--", "."])
        try box.ok(["patch", "add", advisory, "--branch", "release", "--file", box.path("fix.diff"),
                    "--message", "Tidy header handling", "--author", "Sam <sam@example.org>"])
        return Setup(repo: repo, advisory: advisory, diff: box.path("fix.diff"))
    }

    func edit(_ repo: URL, _ file: String, _ change: (String) -> String) throws {
        let url = repo.appendingPathComponent(file)
        try change(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
    }

    func commit(_ box: Sandbox, _ repo: URL, _ message: String) throws -> String {
        try box.git(["-C", repo.path, "add", "--all"])
        try box.git(["-C", repo.path, "commit", "--quiet", "-m", message])
        return try box.run("git", ["-C", repo.path, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `guard check --hook` for a push of `tip` to a branch the remote has at `base`.
    func hook(_ box: Sandbox, _ repo: URL, _ tip: String, branch: String) throws -> Run {
        try box.embargo(["guard", "check", "--hook", "--repo", repo.path, "origin", box.root.appendingPathComponent("bottle-remote.git").path],
                        stdin: "refs/heads/\(branch) \(tip) refs/heads/\(branch) \(Self.base)\n")
    }

    @Test func squashedReindentedAndSplitFixesAreRefused() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let s = try setUp(box)
        let list = try String(contentsOf: s.repo.appendingPathComponent(".git/embargo/guard.json"), encoding: .utf8)
        for secret in [Self.canary, "_hval", "controlcharacters", "Header value must not"] {
            #expect(!list.contains(secret), "the guard list holds '\(secret)'")
        }

        // Squashed into a larger commit with an unrelated change.
        try box.git(["-C", s.repo.path, "checkout", "--quiet", "-b", "squashed", "release"])
        try box.git(["-C", s.repo.path, "apply", s.diff])
        try edit(s.repo, "README.rst") { $0 + "\nSee the documentation for more.\n" }
        let squashed = try commit(box, s.repo, "Update the docs and headers")
        let refusedSquash = try hook(box, s.repo, squashed, branch: "squashed")
        #expect(refusedSquash.status == 3, "\(refusedSquash.stderr)")
        #expect(refusedSquash.stderr.contains("embargo: error: commit \(squashed.prefix(12)) carries 100% of an embargoed fix of \(s.advisory)"),
                "\(refusedSquash.stderr)")

        // Re-indented: every added line of the fix with tabs instead of spaces, and one line edited.
        try box.git(["-C", s.repo.path, "checkout", "--quiet", "-b", "reindented", "release"])
        try box.git(["-C", s.repo.path, "apply", s.diff])
        let added = Set(try String(contentsOf: URL(fileURLWithPath: s.diff), encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }.map { String($0.dropFirst()) })
        try edit(s.repo, "bottle.py") { text in
            text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                guard added.contains(String(line)) else { return String(line) }
                let body = line.drop { $0 == " " }
                return String(repeating: "\t", count: (line.count - body.count) / 4) + body.replacingOccurrences(of: ", ", with: ",")
            }.joined(separator: "\n").replacingOccurrences(of: "Header names must not", with: "Header names may not")
        }
        let reindented = try commit(box, s.repo, "Reformat the header helpers")
        let reindentedDiff = try box.run("git", ["-C", s.repo.path, "show", reindented]).stdout
        #expect(reindentedDiff.contains("+\tif '\\n' in key or '\\r' in key or '\\0' in key:"), "the re-indented commit: \(reindentedDiff)")
        let refusedReindent = try hook(box, s.repo, reindented, branch: "reindented")
        #expect(refusedReindent.status == 3 && refusedReindent.stderr.contains("of an embargoed fix of \(s.advisory)"),
                "\(refusedReindent.stderr)")

        // Split over two commits: the library first, its tests later.
        try box.git(["-C", s.repo.path, "checkout", "--quiet", "-b", "split", "release"])
        try box.git(["-C", s.repo.path, "apply", "--include=bottle.py", s.diff])
        let first = try commit(box, s.repo, "Refactor header keys")
        try box.git(["-C", s.repo.path, "apply", "--include=test/*", s.diff])
        let second = try commit(box, s.repo, "More header tests")
        let refusedSplit = try hook(box, s.repo, second, branch: "split")
        #expect(refusedSplit.status == 3, "\(refusedSplit.stderr)")
        #expect(refusedSplit.stderr.contains("embargo: error: commits \(first.prefix(12)), \(second.prefix(12)) together carry 100% of an embargoed fix of \(s.advisory)")
                || refusedSplit.stderr.contains("embargo: error: commits \(second.prefix(12)), \(first.prefix(12)) together carry 100% of an embargoed fix of \(s.advisory)"),
                "\(refusedSplit.stderr)")

        // After publication-like removal of the patch, the same push goes through.
        try box.ok(["patch", "remove", s.advisory, "--branch", "release", "1"])
        #expect(try hook(box, s.repo, squashed, branch: "squashed").status == 0)
    }

    /// The 1,000 non-merge commits before the fix are an ordinary history: none is refused.
    @Test func aThousandOrdinaryCommitsPass() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let s = try setUp(box)
        // The remote has the release branch 1,000 non-merge commits back.
        let cut = "a9d91b5fd4f64357051d259b5265406a55e67d52"
        try box.git(["-C", s.repo.path, "update-ref", "refs/remotes/origin/release", cut])
        let checked = try box.embargo(["guard", "check", "--repo", s.repo.path])
        #expect(checked.status == 0, "\(checked.stderr)")
        let count = Int(checked.stdout.firstMatch(of: /no embargoed fix in (\d+) unpushed commit/)?.1 ?? "") ?? 0
        #expect(count == 1000, "\(checked.stdout)")
    }
}
