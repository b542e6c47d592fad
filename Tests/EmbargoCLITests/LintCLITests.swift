import Foundation
import Testing

@Suite("leak linter through the CLI")
struct LintCLITests {
    /// A project `ai` with two release branches holding a greeting and its
    /// test, and an XSS advisory on both branches.
    func setUp(_ box: Sandbox) throws -> URL {
        try box.initStore()
        let repo = try box.makeRepository(branches: ["1.0.x", "1.1.x"])
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("src"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("tests/src"), withIntermediateDirectories: true)
        try """
            <?php

            function greeting(string $title): string {
              return 'Hello ' . $title;
            }

            """.write(to: repo.appendingPathComponent("src/Greeting.php"), atomically: true, encoding: .utf8)
        try """
            <?php

            class GreetingTest extends TestCase {
              public function testGreeting() {
                $this->assertSame('Hello you', greeting('you'));
              }
            }

            """.write(to: repo.appendingPathComponent("tests/src/GreetingTest.php"), atomically: true, encoding: .utf8)
        try box.git(["-C", repo.path, "add", "src", "tests"])
        try box.git(["-C", repo.path, "commit", "--quiet", "-m", "Add the greeting"])
        try box.git(["-C", repo.path, "branch", "--force", "1.1.x", "1.0.x"])
        try box.ok(["project", "add", "ai", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x", "--branch", "1.1.x"])
        try box.ok(["advisory", "create", "--project", "ai", "--title", "XSS in the greeting title", "--type", "Cross Site Scripting",
                    "--cwe", "CWE-79"])
        return repo
    }

    /// Writes the fix as a real `git diff` against the repository: the
    /// greeting escapes its title and a test named `testName` checks it.
    func fixDiff(_ box: Sandbox, _ repo: URL, testName: String) throws -> String {
        let greeting = repo.appendingPathComponent("src/Greeting.php")
        let test = repo.appendingPathComponent("tests/src/GreetingTest.php")
        let original = (try String(contentsOf: greeting, encoding: .utf8), try String(contentsOf: test, encoding: .utf8))
        try original.0.replacingOccurrences(of: "' . $title", with: "' . htmlspecialchars($title)")
            .write(to: greeting, atomically: true, encoding: .utf8)
        try original.1.replacingOccurrences(of: "  }\n}\n", with: """
              }

              public function \(testName)() {
                $this->assertSame('Hello &lt;b&gt;', greeting('<b>'));
              }
            }

            """).write(to: test, atomically: true, encoding: .utf8)
        let diff = try box.run("git", ["-C", repo.path, "diff"])
        #expect(diff.status == 0 && diff.stdout.contains("+  public function \(testName)() {"))
        try box.git(["-C", repo.path, "checkout", "--quiet", "--", "."])
        let path = box.path("fix.diff")
        try diff.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func addFix(_ box: Sandbox, _ diff: String, branch: String, message: String) throws {
        try box.ok(["patch", "add", "ADV-2026-001", "--branch", branch, "--file", diff, "--message", message,
                    "--author", "Sam <sam@example.org>"])
    }

    /// The project and its advisory, the fix (its test named `testName`)
    /// added to each branch of `messages` with that message, and a local
    /// branch `branch` in the project: what `lint` reads.
    @discardableResult
    func fixSeries(_ box: Sandbox, testName: String, messages: KeyValuePairs<String, String>, branch: String) throws -> URL {
        let repo = try setUp(box)
        let diff = try fixDiff(box, repo, testName: testName)
        for (target, message) in messages { try addFix(box, diff, branch: target, message: message) }
        try box.git(["-C", repo.path, "branch", branch])
        return repo
    }

    @Test func leaksInMessagesBranchesAndTestNamesAreReported() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try fixSeries(box, testName: "testXssInGreeting",
                                 messages: ["1.0.x": "Fix XSS in greeting", "1.1.x": "Fix XSS in greeting"], branch: "fix-xss-greeting")

        let run = try box.embargo(["lint", "ADV-2026-001"])
        #expect(run.status == 3, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "commit 1.0.x#1 message: 'XSS' in \"Fix XSS in greeting\" — describe the behaviour change instead, e.g. 'Fix how block titles are rendered' (key commit-1.0.x-1:xss)",
            "commit 1.1.x#1 message: 'XSS' in \"Fix XSS in greeting\" — describe the behaviour change instead, e.g. 'Fix how block titles are rendered' (key commit-1.1.x-1:xss)",
            "test testXssInGreeting in tests/src/GreetingTest.php: 'XSS' in \"testXssInGreeting\" — rename the test after the behaviour it checks, e.g. testBlockTitleRendering (key test-testXssInGreeting:xss)",
            "branch fix-xss-greeting: 'XSS' in \"fix-xss-greeting\" — rename the branch after the area it touches: git branch -m fix-xss-greeting NEW-NAME (e.g. greeting-output) (key branch-fix-xss-greeting:xss)",
        ])
        #expect(run.stderr.hasPrefix("embargo: error: 4 unaccepted lint finding(s) in ADV-2026-001:\n  commit 1.0.x#1 message: 'XSS' (key commit-1.0.x-1:xss)\n"))
        #expect(run.stderr.contains("embargo: hint: reword them, or accept what may stay as it is:\n  embargo lint ADV-2026-001 --accept-finding commit-1.0.x-1:xss\n"))

        let json = try box.embargo(["lint", "adv-2026-001", "--json"])
        #expect(json.status == 3)
        let document = try box.json(json.stdout)
        #expect(document["format_version"] as? Int == 1)
        #expect(document["clean"] as? Bool == false)
        let findings = try #require(document["findings"] as? [[String: Any]])
        let keys = findings.compactMap { $0["key"] as? String }
        #expect(keys == ["commit-1.0.x-1:xss", "commit-1.1.x-1:xss", "test-testXssInGreeting:xss", "branch-fix-xss-greeting:xss"])
        #expect(findings.allSatisfy { $0["accepted"] as? Bool == false && $0["term"] as? String == "XSS" })

        // Accepting some findings is not enough; accepting each one is. A key that matches
        // no finding is refused, and nothing is accepted with it.
        #expect(try box.embargo(["lint", "ADV-2026-001", "--accept-finding", keys[0], "--accept-finding", keys[1]]).status == 3)
        let unknown = try box.embargo(["lint", "ADV-2026-001", "--accept-finding", "file-nothing:xss"] + keys.flatMap { ["--accept-finding", $0] })
        #expect(unknown.status == 64)
        #expect(unknown.stderr.hasPrefix("embargo: error: no lint finding of ADV-2026-001 has the key file-nothing:xss\n"))
        #expect(try box.embargo(["lint", "ADV-2026-001"]).status == 3)
        let accepted = try box.embargo(["lint", "ADV-2026-001"] + keys.dropFirst(2).flatMap { ["--accept-finding", $0] })
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stdout.contains("no unaccepted findings (4 accepted)\n"))
        #expect(accepted.stdout.contains("(key branch-fix-xss-greeting:xss, accepted)"))
        #expect(accepted.stderr.isEmpty)
    }

    @Test func aNeutralSeriesIsClean() throws {
        let box = try Sandbox()
        defer { box.remove() }
        // "Escape the greeting title" was neutral once; it describes the remedy, a hint (see remedyWordingIsAHint).
        try fixSeries(box, testName: "testTitleIsEscaped", messages: [
            "1.0.x": "Fix how the greeting title is shown",
            "1.1.x": "Fix how the greeting title is shown\n\nThe title now appears as typed.",
        ], branch: "greeting-output")

        let run = try box.ok(["lint", "ADV-2026-001"])
        #expect(run.stdout == "no findings\n")
        let document = try box.json(box.ok(["lint", "ADV-2026-001", "--json"]).stdout)
        #expect(document["clean"] as? Bool == true)
        #expect((document["findings"] as? [Any])?.isEmpty == true)

        // Reading is enough: a QA member may lint too.
        try box.addMember("bob", role: "qa")
        #expect(try box.ok(["lint", "ADV-2026-001", "--identity", box.path("bob.identity")]).stdout == "no findings\n")
    }

    @Test func remedyWordingIsAHint() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try fixSeries(box, testName: "testTitleIsShown", messages: ["1.0.x": "Escape the greeting title"], branch: "greeting-output")

        // The drupal profile (the default) is strict: the hint refuses.
        let strict = try box.embargo(["lint", "ADV-2026-001"])
        #expect(strict.status == 3, "\(strict.stderr)")
        #expect(strict.stdout.hasPrefix("commit 1.0.x#1 message: hint: 'escape-output' in \"Escape the greeting title\" — "))
        #expect(strict.stderr.hasPrefix("embargo: error: 1 unaccepted lint finding(s) in ADV-2026-001:\n  commit 1.0.x#1 message: 'escape-output' (key commit-1.0.x-1:escape-output)\n"))

        // Elsewhere it is a warning, and --strict refuses on it.
        try box.ok(["project", "set", "ai", "--policy", "distros"])
        let loose = try box.ok(["lint", "ADV-2026-001", "--explain"])
        #expect(loose.stdout.contains("\n  why: escaping or sanitising output is how cross-site scripting is fixed (rule escape-output, level hints)\n"))
        #expect(loose.stdout.hasSuffix("no refusing findings (1 hint(s); --strict refuses on them)\n"))
        #expect(try box.embargo(["lint", "ADV-2026-001", "--strict"]).status == 3)

        let json = try box.json(box.ok(["lint", "ADV-2026-001", "--json"]).stdout)
        #expect(json["clean"] as? Bool == true && json["strict"] as? Bool == false)
        let finding = try #require((json["findings"] as? [[String: Any]])?.first)
        #expect(finding["level"] as? String == "hints" && finding["rule"] as? String == "escape-output")
        let span = try #require(finding["span"] as? [String: Any])
        #expect(span["start"] as? Int == 0 && span["end"] as? Int == 25)
        #expect((finding["suggestion"] as? String)?.contains("Fix how block titles are rendered") == true)
    }

    @Test func theDiffsCommentsAndPayloadsAreRead() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let repo = try setUp(box)
        let greeting = repo.appendingPathComponent("src/Greeting.php")
        let test = repo.appendingPathComponent("tests/src/GreetingTest.php")
        try String(contentsOf: greeting, encoding: .utf8)
            .replacingOccurrences(of: "  return 'Hello ' . $title;", with: "  // Prevents XSS.\n  return 'Hello ' . htmlspecialchars($title);")
            .write(to: greeting, atomically: true, encoding: .utf8)
        try String(contentsOf: test, encoding: .utf8).replacingOccurrences(of: "  }\n}\n", with: """
              }

              public function testTitleIsShown() {
                $this->assertSame('Hello', greeting('<script>alert(1)</script>'));
              }
            }

            """).write(to: test, atomically: true, encoding: .utf8)
        let diff = try box.run("git", ["-C", repo.path, "diff"])
        try diff.stdout.write(toFile: box.path("fix.diff"), atomically: true, encoding: .utf8)
        try box.git(["-C", repo.path, "checkout", "--quiet", "--", "."])
        try addFix(box, box.path("fix.diff"), branch: "1.0.x", message: "Fix how the greeting title is shown")

        let run = try box.embargo(["lint", "ADV-2026-001", "--json"])
        #expect(run.status == 3, "\(run.stderr)")
        let findings = try #require(try box.json(run.stdout)["findings"] as? [[String: Any]])
        let seen = findings.compactMap { f in (f["location"] as? String).map { "\($0) \(f["rule"] as? String ?? "")" } }
        #expect(seen.contains("1.0.x:patch 1:src/Greeting.php:4 xss"), "\(seen)")
        #expect(seen.contains("1.0.x:patch 1:tests/src/GreetingTest.php:9 attack-payload"), "\(seen)")
    }

    @Test func theAdvisorysOwnWordsCount() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let repo = try setUp(box)
        try box.ok(["advisory", "edit", "ADV-2026-001", "--title", "Greeting markup smuggling"])
        let diff = try fixDiff(box, repo, testName: "testTitleIsEscaped")
        try addFix(box, diff, branch: "1.1.x", message: "Stop markup smuggling in the greeting")
        let run = try box.embargo(["lint", "ADV-2026-001", "--json"])
        #expect(run.status == 3)
        let findings = try #require(try box.json(run.stdout)["findings"] as? [[String: Any]])
        // "smuggling" is the advisory's word; "greeting" names a public file and "markup" is everyday vocabulary.
        #expect(findings.compactMap { $0["key"] as? String } == ["commit-1.1.x-1:smuggling"])
        #expect((findings.first?["suggestion"] as? String)?.contains("comes from the private wording of the issue") == true)
    }

    /// `lint --message` and `--message-file` check one message without a store,
    /// as a commit-msg hook does: exit 3 on a names finding (or on a hint
    /// under --strict), 0 when clean; comments and a verbose diff are not read.
    @Test func aBareMessageIsLintedWithoutAStore() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let named = try box.embargo(["lint", "--message", "Fix XSS in the greeting block"])
        #expect(named.status == 3 && named.stdout.contains("message: 'XSS'") && named.stderr.contains("1 unaccepted lint finding(s) in the message"),
                "\(named.stdout)\(named.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.store.path), "a message lint must not create a store")

        let hint = try box.embargo(["lint", "--message", "Clear the credentials when a redirect changes host"])
        #expect(hint.status == 0 && hint.stdout.contains("hint: 'credentials-on-redirect'"), "\(hint.stdout)\(hint.stderr)")
        #expect(try box.embargo(["lint", "--strict", "--message", "Clear the credentials when a redirect changes host"]).status == 3)
        let accepted = try box.embargo(["lint", "--strict", "--message", "Clear the credentials when a redirect changes host",
                                        "--accept-finding", "message:credentials-on-redirect"])
        #expect(accepted.status == 0, "\(accepted.stderr)")

        // A commit message file as git leaves it for the hook.
        let file = box.path("COMMIT_EDITMSG")
        try """
            Fix how block titles are rendered

            # Please enter the commit message for your changes. XSS
            # ------------------------ >8 ------------------------
            # Do not modify or remove the line above.
            diff --git a/src/Xss.php b/src/Xss.php

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let clean = try box.embargo(["lint", "--strict", "--message-file", file, "--json"])
        #expect(clean.status == 0, "\(clean.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any])
        #expect(document["source"] as? String == "message" && document["clean"] as? Bool == true && document["advisory"] == nil)
        #expect((document["findings"] as? [Any])?.isEmpty == true && document["format_version"] as? Int == 1)

        let piped = try box.embargo(["lint", "--json", "--message-file", "-"], stdin: "Check access before showing the form\n")
        let findings = try #require((try JSONSerialization.jsonObject(with: Data(piped.stdout.utf8)) as? [String: Any])?["findings"] as? [[String: Any]])
        #expect(piped.status == 0 && findings.map { $0["rule"] as? String } == ["access-check"] && findings.first?["level"] as? String == "hints")
    }

    @Test func badMessageArgumentsAreOneLineWithTheirExitCode() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let missing = try box.embargo(["lint", "--message-file", box.path("nope")])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("embargo: error: cannot read the message file"), "\(missing.stderr)")
        let directory = try box.embargo(["lint", "--message-file", box.root.path])
        #expect(directory.status == 1 && directory.stderr.contains("cannot read the message file"), "\(directory.stderr)")
        #expect(try box.embargo(["lint"]).status == 64)
        #expect(try box.embargo(["lint", "ADV-2026-001", "--message", "Fix the title"]).status == 64)
        #expect(try box.embargo(["lint", "--message", "a", "--message-file", "b"]).status == 64)
        let huge = box.path("huge")
        try String(repeating: "Fix the title rendering.\n", count: 50_000).write(toFile: huge, atomically: true, encoding: .utf8)
        let tooLarge = try box.embargo(["lint", "--message-file", huge])
        #expect(tooLarge.status == 64 && tooLarge.stderr.contains("is over 1024 KiB"), "\(tooLarge.stderr)")
    }
}
