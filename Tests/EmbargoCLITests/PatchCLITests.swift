import Foundation
import Testing

/// A project with two release branches and real history, and an advisory on both.
struct PatchFixture {
    let box: Sandbox
    let repo: URL

    init(_ box: Sandbox) throws {
        self.box = box
        try box.initStore()
        repo = try Self.repository(box, configurable11: true)
        try box.ok(["advisory", "create", "--project", "greeter", "--title", "Greeting is not escaped"])
        try box.ok(["advisory", "status", "ADV-2026-001", "confirmed"])
    }

    /// Adds the 1.0.x fix (`diff10`, a plain diff) to `branch` of ADV-2026-001.
    func addTidyFix(on branch: String = "1.0.x") throws {
        let file = try write("fix.diff", Self.diff10)
        try box.ok(["patch", "add", "ADV-2026-001", "--branch", branch, "--file", file,
                    "--message", "Tidy the greeting output", "--author", "Sam Fixer <sam@example.org>"])
    }

    /// A unified diff that escapes the name on the 1.0.x version of the file.
    static let diff10 = """
        diff --git a/src/Greeter.php b/src/Greeter.php
        --- a/src/Greeter.php
        +++ b/src/Greeter.php
        @@ -1,5 +1,5 @@
         <?php
         
         function greet($name) {
        -  return 'Hello ' . $name;
        +  return 'Hello ' . htmlspecialchars($name);
         }

        """

    func write(_ name: String, _ text: String) throws -> String {
        let path = box.path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A commit on a scratch branch off 1.1.x, as a developer would make it.
    func commitFixOn11() throws {
        try commitFix(on: "1.1.x", greeter: "<?php\n\nfunction greet($name, $greeting = 'Hello') {\n  return $greeting . ' ' . htmlspecialchars($name);\n}\n")
    }

    /// A commit of a new src/Greeter.php on a scratch branch off `base`; 1.0.x is checked out after.
    func commitFix(on base: String, greeter: String) throws {
        try box.git(["-C", repo.path, "checkout", "--quiet", "-b", "scratch", base])
        try greeter.write(to: repo.appendingPathComponent("src/Greeter.php"), atomically: true, encoding: .utf8)
        try box.git(["-C", repo.path, "commit", "--quiet", "-am", "Issue #3 by c: Tidy the greeting output"])
        try box.git(["-C", repo.path, "checkout", "--quiet", "1.0.x"])
    }

    func objects() throws -> String {
        try box.run("git", ["-C", repo.path, "cat-file", "--batch-all-objects", "--batch-check"]).stdout
    }
}

@Suite("private patch series through the CLI")
struct PatchCLITests {
    @Test func seriesFromRefsAndFilesVerifyCleanlyWithoutTouchingTheRepository() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PatchFixture(box)
        try fixture.commitFixOn11()

        let added = try box.json(box.ok(["patch", "add", "ADV-2026-001", "--branch", "1.1.x", "--from-ref", "scratch", "--json"]).stdout)
        let patches = try #require(added["patches"] as? [[String: Any]])
        #expect(patches.count == 1)
        #expect(patches[0]["subject"] as? String == "Issue #3 by c: Tidy the greeting output")
        #expect(patches[0]["files"] as? [String] == ["src/Greeter.php"])
        #expect((patches[0]["patch_id"] as? String)?.count == 40)
        // Adding patches moved the advisory from confirmed to fixing.
        #expect(try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"].flatMap { ($0 as? [String: Any])?["status"] as? String } == "fixing")

