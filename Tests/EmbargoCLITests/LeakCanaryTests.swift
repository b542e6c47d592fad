import Foundation
import Testing

/// A full workflow with a canary in every embargoed field and in the patch:
/// after each step the canary is nowhere it must not be.
@Suite("leak canary")
struct LeakCanaryTests {
    static let canary = "CANARY-7Hq2Lx"

    /// Wrappers for the programs embargo starts: each logs its arguments, then runs the real one.
    func installWrappers(_ box: Sandbox) throws -> (bin: URL, log: URL) {
        let bin = box.root.appendingPathComponent("spy-bin")
        let log = box.root.appendingPathComponent("spy-argv.log")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        for tool in ["git", "sh", "gpg", "age", "minisign"] {
            guard let real = ["/usr/bin/\(tool)", "/bin/\(tool)"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { continue }
            let script = "#!/bin/dash\nprintf '%s\\n' \"\(tool) $*\" >> '\(log.path)'\nexec \(real) \"$@\"\n"
            let url = bin.appendingPathComponent(tool)
            try script.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        return (bin, log)
    }

    func check(_ box: Sandbox, repo: URL, log: URL, after step: String) throws {
        let canary = Self.canary
        for file in box.files(under: box.store) {
            #expect(!contains(try Data(contentsOf: file), canary), "after \(step): \(file.lastPathComponent) in the store holds the canary")
        }
        for file in box.files(under: box.root.appendingPathComponent("tmp")) {
            #expect(!contains(try Data(contentsOf: file), canary), "after \(step): a temporary file holds the canary: \(file.path)")
        }
        let objects = try box.run("git", ["-C", repo.path, "cat-file", "--batch-all-objects", "--batch"]).stdout
        #expect(!objects.contains(canary), "after \(step): the project's repository objects hold the canary")
        for file in box.files(under: repo) {
            #expect(!contains(try Data(contentsOf: file), canary), "after \(step): \(file.path) in the repository holds the canary")
        }
        let argv = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(!argv.contains(canary), "after \(step): a process was started with the canary in its arguments")
    }

    /// In both store modes: the journal's entries are checked like the store file.
    @Test(arguments: StoreMode.allCases)
    func theCanaryStaysInTheEncryptedStore(mode: StoreMode) throws {
        let box = try mode.sandbox()
        defer { box.remove() }
        let canary = Self.canary
        try box.initStore()
        try box.addMember("bob", role: "security")
        let fixture = try PatchFixture.repository(box)
        let spy = try installWrappers(box)
        let env = ["PATH": "\(spy.bin.path):\(box.environment["PATH"] ?? "/usr/bin:/bin")"]

        // Long texts come from files, so they are not even on embargo's own command line.
        let description = box.path("description.txt")
        try "Reported by \(canary): the greeting echoes input.\n".write(toFile: description, atomically: true, encoding: .utf8)
        try box.ok(["advisory", "create", "--project", "greeter", "--title", "Greeting \(canary)", "--description-file", description,
                    "--reporter", "Rita \(canary) <rita@example.org>"], env: env)
        try FileManager.default.removeItem(atPath: description)
        try check(box, repo: fixture, log: spy.log, after: "advisory create")

        try box.ok(["advisory", "status", "ADV-2026-001", "confirmed"], env: env)
        let diff = PatchFixture.diff10.replacingOccurrences(of: "htmlspecialchars($name)", with: "htmlspecialchars($name) /* \(canary) */")
        let patch = box.path("fix.diff")
        try diff.write(toFile: patch, atomically: true, encoding: .utf8)
        try box.ok(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--file", patch,
                    "--message", "Tidy the output", "--author", "Sam Fixer <sam@example.org>"], env: env)
        try FileManager.default.removeItem(atPath: patch)
        try check(box, repo: fixture, log: spy.log, after: "patch add")

        try box.ok(["project", "set", "greeter", "--remove-branch", "1.1.x"], env: env)
        try box.ok(["advisory", "edit", "ADV-2026-001", "--branch", "1.0.x"], env: env)
        try box.ok(["patch", "verify", "ADV-2026-001"], env: env)
        try check(box, repo: fixture, log: spy.log, after: "patch verify")

        // Lint reads the diff's comments: the canary in one is a word of the private title, a finding to accept.
        let accept = ["--accept-finding", "diff-1.0.x-1-src/Greeter.php-4-comment:canary"]
        let lint = try box.embargo(["lint", "ADV-2026-001"] + accept, env: env)
        #expect(lint.status == 0, "lint: \(lint.stdout)")
        try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox")] + accept, env: env)
        try check(box, repo: fixture, log: spy.log, after: "prerelease")

        // The bundle carries it, encrypted; decrypted, it is there (so the check above can fail).
        let bundle = try #require(try FileManager.default.contentsOfDirectory(atPath: box.path("outbox")).first { $0.hasSuffix(".tar.age") })
        #expect(!contains(try Data(contentsOf: URL(fileURLWithPath: box.path("outbox/\(bundle)"))), canary))
        let opened = try box.run("age", ["-d", "-i", box.path("bob.identity"), box.path("outbox/\(bundle)")])
        #expect(opened.stdout.contains(canary))
        let processes = (try String(contentsOf: spy.log, encoding: .utf8)).split(separator: "\n").count
        #expect(processes > 10, "the argument spy saw too few processes")
        let entries = StoreMode.journalEntries(box)
        #expect(mode == .journal ? entries > 0 : entries == 0, "\(entries) journal entries in a \(mode.rawValue) store")
        print("leak canary (\(mode.rawValue) store, \(entries) journal entries): 5 steps checked; \(processes) child processes' arguments, the store, temporary files and repository objects are free of the canary")
    }
}

extension PatchFixture {
    /// A repository with src/Greeter.php on 1.0.x (tag 1.0.0) and 1.1.x (changed
    /// on 1.1.x when `configurable11`, tag 1.1.0), and project `greeter` on both.
    static func repository(_ box: Sandbox, configurable11: Bool = false) throws -> URL {
        let repo = try box.makeRepository(branches: ["1.0.x"])
        let greeter = repo.appendingPathComponent("src/Greeter.php")
        try FileManager.default.createDirectory(at: greeter.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "<?php\n\nfunction greet($name) {\n  return 'Hello ' . $name;\n}\n".write(to: greeter, atomically: true, encoding: .utf8)
        try box.git(["-C", repo.path, "add", "."])
        try box.git(["-C", repo.path, "commit", "--quiet", "-m", "Issue #1 by a: Add greeter"])
        try box.git(["-C", repo.path, "tag", "1.0.0"])
        try box.git(["-C", repo.path, "branch", "1.1.x"])
        if configurable11 {
            try box.git(["-C", repo.path, "checkout", "--quiet", "1.1.x"])
            try "<?php\n\nfunction greet($name, $greeting = 'Hello') {\n  return $greeting . ' ' . $name;\n}\n".write(to: greeter, atomically: true, encoding: .utf8)
            try box.git(["-C", repo.path, "commit", "--quiet", "-am", "Issue #2 by b: Configurable greeting"])
            try box.git(["-C", repo.path, "tag", "1.1.0"])
            try box.git(["-C", repo.path, "checkout", "--quiet", "1.0.x"])
        }
        try box.ok(["project", "add", "greeter", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x", "--branch", "1.1.x"])
        return repo
    }
}
