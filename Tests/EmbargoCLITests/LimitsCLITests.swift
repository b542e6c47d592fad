import Foundation
import Testing

/// Bad input gets one clear line and a documented exit code, and changes nothing.
@Suite("input limits through the CLI")
struct LimitsCLITests {
    func project(_ box: Sandbox) throws {
        try box.storeWithProject(releaseBranches: ["1.0.x"])
        try box.ok(["advisory", "create", "--project", "ai", "--title", "Greeting output"])
    }

    func expectRefused(_ run: Run, _ words: String, status: Int32 = 64, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == status, "exit \(run.status): \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains(words), "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.hasPrefix("embargo: error: "), sourceLocation: sourceLocation)
    }

    @Test func oversizedAndEndlessInputIsRefusedWithoutReadingItAll() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try project(box)
        let generation = try box.json(box.ok(["store", "verify", "--json"]).stdout)
        let started = Date()
        let zero = try box.embargo(["patch", "add", "ADV-2026-001", "--branch", "1.0.x", "--file", "/dev/zero",
                                    "--message", "m", "--author", "A <a@example.org>"])
        expectRefused(zero, "/dev/zero is larger than 8388608 bytes")
        #expect(Date().timeIntervalSince(started) < 30)
        let title = String(repeating: "t", count: 100_000)
        expectRefused(try box.embargo(["advisory", "create", "--project", "ai", "--title", title]), "the title is 100000 characters long; at most 200")
        expectRefused(try box.embargo(["advisory", "edit", "ADV-2026-001", "--title", "Greeting\u{7}bell"]), "the title holds a control character (U+0007)")
        expectRefused(try box.embargo(["advisory", "edit", "ADV-2026-001", "--public-title", "Two\nlines"]), "holds a control character (U+000A)")
        try String(repeating: "d", count: 70_000).write(toFile: box.path("long.txt"), atomically: true, encoding: .utf8)
        expectRefused(try box.embargo(["advisory", "edit", "ADV-2026-001", "--description-file", box.path("long.txt")]), "long.txt is larger than 65536 bytes")
        // Nothing changed.
        let after = try box.json(box.ok(["store", "verify", "--json"]).stdout)
        #expect((after["store"] as? [String: Any])?["generation"] as? Int == (generation["store"] as? [String: Any])?["generation"] as? Int)
        #expect(try box.ok(["advisory", "list"]).stdout.contains("Greeting output"))
    }

    @Test func timesAreStrict() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try project(box)
        expectRefused(try box.embargo(["schedule", "ADV-2026-001", "--at", "2026-12-16T16:00:00+25:00"]), "has the offset +25:00, which no time zone uses")
        expectRefused(try box.embargo(["schedule", "ADV-2026-001", "--at", "2026-02-30T16:00Z"]), "is not a date: February 2026 has 28 days")
        expectRefused(try box.embargo(["schedule", "ADV-2026-001", "--at", "2028-02-30T16:00"]), "February 2028 has 29 days")
        expectRefused(try box.embargo(["schedule", "ADV-2026-001", "--at", "2026-13-01T16:00Z"]), "there is no month 13")
        expectRefused(try box.embargo(["schedule", "ADV-2026-001", "--at", "2026-12-16T24:30Z"]), "is not a time of day")
        expectRefused(try box.embargo(["advisory", "edit", "ADV-2026-001", "--reported-at", "2026-02-30"]), "February 2026 has 28 days")
        // A valid offset still works and is stored in UTC.
        try box.ok(["schedule", "ADV-2027-001".replacingOccurrences(of: "2027", with: "2026"), "--at", "2027-01-06T18:00+02:00"])
        #expect(try box.ok(["timeline", "ADV-2026-001"]).stdout.contains("2027-01-06T16:00:00Z"))
    }

    @Test func anOSVImportKeepsWhatItGetsOrRefuses() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try project(box)
        func document(id: String, published: String) -> String {
            #"{"schema_version": "1.6.0", "id": "\#(id)", "modified": "2025-12-03T16:00:00Z", "published": "\#(published)", "summary": "Imported"}"#
        }
        try document(id: "not an id!", published: "2025-12-03T16:00:00Z").write(toFile: box.path("bad-id.json"), atomically: true, encoding: .utf8)
        expectRefused(try box.embargo(["advisory", "import", box.path("bad-id.json"), "--project", "ai"]), "is not an OSV id", status: 1)
        try document(id: "DRUPAL-CONTRIB-2025-001", published: "yesterday").write(toFile: box.path("bad-time.json"), atomically: true, encoding: .utf8)
        expectRefused(try box.embargo(["advisory", "import", box.path("bad-time.json"), "--project", "ai"]), "\"published\" time 'yesterday' is not an RFC 3339 UTC time", status: 1)
        // A NUL in a title would cut it short in listings: refused, whichever way it comes.
        try #"{"id": "DRUPAL-CONTRIB-2025-002", "modified": "2025-12-03T16:00:00Z", "summary": "Visible\u0000hidden"}"#
            .write(toFile: box.path("nul.json"), atomically: true, encoding: .utf8)
        expectRefused(try box.embargo(["advisory", "import", box.path("nul.json"), "--project", "ai"]), "holds a control character (U+0000)")
        #expect(try box.json(box.ok(["advisory", "list", "--json"]).stdout)["advisories"].map { ($0 as? [Any])?.count } == 1)
    }
}
