@testable import EmbargoKit
import EmbargoStore
import Foundation
import Testing

@Suite("CVE record export")
struct ExportCVETests {
    private func cna(_ input: ExportInput) throws -> [String: Any] {
        let record = try ExportSamples.json(try ExportSamples.render(.cve, input))
        return try #require((record["containers"] as? [String: Any])?["cna"] as? [String: Any])
    }

    @Test("without a CVE id there is no record, and the hint names the command that sets one")
    func needsCVEID() {
        var input = ExportSamples.legacy
        input.advisory.cveID = nil
        #expect(throws: EmbargoError(.failure, "advisory ADV-2026-002 has no CVE id",
                                     hint: "set one with 'embargo advisory edit ADV-2026-002 --cve-id CVE-YYYY-NNNN'")) {
            try ExportSamples.render(.cve, input)
        }
    }

    @Test("a record needs a description and a public reference")
    func needsDescriptionAndReference() throws {
        var input = ExportSamples.minimal
        input.advisory.description = nil
        let noDescription = #expect(throws: EmbargoError.self) { try ExportSamples.render(.cve, input) }
        #expect(noDescription?.message == "advisory ADV-2026-003 has no description, which a CVE record requires")
        input = ExportSamples.minimal
        input.advisory.references = []
        let noReference = #expect(throws: EmbargoError.self) { try ExportSamples.render(.cve, input) }
        #expect(noReference?.message == "advisory ADV-2026-003 has no public reference, which a CVE record requires")
        input.advisory.description = String(repeating: "x", count: 4097)
        input.advisory.saID = "SA-CONTRIB-2026-003"
        let tooLong = #expect(throws: EmbargoError.self) { try ExportSamples.render(.cve, input) }
        #expect(tooLong?.message.contains("longer than the 4096 characters") == true)
    }

    @Test("the placeholder org id is a version 4 UUID derived from the project name")
    func placeholderOrgID() throws {
        let record = try ExportSamples.json(try ExportSamples.render(.cve, ExportSamples.threeBranch))
        let assigner = try #require((record["cveMetadata"] as? [String: Any])?["assignerOrgId"] as? String)
        let provider = try #require((try cna(ExportSamples.threeBranch)["providerMetadata"] as? [String: Any])?["orgId"] as? String)
        #expect(assigner == provider)
        #expect(assigner == CVEExport.placeholderOrgID("ai"))
        #expect(assigner.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)
        #expect(CVEExport.placeholderOrgID("ai") != CVEExport.placeholderOrgID("ai_agents"))
    }

    @Test("affected versions: one semver range per branch, from 0 for the oldest, unaffected otherwise")
    func affectedVersions() throws {
        let product = try #require((try cna(ExportSamples.threeBranch)["affected"] as? [[String: Any]])?.first)
        #expect(product["vendor"] as? String == "ai")
        #expect(product["product"] as? String == "ai")
        #expect(product["packageName"] as? String == "drupal/ai")
        #expect(product["collectionURL"] as? String == "https://packages.drupal.org/8")
        #expect(product["defaultStatus"] as? String == "unaffected")
        #expect((product["versions"] as? [[String: String]]) == [
            ["version": "0", "lessThan": "1.0.7", "status": "affected", "versionType": "semver"],
            ["version": "1.1.0", "lessThan": "1.1.7", "status": "affected", "versionType": "semver"],
            ["version": "1.2.0", "lessThan": "1.2.4", "status": "affected", "versionType": "semver"],
        ])
        let nonDrupal = try #require((try cna(ExportSamples.nonDrupal)["affected"] as? [[String: Any]])?.first)
        #expect(nonDrupal["collectionURL"] == nil)
    }

    @Test("metrics carry numeric base scores and upper-case severities; CVSS 4 only when known")
    func metrics() throws {
        let metrics = try #require(try cna(ExportSamples.singleBranch)["metrics"] as? [[String: Any]])
        let v31 = try #require(metrics.compactMap { $0["cvssV3_1"] as? [String: Any] }.first)
        #expect(v31["baseScore"] as? Double == 9.8)
        #expect(!(v31["baseScore"] is String))
        #expect(v31["baseSeverity"] as? String == "CRITICAL")
        #expect(v31["version"] as? String == "3.1")
        let v40 = try #require(metrics.compactMap { $0["cvssV4_0"] as? [String: Any] }.first)
        #expect(v40["vectorString"] as? String == ExportSamples.cvss40.vector)
        #expect(v40["baseSeverity"] as? String == "MEDIUM")
        let drupal = try #require(metrics.compactMap { $0["other"] as? [String: Any] }.first)
        #expect(drupal["type"] as? String == "Drupal security risk")

        let three = try #require(try cna(ExportSamples.threeBranch)["metrics"] as? [[String: Any]])
        #expect(three.allSatisfy { $0["cvssV4_0"] == nil })
        #expect(try cna(ExportSamples.minimal)["metrics"] == nil)
    }

    @Test("credits name each role in CVE's words; problem types carry CWE ids and names")
    func creditsAndProblemTypes() throws {
        let credits = try #require(try cna(ExportSamples.legacy)["credits"] as? [[String: String]])
        #expect(credits.map { "\($0["value"] ?? "")/\($0["type"] ?? "")" } == [
            "Zed Finder/finder", "Ann Coordinator/coordinator", "Carl Reviewer/remediation reviewer", "Acme Sponsor/sponsor",
        ])
        let three = try #require(try cna(ExportSamples.threeBranch)["credits"] as? [[String: String]])
        #expect(three.map { $0["type"] } == ["finder", "remediation developer", "coordinator"])

        let problems = try #require(try cna(ExportSamples.threeBranch)["problemTypes"] as? [[String: Any]])
        let description = try #require((problems.first?["descriptions"] as? [[String: String]])?.first)
        #expect(description["cweId"] == "CWE-79")
        #expect(description["description"] == "CWE-79 Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')")
    }

    @Test("the solution lists the release to install per branch; the SA is tagged as the vendor advisory")
    func solutionAndReferences() throws {
        let cna = try cna(ExportSamples.threeBranch)
        let solution = try #require((cna["solutions"] as? [[String: String]])?.first?["value"])
        #expect(solution == """
            Install the latest version:
            - If you use the 1.0.x branch, upgrade to 1.0.7
            - If you use the 1.1.x branch, upgrade to 1.1.7
            - If you use the 1.2.x branch, upgrade to 1.2.4
            """)
        let references = try #require(cna["references"] as? [[String: Any]])
        #expect(references.first?["url"] as? String == "https://www.drupal.org/sa-contrib-2025-119")
        #expect(references.first?["tags"] as? [String] == ["vendor-advisory"])
        #expect(cna["datePublic"] as? String == "2025-12-03T18:48:23Z")
    }
}
