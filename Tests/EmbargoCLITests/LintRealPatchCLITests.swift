import Foundation
import Testing

/// The diff reading on two real commits of a public project (go-tuf; see
/// Tests/Fixtures/real-fixes/README.md): a published security fix, whose
/// comments, subtest names and test data say what it fixes, and an ordinary
/// change of the same project with a comment, a string and a new test.
@Suite("leak linter on real patches")
struct LintRealPatchCLITests {
    static let fixtures = ExportCLITests.repo.appendingPathComponent("Tests/Fixtures/real-fixes")

    /// A store with project `tuf` whose branch `2.x` holds the files of
    /// `commit`'s parent, an advisory worded apart from the patch, and the
    /// commit's own diff added to it as the fix.
    func storeWithRealPatch(_ box: Sandbox, commit: String, message: String, diff: URL? = nil) throws {
        try box.initStore()
        let repo = try box.makeRepository(branches: ["2.x"])
        let parent = Self.fixtures.appendingPathComponent("go-tuf-\(commit)")
        for file in try FileManager.default.subpathsOfDirectory(atPath: parent.path) {
            let source = parent.appendingPathComponent(file)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let target = repo.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source, to: target)
        }
        try box.git(["-C", repo.path, "add", "."])
        try box.git(["-C", repo.path, "commit", "--quiet", "-m", "The files before the change"])
        try box.ok(["project", "add", "tuf", "--repo", repo.path, "--remote", "origin", "--branch", "2.x"])
        try box.ok(["advisory", "create", "--project", "tuf", "--title", "Arbitrary file write in the multi-repo client",
                    "--type", "Path traversal", "--cwe", "CWE-22"])
        try box.ok(["patch", "add", "ADV-2026-001", "--branch", "2.x", "--file", (diff ?? Self.fixtures.appendingPathComponent("go-tuf-\(commit).diff")).path,
                    "--message", message, "--author", "Sam <sam@example.org>"])
    }

    /// go-tuf d361e2ea ("Enforce a stricter validation on the repo name for
    /// TAP 4"): comments that name path traversal, subtests named for it, and
    /// `../../etc/passwd` as test data. The message given here is neutral, so
    /// every finding comes from the diff.
    @Test func aPublishedFixGivesCommentSubtestNameAndPayloadFindings() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try storeWithRealPatch(box, commit: "d361e2ea", message: "Check repository names in the map file")
        let run = try box.embargo(["lint", "ADV-2026-001", "--json"])
        #expect(run.status == 3, "\(run.stderr)")
        let findings = try #require(try box.json(run.stdout)["findings"] as? [[String: Any]])
        let seen = Set(findings.compactMap { f in (f["key"] as? String).map { "\($0) \(f["level"] as? String ?? "")" } })
        // A comment: "This prevents path traversal attacks".
        #expect(seen.contains("diff-2.x-1-metadata/multirepo/multirepo.go-390-comment:traversal names"), "\(seen.sorted())")
        // A subtest's name: {"path traversal", "../escaped-repo"}.
        #expect(seen.contains("diff-2.x-1-metadata/multirepo/multirepo_test.go-93-string:traversal names"), "\(seen.sorted())")
        // Test data: {"deep traversal", "../../etc/passwd", true}.
        #expect(seen.contains("diff-2.x-1-metadata/multirepo/multirepo_test.go-59-payload:attack-payload names"), "\(seen.sorted())")
        #expect(!seen.contains { $0.hasPrefix("commit-") }, "the message is neutral: \(seen.sorted())")
        let payload = findings.first { $0["rule"] as? String == "attack-payload" }
        #expect((payload?["suggestion"] as? String)?.contains("data provider") == true)
        #expect(payload?["location"] as? String == "2.x:patch 1:metadata/multirepo/multirepo_test.go:59")
    }

    /// go-tuf 7dec1eca ("Set a default HTTP client for DefaultFetcher ..."):
    /// a comment, a URL string and a new test, none of them about security.
    @Test func anOrdinaryRealChangeGivesNone() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try storeWithRealPatch(box, commit: "7dec1eca",
                               message: "Set a default HTTP client for DefaultFetcher in DownloadFile method if none is set")
        let run = try box.embargo(["lint", "ADV-2026-001", "--strict", "--json"])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect((try box.json(run.stdout)["findings"] as? [[String: Any]])?.isEmpty == true)

        // The same change, its comment saying what it prevents: the diff was read.
        let other = try Sandbox()
        defer { other.remove() }
        let comment = "// For backwards compatibility, if the client is nil, use the default client."
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("go-tuf-7dec1eca.diff"), encoding: .utf8)
        #expect(text.contains(comment))
        let changed = other.root.appendingPathComponent("changed.diff")
        try text.replacingOccurrences(of: comment, with: comment + " This prevents XSS.").write(to: changed, atomically: true, encoding: .utf8)
        try storeWithRealPatch(other, commit: "7dec1eca", message: "Set a default HTTP client for DefaultFetcher in DownloadFile method if none is set",
                               diff: changed)
        let found = try other.embargo(["lint", "ADV-2026-001", "--strict", "--json"])
        #expect(found.status == 3)
        let keys = (try other.json(found.stdout)["findings"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
        #expect(keys.count == 1 && keys.allSatisfy { $0.hasPrefix("diff-2.x-1-metadata/fetcher/fetcher.go-") && $0.hasSuffix("-comment:xss") }, "\(keys)")
    }
}
