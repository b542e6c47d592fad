import Foundation
import Testing

/// Text from the store reaches a terminal: titles, notes, imported fields,
/// error messages. None of it may control the terminal or fake a line.
@Suite("hostile text and the terminal")
struct HostileTextCLITests {
    static let title = "Greeting \u{1B}]0;pwned\u{7} \u{1B}[2J wiped\rover \u{202E}txt.exe"
    static let fakeRow = "2026-01-01T00:00:00Z  alice  status  status ready -> published"

    func expectSafe(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for scalar in text.unicodeScalars where scalar != "\n" {
            let value = scalar.value
            let unsafe = value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || (0x202A...0x202E).contains(value)
                || (0x2066...0x2069).contains(value) || [0x061C, 0x200E, 0x200F, 0x2028, 0x2029].contains(value)
            #expect(!unsafe, "\(what) shows U+\(String(value, radix: 16)) raw", sourceLocation: sourceLocation)
        }
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("2026-01-01T00:00:00Z") }, "\(what) shows a fake row", sourceLocation: sourceLocation)
    }

    @Test func titlesNotesAndErrorsAreShownEscaped() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.storeWithProject(releaseBranches: ["1.0.x"])
        // A title is one line without control characters now; one written before that rule,
        // or by hand in the database, still reaches the screen.
        let refused = try box.embargo(["advisory", "create", "--project", "ai", "--title", Self.title])
        #expect(refused.status == 64)
        try box.ok(["advisory", "create", "--project", "ai", "--title", "Greeting", "--description", "first line\n" + Self.fakeRow])
        try box.tamper(as: "alice") { db, _ in
            try db.execute(sql: "UPDATE advisories SET private_title = ?", arguments: [Self.title])
            try db.execute(sql: "INSERT INTO advisory_search (id, private_title) VALUES ('ADV-2026-001', 'Greeting')")
        }
        try box.ok(["advisory", "note", "ADV-2026-001", "looked at it \u{1B}[2J\n" + Self.fakeRow])

        for arguments in [["advisory", "show", "ADV-2026-001"], ["advisory", "list"], ["timeline", "ADV-2026-001"], ["audit"],
                          ["advisory", "search", "Greeting"]] {
            let run = try box.ok(arguments)
            expectSafe(run.stdout, arguments.joined(separator: " "))
        }
        let shown = try box.ok(["advisory", "show", "ADV-2026-001"]).stdout
        #expect(shown.contains("Greeting \\e]0;pwned\\u{7} \\e[2J wiped\\rover \\u{202E}txt.exe"))
        #expect(shown.contains("\n  " + Self.fakeRow), "the description's second line is indented")

        // An error echoing what the user typed is escaped too.
        let missing = try box.embargo(["advisory", "show", "ADV-\u{1B}[2J"])
        #expect(missing.status != 0)
        expectSafe(missing.stderr, "the error")
        #expect(missing.stderr.contains("\\e[2J"))

        // JSON keeps the exact text (escaped the JSON way).
        let json = try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)
        #expect((json["advisory"] as? [String: Any])?["private_title"] as? String == Self.title)
    }
}

extension HostileTextCLITests {
    /// A value typed with a line break, or far too long, is quoted on one
    /// short line: the error stays one line and its hint another, as with a
    /// usage error the argument parser finds.
    @Test func aValueInAnErrorStaysOnOneShortLine() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try box.storeWithProject(releaseBranches: ["1.0.x"])
        for arguments in [["advisory", "show", "ADV-2026-001\n2026-01-01T00:00:00Z  alice  forged row"],
                          ["project", "add", "p\nq", "--repo", box.path("nowhere"), "--remote", "origin", "--branch", "1.0.x"],
                          ["advisory", "show", String(repeating: "A", count: 120_000)],
                          // The parser's own usage errors too: the choices on the line, the usage in --help.
                          ["advisory", "status", "ADV-2026-001", "bogus"]] {
            let run = try box.embargo(arguments)
            #expect(run.status != 0)
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 2, "\(run.stderr.prefix(300))")
            #expect(lines.allSatisfy { $0.count < 300 }, "\(run.stderr.prefix(300))")
            expectSafe(run.stderr, "the error for \(arguments[0]) \(arguments[1])")
        }
    }
}
