import Foundation
import Testing

/// `patch add --file` takes what `diff -u` writes, as the README promises.
@Suite("plain diffs through the CLI")
struct PlainDiffCLITests {
    static let fixed = "<?php\n\nfunction greet($name) {\n  return 'Hello ' . htmlspecialchars($name);\n}\n"

    /// Two copies of the project's tree side by side, the second with the fix and a new file,
    /// as someone without git at hand prepares a fix.
    func trees(_ box: Sandbox) throws {
        let original = "<?php\n\nfunction greet($name) {\n  return 'Hello ' . $name;\n}\n"
        for (tree, greeter) in [("orig", original), ("new", Self.fixed)] {
            let src = box.root.appendingPathComponent("\(tree)/src")
            try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
            try greeter.write(to: src.appendingPathComponent("Greeter.php"), atomically: true, encoding: .utf8)
        }
        try "<?php\n// Greeting helpers.\n".write(to: box.root.appendingPathComponent("new/src/Helpers.php"), atomically: true, encoding: .utf8)
        try Self.fixed.write(to: box.root.appendingPathComponent("Greeter.php.fixed"), atomically: true, encoding: .utf8)
    }

    func add(_ box: Sandbox, _ diff: String, branch: String = "1.0.x") throws -> Run {
        let file = box.path("fix.diff")
        try diff.write(toFile: file, atomically: true, encoding: .utf8)
        return try box.embargo(["patch", "add", "ADV-2026-001", "--branch", branch, "--file", file,
                                "--message", "Tidy the greeting output", "--author", "Sam Fixer <sam@example.org>", "--json"])
    }

    @Test func diffUOutputIsAcceptedWithTheSamePatchIDAsTheCommit() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PatchFixture(box)
        try trees(box)
        // The same change as a commit: its patch id is what the plain diff must get.
        try fixture.commitFix(on: "1.0.x", greeter: Self.fixed)
        let committed = try box.run("sh", ["-c", "git -C '\(fixture.repo.path)' show scratch | git patch-id --stable"]).stdout
        let commitID = try #require(committed.split(separator: " ").first.map(String.init))

        // diff -u with a leading directory of its own on each side (a/, b/ or orig/, new/), timestamps and all.
        let leading = try box.run("diff", ["-u", "orig/src/Greeter.php", "new/src/Greeter.php"]).stdout
        #expect(leading.hasPrefix("--- orig/src/Greeter.php\t"), "not what diff -u writes: \(leading)")
        let added = try add(box, leading)
        #expect(added.status == 0, "\(added.stderr)")
        let first = try #require((try box.json(added.stdout)["patches"] as? [[String: Any]])?.first)
        #expect(first["files"] as? [String] == ["src/Greeter.php"])
        #expect(first["patch_id"] as? String == commitID)

        // diff -u of the file in place against a copy: the path is the project's as written.
        let inPlace = try box.run("diff", ["-u", "src/Greeter.php", "../Greeter.php.fixed"], directory: fixture.repo).stdout
        let second = try add(box, inPlace, branch: "1.1.x")
        #expect(second.status == 0, "\(second.stderr)")
        #expect((try box.json(second.stdout)["patches"] as? [[String: Any]])?.first?["files"] as? [String] == ["src/Greeter.php"])
        try box.ok(["patch", "remove", "ADV-2026-001", "--branch", "1.1.x", "1"])

        // diff -ruN of two trees: a new file too; the stored patch is in git's form.
        try box.ok(["patch", "remove", "ADV-2026-001", "--branch", "1.0.x", "1"])
        let tree = try box.run("diff", ["-ruN", "orig", "new"]).stdout
        let third = try add(box, tree)
        #expect(third.status == 0, "\(third.stderr)")
        #expect((try box.json(third.stdout)["patches"] as? [[String: Any]])?.first?["files"] as? [String] == ["src/Greeter.php", "src/Helpers.php"])
        let shown = try box.ok(["patch", "show", "ADV-2026-001", "--branch", "1.0.x", "1"]).stdout
        #expect(shown.contains("diff --git a/src/Helpers.php b/src/Helpers.php\nnew file mode 100644\n--- /dev/null\n+++ b/src/Helpers.php\n"))
        #expect(!shown.contains("\t20"), "timestamps stay in the stored patch: \(shown)")

        // It applies: the series verifies and the advisory is ready.
        try box.ok(["advisory", "edit", "ADV-2026-001", "--branch", "1.0.x"])
        let verified = try box.json(box.ok(["patch", "verify", "ADV-2026-001", "--json"]).stdout)
        #expect((verified["branches"] as? [[String: Any]])?.map { $0["result"] as? String } == ["clean"])
        let advisory = try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(advisory?["status"] as? String == "ready")
    }

    @Test func aMalformedDiffIsOneLineSayingWhatIsWrongAndNothingIsStored() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try PatchFixture(box)
        try trees(box)
        let diff = try box.run("diff", ["-u", "orig/src/Greeter.php", "new/src/Greeter.php"]).stdout
        let cut = diff.split(separator: "\n", omittingEmptySubsequences: false).prefix(6).joined(separator: "\n") + "\n"
        let cases: [(diff: String, error: String, hint: String)] = [
            (cut, "the diff is malformed: it ends inside the last hunk of new/src/Greeter.php ('@@ -1,5 +1,5 @@' counts 5 old and 5 new lines)",
             "create it again with 'diff -u OLD NEW' or 'git diff', and do not edit it by hand"),
            (diff.replacingOccurrences(of: "-  return 'Hello ' . $name;", with: "?  return"),
             "the diff is malformed: line 7 does not fit its hunk ('@@ -1,5 +1,5 @@' counts 5 old and 5 new lines)",
             "create it again with 'diff -u OLD NEW' or 'git diff', and do not edit it by hand"),
            ("*** orig/src/Greeter.php\n--- new/src/Greeter.php\n***************\n",
             "the diff is a context diff (line 1 starts with '***')", "create a unified diff with 'diff -u OLD NEW' or 'git diff'"),
            ("Only in new/src: Helpers.php\n", "the file is not a unified diff (no '--- OLD' and '+++ NEW' lines)",
             "create it with 'diff -u OLD NEW', 'git diff' or 'git format-patch'"),
        ]
        for (text, error, hint) in cases {
            let result = try add(box, text)
            #expect(result.status == 1)
            #expect(result.stderr == "embargo: error: \(error)\nembargo: hint: \(hint)\n")
        }
        #expect((try box.json(box.ok(["patch", "list", "ADV-2026-001", "--json"]).stdout)["patches"] as? [Any])?.isEmpty == true)
    }
}