        let file = try fixture.write("fix.diff", PatchFixture.diff10)
        let missing = try box.embargo(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--file", file])
        #expect(missing.status == 64, "a plain diff needs --message and --author: \(missing.stderr)")
        // A file that is no diff says so first, not that a message is missing.
        let notADiff = try fixture.write("notes.txt", "just some notes\n")
        let wrongFile = try box.embargo(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--file", notADiff])
        #expect(wrongFile.stderr.contains("is not a unified diff") && !wrongFile.stderr.contains("--message"), "\(wrongFile.stderr)")
        try box.ok(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--file", file,
                    "--message", "Tidy the greeting output", "--author", "Sam Fixer <sam@example.org>"])
        let list = try box.ok(["patch", "list", "ADV-2026-001"]).stdout
        #expect(list.contains("1.0.x") && list.contains("Sam Fixer <sam@example.org>"))
        let shown = try box.ok(["patch", "show", "ADV-2026-001", "--branch", "1.0.x", "1"]).stdout
        #expect(shown.hasPrefix("From 0000000000000000000000000000000000000000"))
        #expect(shown.contains("+  return 'Hello ' . htmlspecialchars($name);"))

        let before = try fixture.objects()
        let refsBefore = try box.run("git", ["-C", fixture.repo.path, "for-each-ref"]).stdout
        let verified = try box.json(box.ok(["patch", "verify", "ADV-2026-001", "--json"]).stdout)
        let branches = try #require(verified["branches"] as? [[String: Any]])
        #expect(branches.map { $0["result"] as? String } == ["clean", "clean"])
        #expect(try fixture.objects() == before, "verification added objects to the project's repository")
        #expect(try box.run("git", ["-C", fixture.repo.path, "for-each-ref"]).stdout == refsBefore)
        // Every branch verified: the advisory is ready.
        let status = try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(status?["status"] as? String == "ready")
        // Nothing is left in the temporary directory.
        #expect(box.files(under: box.root.appendingPathComponent("tmp")).isEmpty)

        // A checkout recreates a local branch with the fix, and warns.
        let checkout = try box.ok(["patch", "checkout", "ADV-2026-001", "--branch", "1.0.x", "--as", "wip/tidy"])
        #expect(checkout.stderr.contains("warning: the embargoed fix is now in your local repository"))
        let content = try box.run("git", ["-C", fixture.repo.path, "show", "wip/tidy:src/Greeter.php"]).stdout
        #expect(content.contains("htmlspecialchars($name)"))
        #expect(try box.embargo(["patch", "checkout", "ADV-2026-001", "--branch", "1.0.x", "--as", "wip/tidy"]).status == 1)

        try box.ok(["patch", "remove", "ADV-2026-001", "--branch", "1.1.x", "1"])
        #expect(try box.embargo(["patch", "show", "ADV-2026-001", "--branch", "1.1.x"]).status == 1)
    }

    @Test func aConflictingSeriesNamesItsFiles() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PatchFixture(box)
        // The 1.0.x diff does not fit 1.1.x, where the line changed.
        try fixture.addTidyFix(on: "1.1.x")
        let result = try box.embargo(["patch", "verify", "ADV-2026-001"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("1.1.x: conflict"))
        #expect(result.stdout.contains("conflicts in src/Greeter.php"), "\(result.stdout)")
        #expect(result.stdout.contains("1.0.x: no-patches"))
        #expect(result.stderr.contains("the series for 1.1.x does not apply"))
        #expect(box.files(under: box.root.appendingPathComponent("tmp")).isEmpty)
    }

    @Test func aThreeWayConflictNamesItsFilesInTheSparseClone() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PatchFixture(box)
        // A commit on 1.0.x, with blob ids, whose line 1.1.x changed: git am's
        // three-way merge runs, and stops on a conflict in the one file.
        try fixture.commitFix(on: "1.0.x", greeter: "<?php\n\nfunction greet($name) {\n  return 'Hello ' . htmlspecialchars($name);\n}\n")
        try box.ok(["patch", "add", "ADV-2026-001", "--branch", "1.1.x", "--from-ref", "scratch"])
        let result = try box.embargo(["patch", "verify", "ADV-2026-001"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("1.1.x: conflict"))
        #expect(result.stdout.contains("conflicts in src/Greeter.php"), "\(result.stdout)")
        #expect(box.files(under: box.root.appendingPathComponent("tmp")).isEmpty)
    }

    @Test func theProjectsTestCommandRunsOnThePatchedBranch() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PatchFixture(box)
        try fixture.addTidyFix()
        // A test that passes only with the fix applied, and reads a file the fix does not touch:
        // the test command runs in a full checkout.
        try box.ok(["project", "set", "greeter", "--test-command", "grep -q htmlspecialchars src/Greeter.php && test -f README.md"])
        let passed = try box.json(box.ok(["patch", "verify", "ADV-2026-001", "--json"]).stdout)["branches"] as? [[String: Any]]
        #expect(passed?.first?["result"] as? String == "tests-passed")

