@testable import EmbargoKit
import Foundation
import Testing

@Suite("advisory text exports")
struct ExportTextTests {
    static let golden = "exports/DRUPAL-CONTRIB-2025-119.txt"

    @Test("the Drupal SA text of SA-CONTRIB-2025-119 matches its golden file")
    func goldenDrupalText() throws {
        let actual = try ExportSamples.render(.drupal, ExportSamples.threeBranch)
        let expected = try Repo.fixture(Self.golden)
        if actual != expected {
            // Leave the output where a reviewer can diff it, and say so.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("DRUPAL-CONTRIB-2025-119.actual.txt")
            try actual.write(to: path, atomically: true, encoding: .utf8)
            Issue.record("the Drupal text differs from Tests/Fixtures/\(Self.golden); actual output in \(path.path) (diff it, and if the change is intended copy it over the golden file in the same commit)")
        }
    }

    @Test("the Drupal SA has the drupal.org fields in order, with the risk display and the composer constraint")
    func drupalFields() throws {
        let text = try ExportSamples.render(.drupal, ExportSamples.singleBranch)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "sample_module - Moderately critical - Access bypass - SA-CONTRIB-2026-010")
        let labels = lines.compactMap { line in line.firstRange(of: ": ").map { String(line[..<$0.lowerBound]) } }
        #expect(labels == ["Project", "Project machine name", "Date", "Security risk", "Vulnerability type", "Affected versions", "CVE IDs"])
        #expect(lines.contains("Date: 2026-February-04"))
        #expect(lines.contains("Security risk: Moderately critical 12/25 AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon"))
        #expect(lines.contains("Affected versions: <1.2.4"))
        #expect(lines.contains("CVE IDs: CVE-2026-10010"))
        #expect(text.contains("Solution:\nInstall the latest version:\n\n- If you use the 1.2.x branch, upgrade to 1.2.4\n\nSites that cannot upgrade"))
        #expect(text.contains("Reported by:\n- Ada Reporter <ada@example.org>\n"))
        #expect(!text.contains("CVSS"), "drupal.org advisories have no CVSS field")
        #expect(text.hasSuffix("\n") && !text.hasSuffix("\n\n"))
    }

    @Test("missing fields are shown as missing, never filled with the private title")
    func placeholders() throws {
        let text = try ExportSamples.render(.drupal, ExportSamples.minimal)
        #expect(text.hasPrefix("tiny - (risk not set) - (vulnerability type not set) - (SA id not assigned)\n"))
        #expect(text.contains("Security risk: (not set)\n"))
        #expect(text.contains("Fixed by:\n- (not set)\n"))
    }

    @Test("a draft opens every text format with the embargo banner; a final export has none",
          arguments: [ExportFormat.drupal, .markdown, .html])
    func draftBanner(_ format: ExportFormat) throws {
        var input = ExportSamples.threeBranch
        let final = try ExportSamples.render(format, input)
        #expect(!final.contains("EMBARGOED"))
        input.draft = true
        let draft = try ExportSamples.render(format, input)
        switch format {
        case .drupal: #expect(draft.hasPrefix("EMBARGOED - DO NOT DISTRIBUTE\n\n"))
        case .markdown: #expect(draft.hasPrefix("**EMBARGOED - DO NOT DISTRIBUTE**\n\n"))
        default:
            #expect(draft.contains("<body>\n<p class=\"embargo\">EMBARGOED - DO NOT DISTRIBUTE</p>\n<h1>"))
            #expect(draft.contains("<title>EMBARGOED - DO NOT DISTRIBUTE: "))
        }
    }

    @Test("HTML escapes every piece of advisory text and is a complete document")
    func htmlEscapes() throws {
        var input = ExportSamples.threeBranch
        input.advisory.description = "Before <script>alert(\"x\")</script> & 'after'.\n\nSecond paragraph."
        input.advisory.vulnerabilityType = "Cross <b>Site</b> Scripting"
        input.advisory.reporters = [Person(name: "Eve <img src=x onerror=alert(1)>")]
        let html = try ExportSamples.render(.html, input)
        #expect(!html.contains("<script>"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>Site"))
        #expect(html.contains("<p>Before &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;after&#39;.</p>\n<p>Second paragraph.</p>"))
        #expect(html.contains("<h1>ai - Moderately critical - Cross &lt;b&gt;Site&lt;/b&gt; Scripting - SA-CONTRIB-2025-119</h1>"))
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"))
        #expect(html.hasSuffix("</body>\n</html>\n"))
        for tag in ["<head>", "</head>", "<title>", "<body>"] { #expect(html.contains(tag)) }
    }

    @Test("Markdown and HTML carry the same fields and lists as the Drupal text", arguments: ExportSamples.all.map(\.0))
    func sameContent(_ name: String) throws {
        let input = try #require(ExportSamples.all.first { $0.0 == name }?.1)
        let text = try ExportSamples.render(.drupal, input)
        let markdown = try ExportSamples.render(.markdown, input)
        let html = try ExportSamples.render(.html, input)
        for line in text.split(separator: "\n").map(String.init) where !line.hasSuffix(":") {
            if let separator = line.firstRange(of: ": "), !line.hasPrefix("- ") {
                let label = String(line[..<separator.lowerBound]), value = String(line[separator.upperBound...])
                #expect(markdown.contains("- **\(label):** \(value)\n"), "markdown lacks \(line)")
                #expect(html.contains("<dt>\(SAText.escape(label))</dt><dd>\(SAText.escape(value))</dd>"), "html lacks \(line)")
            } else {
                #expect(markdown.contains(line), "markdown lacks \(line)")
                #expect(html.contains(SAText.escape(line.hasPrefix("- ") ? String(line.dropFirst(2)) : line)), "html lacks \(line)")
            }
        }
    }

    @Test("no format carries the private title, the creator or the report time", arguments: ExportFormat.allCases)
    func nothingPrivate(_ format: ExportFormat) throws {
        for (name, input) in ExportSamples.all {
            for draft in [false, true] {
                var input = input
                input.draft = draft
                let output = try ExportSamples.render(format, input)
                #expect(!output.contains(ExportSamples.secret), "\(format) of \(name) leaks the private title or creator")
                #expect(!output.contains("2025-10-01"), "\(format) of \(name) shows the report time")
                #expect(!output.contains("2025-10-02"), "\(format) of \(name) shows the creation time")
                #expect(!output.contains("exploit in the login form"))
            }
        }
    }
}
