@testable import EmbargoKit
import EmbargoStore
import Foundation
import Testing

@Suite("CSAF export")
struct ExportCSAFTests {
    private func csaf(_ input: ExportInput) throws -> [String: Any] {
        try ExportSamples.json(try ExportSamples.render(.csaf, input))
    }

    /// Every `product_id` defined in the product tree, in document order.
    private func definedProducts(_ branches: [[String: Any]]) -> [String] {
        branches.flatMap { branch -> [String] in
            let own = ((branch["product"] as? [String: Any])?["product_id"] as? String).map { [$0] } ?? []
            return own + definedProducts(branch["branches"] as? [[String: Any]] ?? [])
        }
    }

    @Test("the mandatory tests the schema cannot express hold (6.1.1, 6.1.2, 6.1.11, 6.1.16, 6.1.29)",
          arguments: ExportSamples.all.map(\.0))
    func crossDocumentMandatoryTests(_ name: String) throws {
        let input = try #require(ExportSamples.all.first { $0.0 == name }?.1)
        let document = try csaf(input)
        let tree = try #require((document["product_tree"] as? [String: Any])?["branches"] as? [[String: Any]])
        let defined = definedProducts(tree)
        // 6.1.2: each product id is defined once.
        #expect(Set(defined).count == defined.count, "\(defined)")
        let vulnerabilities = try #require(document["vulnerabilities"] as? [[String: Any]])
        for vulnerability in vulnerabilities {
            // 6.1.1: every product id used is defined.
            let status = try #require(vulnerability["product_status"] as? [String: [String]])
            let remediations = try #require(vulnerability["remediations"] as? [[String: Any]])
            let scores = vulnerability["scores"] as? [[String: Any]] ?? []
            let used = status.values.flatMap { $0 } + remediations.flatMap { $0["product_ids"] as? [String] ?? [] }
                + scores.flatMap { $0["products"] as? [String] ?? [] }
            for id in used { #expect(defined.contains(id), "\(id) is used but not defined") }
            // 6.1.29: every remediation names its products.
            for remediation in remediations { #expect((remediation["product_ids"] as? [String])?.isEmpty == false) }
            // 6.1.11: the CWE name is the CWE list's name for the id.
            if let cwe = vulnerability["cwe"] as? [String: String] {
                let id = try #require(cwe["id"].flatMap { Int($0.dropFirst(4)) })
                #expect(CWENames.known[id] == cwe["name"], "\(cwe)")
            }
            // CSAF 2.0 has no CVSS 4 slot.
            #expect(scores.allSatisfy { $0["cvss_v4"] == nil })
        }
        // 6.1.16: the document version is the latest revision's number.
        let tracking = try #require((document["document"] as? [String: Any])?["tracking"] as? [String: Any])
        let revisions = try #require(tracking["revision_history"] as? [[String: Any]])
        #expect(tracking["version"] as? String == revisions.last?["number"] as? String)
    }

    @Test("a draft has status draft and TLP RED, a final one final and TLP WHITE; the shape stays the same")
    func draftStatus() throws {
        var input = ExportSamples.threeBranch
        let final = try csaf(input)
        input.draft = true
        let draft = try csaf(input)
        func tracking(_ csaf: [String: Any]) -> [String: Any]? { (csaf["document"] as? [String: Any])?["tracking"] as? [String: Any] }
        func tlp(_ csaf: [String: Any]) -> String? {
            (((csaf["document"] as? [String: Any])?["distribution"] as? [String: Any])?["tlp"] as? [String: Any])?["label"] as? String
        }
        #expect(tracking(final)?["status"] as? String == "final")
        #expect(tracking(draft)?["status"] as? String == "draft")
        #expect(tlp(final) == "WHITE")
        #expect(tlp(draft) == "RED")
        #expect(keyPaths(final) == keyPaths(draft))
        // OSV and CVE records do not change at all.
        for format in [ExportFormat.osv, .cve] {
            #expect(try ExportSamples.render(format, input) == ExportSamples.render(format, ExportSamples.threeBranch))
        }
    }

    private func keyPaths(_ value: Any, _ prefix: String = "$") -> Set<String> {
        if let object = value as? [String: Any] {
            return Set(object.flatMap { keyPaths($0.value, "\(prefix).\($0.key)").union(["\(prefix).\($0.key)"]) })
        }
        if let array = value as? [Any] {
            return array.reduce(into: Set<String>()) { $0.formUnion(keyPaths($1, "\(prefix)[]")) }
        }
        return []
    }

    @Test("the product tree holds a vers range per affected branch and each fixed release as a version")
    func productTree() throws {
        let document = try csaf(ExportSamples.legacy)
        let vendor = try #require(((document["product_tree"] as? [String: Any])?["branches"] as? [[String: Any]])?.first)
        #expect(vendor["category"] as? String == "vendor")
        let product = try #require((vendor["branches"] as? [[String: Any]])?.first)
        #expect(product["category"] as? String == "product_name")
        let versions = try #require(product["branches"] as? [[String: Any]])
        #expect(versions.map { "\($0["category"] as? String ?? "") \($0["name"] as? String ?? "")" } == [
            "product_version_range vers:composer/<1.6.0",
            "product_version_range vers:composer/>=2.0.0|<2.0.3",
            "product_version 1.6.0",
            "product_version 2.0.3",
        ])
        let remediations = try #require((document["vulnerabilities"] as? [[String: Any]])?.first?["remediations"] as? [[String: Any]])
        #expect(remediations.map { $0["category"] as? String } == ["vendor_fix", "vendor_fix"])
        #expect(remediations.map { $0["details"] as? String } == [
            "Upgrade to legacy_module 8.x-1.6 or later on the 8.x-1.x branch.",
            "Upgrade to legacy_module 2.0.3 or later on the 2.0.x branch.",
        ])
    }

    @Test("notes, tracking id and vulnerability fields come from the public fields")
    func documentFields() throws {
        let document = try csaf(ExportSamples.threeBranch)
        let head = try #require(document["document"] as? [String: Any])
        let notes = try #require(head["notes"] as? [[String: String]])
        #expect(notes.map { $0["category"] } == ["summary", "description"])
        #expect((head["tracking"] as? [String: Any])?["id"] as? String == "SA-CONTRIB-2025-119")
        #expect((head["publisher"] as? [String: String]) == ["category": "vendor", "name": "ai", "namespace": "https://www.drupal.org"])
        let vulnerability = try #require((document["vulnerabilities"] as? [[String: Any]])?.first)
        #expect(vulnerability["cve"] as? String == "CVE-2025-13981")
        let score = try #require((vulnerability["scores"] as? [[String: Any]])?.first?["cvss_v3"] as? [String: Any])
        #expect(score["baseScore"] as? Double == 5.4)
        #expect(score["baseSeverity"] as? String == "MEDIUM")

        let local = try csaf(ExportSamples.legacy)
        #expect(((local["document"] as? [String: Any])?["tracking"] as? [String: Any])?["id"] as? String == "ADV-2026-002")
        let notesV4 = try #require((local["vulnerabilities"] as? [[String: Any]])?.first?["notes"] as? [[String: String]])
        #expect(notesV4.contains { $0["title"] == "CVSS v4.0" && $0["text"] == ExportSamples.cvss40.display })
    }

    @Test("the publisher namespace: drupal.org for Drupal projects, else the first https reference's origin")
    func publisherNamespace() throws {
        let document = try csaf(ExportSamples.nonDrupal)
        #expect(((document["document"] as? [String: Any])?["publisher"] as? [String: String])?["namespace"] == "https://libgreet.example.org")
        var input = ExportSamples.nonDrupal
        input.advisory.references = []
        let error = #expect(throws: EmbargoError.self) { try ExportSamples.render(.csaf, input) }
        #expect(error?.message == "CSAF needs a publisher namespace URL and project libgreet has none")
    }

    @Test("the CWE table has the common weaknesses under their official names")
    func cweNames() {
        for id in [20, 22, 77, 78, 79, 89, 94, 200, 269, 284, 285, 287, 352, 400, 434, 502, 601, 611, 639, 862, 863, 918, 1321] {
            #expect(CWENames.known[id] != nil, "CWE-\(id) is missing")
        }
        #expect(CWENames.name(352) == "Cross-Site Request Forgery (CSRF)")
        #expect(CWENames.name(22) == "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')")
        #expect(CWENames.name(99999) == "CWE-99999")
    }
}