        try box.ok(["project", "set", "greeter", "--test-command", "echo 'FAILED: testGreeting'; exit 3"])
        let failed = try box.embargo(["patch", "verify", "ADV-2026-001"])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("1.0.x: tests-failed"))
        #expect(failed.stdout.contains("tests failed with exit code 3"))
        #expect(failed.stdout.contains("FAILED: testGreeting"))
    }

    @Test func malformedInputIsRejected() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PatchFixture(box)
        let cases: [(String, String)] = [
            ("binary.diff", "diff --git a/x b/x\n\u{0}\u{1}"),
            ("garbage.diff", "this is not a patch at all\n"),
            ("mbox.patch", "From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\nno headers\n"),
            ("bad-hunk.diff", "diff --git a/src/Greeter.php b/src/Greeter.php\n--- a/src/Greeter.php\n+++ b/src/Greeter.php\n@@ -1,2 +1,2 @@\n-nonsense\n"),
        ]
        for (name, text) in cases {
            let file = try fixture.write(name, text)
            let result = try box.embargo(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--file", file,
                                          "--message", "Tidy", "--author", "Sam <sam@example.org>"])
            #expect(result.status == 1, "\(name): \(result.stderr)")
            #expect(result.stderr.hasPrefix("embargo: error: "), "\(name): \(result.stderr)")
        }
        #expect(try box.embargo(["patch", "add", "ADV-2026-001", "--branch", "9.x", "--from-ref", "1.0.x"]).status == 1)
        #expect(try box.embargo(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--from-ref", "no-such-ref"]).status == 1)
        #expect(try box.json(box.ok(["patch", "list", "ADV-2026-001", "--json"]).stdout)["patches"].flatMap { $0 as? [Any] }?.isEmpty == true)
    }

    @Test func aCanaryInAPatchNeverReachesRepositoryStoreOrTemporaryFiles() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PatchFixture(box)
        let canary = "CANARY-pq81zz"
        let diff = PatchFixture.diff10.replacingOccurrences(of: "htmlspecialchars($name)", with: "htmlspecialchars($name) /* \(canary) */")
        let file = try fixture.write("fix.diff", diff)
        try box.ok(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--file", file,
                    "--message", "Tidy the greeting output \(canary)", "--author", "Sam Fixer <sam@example.org>"])
        try box.ok(["patch", "verify", "ADV-2026-001"])
        try FileManager.default.removeItem(atPath: file)

        let dump = try box.run("git", ["-C", fixture.repo.path, "cat-file", "--batch-all-objects", "--batch"]).stdout
        #expect(!dump.contains(canary), "the canary is in the project's repository objects")
        for directory in [box.store, box.root.appendingPathComponent("tmp"), fixture.repo] {
            for file in box.files(under: directory) {
                #expect(!contains(try Data(contentsOf: file), canary), "\(file.path) holds the canary")
            }
        }
        // The store still has it, encrypted.
        #expect(try box.ok(["patch", "show", "ADV-2026-001", "--branch", "1.0.x"]).stdout.contains(canary))
    }
}

extension PatchCLITests {
    /// A signal that ends 'patch verify' (a CI timeout's SIGTERM) ends the
    /// project's test command and what it started too: nothing runs on in the
    /// removed clone with the fix in its files.
    @Test func aSignalEndsTheTestCommandWithEmbargo() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PatchFixture(box)
        try fixture.addTidyFix()
        let marker = "orphan-\(UUID().uuidString.prefix(8))"
        // A shell that starts another, which names the marker too.
        try box.ok(["project", "set", "greeter", "--test-command", "sh -c 'sleep 30' \(marker) & wait"])
        func running() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
                guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
                let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
                return line.contains(marker) ? line : nil
            }
        }
        let verify = try box.start(["patch", "verify", "ADV-2026-001"])
        var waited = 0
        while running().isEmpty, waited < 200 {
            usleep(50_000)
            waited += 1
        }
        #expect(!running().isEmpty, "the test command started")
        kill(verify.processIdentifier, SIGTERM)
        verify.waitUntilExit()
        #expect(verify.terminationStatus == 128 + SIGTERM)
        usleep(300_000)
        #expect(running().isEmpty, "left running: \(running())")
    }
}
