import EmbargoErrors
import Foundation
import Testing

/// Reads the golden files in Tests/Fixtures/cvss/ (see the README there): `#`
/// comment lines, one header line, then tab-separated rows.
enum SeverityFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/cvss")

    /// The rows of `name`, keyed by column. Fails the test if the header is not
    /// exactly `columns`, so that a regenerated file with a changed layout
    /// cannot be half-read.
    static func rows(_ name: String, columns: [String]) throws -> [[String: String]] {
        let url = directory.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            .filter { !$0.hasPrefix("#") }
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard !lines.isEmpty else {
            Issue.record("\(name) has no header")
            return []
        }
        let header = lines.removeFirst()
        #expect(header == columns, "\(name): unexpected columns \(header)")
        guard header == columns else { return [] }
        return lines.enumerated().compactMap { index, fields in
            guard fields.count == columns.count else {
                Issue.record("\(name): row \(index + 1) has \(fields.count) fields, expected \(columns.count)")
                return nil
            }
            return Dictionary(uniqueKeysWithValues: zip(columns, fields))
        }
    }
}

/// Runs `body` on `text` expecting an `EmbargoError` of kind `.usage`, and returns its message.
func severityUsageError(_ text: String, _ body: (String) throws -> Void) -> EmbargoError? {
    do {
        try body(text)
        Issue.record("'\(text)' was accepted")
        return nil
    } catch let error as EmbargoError {
        #expect(error.kind == .usage)
        #expect(error.hint != nil, "every error says how to fix it")
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
