import EmbargoCrypto
import EmbargoKit
import EmbargoStore
import Foundation
import Testing

/// The CLI writes a list one advisory at a time; what it prints must be,
/// byte for byte, what JSONEncoder writes for the whole document.
@Suite("JSON output: advisory documents are JSONEncoder's bytes")
struct JSONOutputCLITests {
    @Test func advisoryListAndShowPrintWhatJSONEncoderWrites() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.storeWithProject()
        // A title is one line without control characters; the description carries those.
        let tricky = "Quote \" backslash \\ slash / é e\u{301} 😀 \u{2028}"
        try "Line one\nline \"two\" \\ end\r\n\u{1} tab\t bell \u{7} DEL \u{7F}".write(toFile: box.path("description.txt"), atomically: true, encoding: .utf8)
        try box.ok(["advisory", "create", "--project", "ai", "--title", tricky, "--type", "Cross Site Scripting",
                    "--cwe", "CWE-79", "--cwe", "CWE-352", "--description-file", box.path("description.txt"),
                    "--reporter", "Jane \"J\" Doe <https://www.drupal.org/u/jane>", "--fixer", "Fixer Ö",
                    "--credit", "Jane Doe <jane@example.org>:FINDER", "--reference", "https://example.org/a?b=c&d=/e",
                    "--risk", "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon",
                    "--cvss", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N",
                    "--cvss", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"])
        try box.ok(["advisory", "create", "--project", "ai", "--title", "Plain", "--branch", "1.1.x"])
        // Every field an advisory can have, so that the list writes each where JSONEncoder does.
        try box.ok(["advisory", "edit", "ADV-2026-001", "--public-title", "Public \\ / \"x\"", "--solution", "Update.\n\tNow.",
                    "--reported-at", "2026-01-02", "--coordinator", "Coordinator <c@example.org>", "--sa-id", "SA-CONTRIB-2026-001",
                    "--cve-id", "CVE-2026-12345", "--ghsa-id", "GHSA-9v2f-6vcg-3hgv", "--affected-from", "1.0.1"])
        try box.ok(["schedule", "ADV-2026-001", "--at", "2027-01-13T17:00:00Z"])

        let workspace = try Workspace.open(
            at: box.store, identity: EmbargoIdentity.load(from: URL(fileURLWithPath: box.path("alice.identity")), passphrases: NoPassphrase()),
            environment: Environment())
        let advisories = try workspace.advisories()
        #expect(advisories.count == 2)
        let views = advisories.map { View(advisory: $0, severity: SeverityView.all(for: $0)) }

        let listed = try box.ok(["advisory", "list", "--json"]).stdout
        #expect(Array(listed.utf8) == (try Self.jsonEncoder(Document(payload: List(advisories: views)))))
        let none = try box.ok(["advisory", "list", "--status", "published", "--json"]).stdout
        #expect(Array(none.utf8) == (try Self.jsonEncoder(Document(payload: List(advisories: [])))))
        let shown = try box.ok(["advisory", "show", advisories[0].id, "--json"]).stdout
        #expect(Array(shown.utf8) == (try Self.jsonEncoder(Document(payload: Single(advisory: views[0])))))
    }

    /// A list long enough to be encoded in several pieces, of advisories with
    /// and without lists, prints what JSONEncoder writes for the advisories
    /// read one at a time (as `advisory show` reads them).
    @Test func aLongListIsWhatJSONEncoderWritesForEachAdvisoryReadAlone() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.storeWithProject()
        for index in 0..<70 {
            var arguments = ["advisory", "create", "--project", "ai", "--title", "Advisory \(index) / \"quoted\""]
            if index % 3 == 0 {
                arguments += ["--branch", "1.1.x", "--branch", "1.0.x", "--cwe", "CWE-\(79 + index)", "--cwe", "CWE-20",
                              "--reporter", "Reporter \(index) <https://example.org/u/\(index)>", "--fixer", "Fixer \(index)",
                              "--credit", "Finder \(index):FINDER", "--credit", "Other \(index) <o@example.org>",
                              "--reference", "https://example.org/\(index)?a=b", "--cvss", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"]
            }
            try box.ok(arguments)
        }
        let workspace = try Workspace.open(
            at: box.store, identity: EmbargoIdentity.load(from: URL(fileURLWithPath: box.path("alice.identity")), passphrases: NoPassphrase()),
            environment: Environment())
        let ids = try workspace.advisories().map(\.id)
        #expect(ids.count == 70)
        let alone = try ids.map { try workspace.advisory($0) }
        #expect(alone.contains { !$0.credits.isEmpty && !$0.cwes.isEmpty && !$0.branches.isEmpty })
        let views = alone.map { View(advisory: $0, severity: SeverityView.all(for: $0)) }
        let listed = try box.ok(["advisory", "list", "--json"]).stdout
        #expect(Array(listed.utf8) == (try Self.jsonEncoder(Document(payload: List(advisories: views)))))
    }

    /// A reader that went away (`embargo advisory list --json | head -1` after
    /// head exits) gets the documented failure: exit code 1 and one line, not a crash.
    @Test func aClosedStandardOutputIsAnError() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let process = Process()
        process.executableURL = embargoBinary
        process.arguments = ["member", "list", "--json"]
        process.environment = box.environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // No one can read what it writes: the only read end is closed before it starts.
        try out.fileHandleForReading.close()
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 1)
        #expect(stderr == "embargo: error: could not write to standard output: Broken pipe\n")
    }

    /// JSONEncoder with the CLI's options, and the final new line.
    static func jsonEncoder<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
    }

    struct NoPassphrase: PassphraseProvider {
        func passphrase(for purpose: PassphrasePurpose) throws -> SecureBytes {
            throw EmbargoError(.accessDenied, "the test identity has no passphrase")
        }
    }

    // The CLI's documents, as the CLI declares them: an advisory with its
    // severities, the list and single reports, and the "format_version" wrapper.

    struct View: Encodable {
        let advisory: Advisory
        let severity: [SeverityView]

        enum Keys: String, CodingKey { case severity }

        func encode(to encoder: any Encoder) throws {
            try advisory.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(severity, forKey: .severity)
        }
    }

    struct List: Encodable { let advisories: [View] }
    struct Single: Encodable { let advisory: View }

    struct Document<Payload: Encodable>: Encodable {
        let payload: Payload

        enum Keys: String, CodingKey { case formatVersion = "format_version" }

        func encode(to encoder: any Encoder) throws {
            try payload.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(1, forKey: .formatVersion)
        }
    }
}
