@testable import EmbargoKit
import EmbargoStore
import Foundation
import Testing

/// Every JSON export is checked against the official schema with python's
/// jsonschema (scripts/validate-json-schema.py), and the validator is shown
/// to reject broken documents, so a passing test means something.
@Suite("export schema validation")
struct ExportSchemaTests {
    @Test("OSV exports validate against the OSV 1.7 schema", arguments: ExportSamples.all.map(\.0))
    func osvIsValid(_ name: String) throws {
        let input = try #require(ExportSamples.all.first { $0.0 == name }?.1)
        try SchemaValidator.expectValid(.osv, try ExportSamples.render(.osv, input), "OSV of \(name)")
    }

    @Test("CVE exports validate against the CVE JSON 5.1 schema", arguments: ExportSamples.all.map(\.0) + ["non-drupal"])
    func cveIsValid(_ name: String) throws {
        let input = try #require((ExportSamples.all + [("non-drupal", ExportSamples.nonDrupal)]).first { $0.0 == name }?.1)
        try SchemaValidator.expectValid(.cve, try ExportSamples.render(.cve, input), "CVE record of \(name)")
    }

    @Test("CSAF exports validate against CSAF 2.0 and its security advisory profile",
          arguments: ExportSamples.all.map(\.0) + ["non-drupal"])
    func csafIsValid(_ name: String) throws {
        let input = try #require((ExportSamples.all + [("non-drupal", ExportSamples.nonDrupal)]).first { $0.0 == name }?.1)
        let csaf = try ExportSamples.render(.csaf, input)
        try SchemaValidator.expectValid(.csaf, csaf, "CSAF of \(name)")
        try SchemaValidator.expectValid(.csafProfile, csaf, "CSAF of \(name)")
    }

    @Test("the Drupal advisory database's own records pass the same validator")
    func drupalRecordsAreValid() throws {
        let result = try SchemaValidator.runFile(.osv, Repo.fixtures.appendingPathComponent("drupal-osv/DRUPAL-CONTRIB-2025-119.json").path)
        #expect(result.valid, "\(result.output)")
    }

    // MARK: The validator rejects what it should

    @Test("the OSV linter's negative fixture is invalid, at the range without 'introduced'")
    func osvNegativeFixture() throws {
        let result = try SchemaValidator.runFile(.osv, Repo.fixtures.appendingPathComponent("osv/nointroduced-CVE-2023-41045.json").path)
        #expect(result.status == 1)
        #expect(result.output.contains("$.affected[0].ranges[0].events"), "\(result.output)")
    }

    @Test("a mutated OSV export is invalid: range without 'introduced', unknown id prefix")
    func osvMutations() throws {
        let osv = try ExportSamples.render(.osv, ExportSamples.threeBranch)
        let noIntroduced = osv.replacingOccurrences(of: "\"introduced\": \"0\"", with: "\"fixed\": \"0.9.0\"")
        #expect(noIntroduced != osv)
        #expect(try !SchemaValidator.run(.osv, noIntroduced).valid)
        let badID = osv.replacingOccurrences(of: "\"id\": \"DRUPAL-CONTRIB-2025-119\"", with: "\"id\": \"ADV-2025-007\"")
        #expect(badID != osv)
        #expect(try !SchemaValidator.run(.osv, badID).valid)
    }

    @Test("a mutated CVE export is invalid: bad cveId, score out of its severity band, non-UUID org id")
    func cveMutations() throws {
        let cve = try ExportSamples.render(.cve, ExportSamples.threeBranch)
        for (from, to) in [
            ("\"cveId\": \"CVE-2025-13981\"", "\"cveId\": \"CVE-25-13981\""),
            ("\"baseScore\": 5.4", "\"baseScore\": 9.4"),
            ("\"assignerOrgId\": \"", "\"assignerOrgId\": \"x"),
        ] {
            let mutated = cve.replacingOccurrences(of: from, with: to)
            #expect(mutated != cve, "\(from) not found")
            let result = try SchemaValidator.run(.cve, mutated)
            #expect(result.status == 1, "\(to) was accepted")
        }
    }

    @Test("a mutated CSAF export is invalid: unknown TLP label, bad CVSS vector in the FIRST schema")
    func csafMutations() throws {
        let csaf = try ExportSamples.render(.csaf, ExportSamples.threeBranch)
        for (from, to) in [
            ("\"label\": \"WHITE\"", "\"label\": \"BLUE\""),
            ("\"vectorString\": \"CVSS:3.1/AV:N", "\"vectorString\": \"CVSS:3.1/AV:Q"),
        ] {
            let mutated = csaf.replacingOccurrences(of: from, with: to)
            #expect(mutated != csaf, "\(from) not found")
            #expect(try SchemaValidator.run(.csaf, mutated).status == 1, "\(to) was accepted")
        }
    }

    @Test("the profile schema rejects a security advisory without product tree or with a range as a version")
    func csafProfileMutations() throws {
        let csaf = try ExportSamples.json(try ExportSamples.render(.csaf, ExportSamples.threeBranch))
        var noTree = csaf
        noTree["product_tree"] = nil
        #expect(try SchemaValidator.run(.csafProfile, String(decoding: JSONSerialization.data(withJSONObject: noTree), as: UTF8.self)).status == 1)
        let text = try ExportSamples.render(.csaf, ExportSamples.threeBranch)
        let rangeAsVersion = text.replacingOccurrences(of: "\"name\": \"1.0.7\"", with: "\"name\": \"<1.0.7\"")
        #expect(rangeAsVersion != text)
        #expect(try SchemaValidator.run(.csafProfile, rangeAsVersion).status == 1)
    }
}
