@testable import EmbargoKit
import EmbargoStore
import Foundation
import Testing

@Suite("OSV export")
struct ExportOSVTests {
    /// SA-CONTRIB-2025-119 as the Drupal advisory database publishes it: only
    /// the fields that database fills (no CVSS, reporters only).
    static var asDrupalDatabase: ExportInput {
        var input = ExportSamples.threeBranch
        input.severities = [ExportSamples.drupalRisk]
        input.advisory.fixers = []
        input.advisory.coordinators = []
        return input
    }

    @Test("the three-branch advisory comes out as the Drupal advisory database's record")
    func matchesDrupalDatabase() throws {
        let ours = try ExportSamples.json(try ExportSamples.render(.osv, Self.asDrupalDatabase))
        let theirs = try ExportSamples.json(try Repo.fixture("drupal-osv/DRUPAL-CONTRIB-2025-119.json"))
        for key in ["schema_version", "id", "aliases", "details", "affected", "references"] {
            #expect(try ExportSamples.canonical(ours[key]) == ExportSamples.canonical(theirs[key]), "\(key) differs")
        }
        // The database writes times with milliseconds; the instants are the same.
        for key in ["published", "modified"] {
            let a = try #require(ours[key] as? String), b = try #require(theirs[key] as? String)
            #expect(Timestamp.parse(a) == Timestamp.parse(b.replacingOccurrences(of: ".000Z", with: "Z")), "\(key): \(a) vs \(b)")
        }
        // Same people and contacts; ours also says in which role.
        let credits = try #require(ours["credits"] as? [[String: Any]])
        let expected = try #require(theirs["credits"] as? [[String: Any]])
        #expect(credits.map { $0["name"] as? String } == expected.map { $0["name"] as? String })
        #expect(credits.map { $0["contact"] as? [String] } == expected.map { $0["contact"] as? [String] })
        #expect(credits.map { $0["type"] as? String } == ["FINDER"])
        #expect(ours["summary"] as? String == Self.asDrupalDatabase.advisory.publicTitle)
    }

    @Test("every JSON export is written like Python's json.dumps(indent=2, sort_keys=True) with a final newline")
    func canonicalFormatting() throws {
        for (name, input) in ExportSamples.all {
            for format in [ExportFormat.osv, .cve, .csaf] {
                let text = try ExportSamples.render(format, input)
                let result = try Python.isCanonical(text)
                #expect(result.valid, "\(format) of \(name) is not in canonical form: \(result.output)")
                let ascii = text.unicodeScalars.allSatisfy { $0.isASCII }
                #expect(ascii, "non-ASCII must be escaped as \\uXXXX like the Drupal database")
            }
        }
        // The check itself can fail: unsorted keys, Foundation's " : " separator.
        #expect(try !Python.isCanonical("{\n  \"b\": 1,\n  \"a\": 2\n}\n").valid)
        #expect(try !Python.isCanonical("{\n  \"a\" : 1\n}\n").valid)
        let osv = try ExportSamples.render(.osv, ExportSamples.threeBranch)
        #expect(osv.contains("doesn\\u2019t"))
        #expect(try ExportSamples.render(.osv, ExportSamples.threeBranch) == osv, "the same input gives the same bytes")
    }

    @Test("the id is the SA id in OSV form, else the GHSA id, else the local id under x_", arguments: [
        ("SA-CONTRIB-2025-119", "GHSA-9v2f-6vcg-3hgv", "DRUPAL-CONTRIB-2025-119", ["CVE-2026-30003", "GHSA-9v2f-6vcg-3hgv"]),
        ("SA-CORE-2018-002", nil, "DRUPAL-CORE-2018-002", ["CVE-2026-30003"]),
        (nil, "GHSA-9v2f-6vcg-3hgv", "GHSA-9v2f-6vcg-3hgv", ["CVE-2026-30003"]),
        ("PSA-2026-01-14", nil, "x_ADV-2026-003", ["CVE-2026-30003"]),
        (nil, nil, "x_ADV-2026-003", ["CVE-2026-30003"]),
    ] as [(String?, String?, String, [String])])
    func idChoice(_ sa: String?, _ ghsa: String?, _ id: String, _ aliases: [String]) throws {
        var input = ExportSamples.minimal
        input.advisory.saID = sa
        input.advisory.ghsaID = ghsa
        let osv = try ExportSamples.json(try ExportSamples.render(.osv, input))
        #expect(osv["id"] as? String == id)
        #expect(osv["aliases"] as? [String] == aliases)
        let references = (osv["references"] as? [[String: String]])?.compactMap { $0["url"] } ?? []
        #expect(references.contains { $0.hasPrefix("https://www.drupal.org/sa-") } == (sa?.hasPrefix("SA-") ?? false))
    }

    @Test("'published' appears only once the advisory is published; 'modified' is the last update")
    func publishedOnlyWhenPublished() throws {
        var input = ExportSamples.singleBranch
        input.advisory.updatedAt = "2026-02-01T08:30:00+01:00"
        var osv = try ExportSamples.json(try ExportSamples.render(.osv, input))
        #expect(osv["published"] == nil)
        #expect(osv["modified"] as? String == "2026-02-01T07:30:00Z")
        input.advisory.status = .published
        osv = try ExportSamples.json(try ExportSamples.render(.osv, input))
        #expect(osv["published"] as? String == "2026-02-04T16:00:00Z")
    }

    @Test("CVSS vectors go to the top-level severity; without them affected[].severity is [] as in the database")
    func severityPlacement() throws {
        let both = try ExportSamples.json(try ExportSamples.render(.osv, ExportSamples.singleBranch))
        #expect((both["severity"] as? [[String: String]]) == [
            ["type": "CVSS_V3", "score": ExportSamples.critical31.vector], ["type": "CVSS_V4", "score": ExportSamples.cvss40.vector],
        ])
        let affected = try #require((both["affected"] as? [[String: Any]])?.first)
        #expect(affected["severity"] == nil)
        let database = try #require(both["database_specific"] as? [String: Any])
        #expect(database["cwe_ids"] as? [String] == ["CWE-862", "CWE-284"])
        #expect(database["security_risk"] as? String == ExportSamples.drupalRisk.display)

        let none = try ExportSamples.json(try ExportSamples.render(.osv, ExportSamples.minimal))
        #expect(none["severity"] == nil)
        #expect(((none["affected"] as? [[String: Any]])?.first?["severity"] as? [Any])?.isEmpty == true)
        #expect(none["database_specific"] == nil)
    }

    @Test("a legacy 8.x-1.x branch is written in Composer versions and sorted before 2.0.x")
    func legacyBranch() throws {
        let osv = try ExportSamples.json(try ExportSamples.render(.osv, ExportSamples.legacy))
        let affected = try #require((osv["affected"] as? [[String: Any]])?.first)
        let ranges = try #require(affected["ranges"] as? [[String: Any]])
        #expect(ranges.map { $0["events"] as? [[String: String]] } == [
            [["introduced": "0"], ["fixed": "1.6.0"]], [["introduced": "2.0.0"], ["fixed": "2.0.3"]],
        ])
        #expect((affected["database_specific"] as? [String: String])?["affected_versions"] == "<1.6.0 || >=2.0.0 <2.0.3")
        #expect((affected["package"] as? [String: String])?["name"] == "drupal/legacy_module")
        // Sorted by name, one entry per person and role.
        let credits = try #require(osv["credits"] as? [[String: Any]])
        #expect(credits.map { "\($0["name"] as? String ?? "")/\($0["type"] as? String ?? "")" } == [
            "Acme Sponsor/SPONSOR", "Ann Coordinator/COORDINATOR", "Carl Reviewer/REMEDIATION_REVIEWER", "Zed Finder/FINDER",
        ])
    }

    @Test("Composer versions of Drupal releases", arguments: [
        ("8.x-1.6", "1.6.0"), ("8.x-2.0-beta3", "2.0.0-beta3"), ("7.x-3.12", "3.12.0"), ("1.2.4", "1.2.4"), ("2.0.0-rc1", "2.0.0-rc1"),
    ])
    func composerVersions(_ drupal: String, _ composer: String) {
        #expect(Composer.version(drupal) == composer)
    }

    @Test("embargo's own OSV import reads the export back to the same fields")
    func roundTrip() throws {
        let input = ExportSamples.singleBranch
        let parsed = try OSVImport.parse(Array(try ExportSamples.render(.osv, input).utf8))
        #expect(parsed.osvID == "DRUPAL-CONTRIB-2026-010")
        #expect(parsed.input.saID == input.advisory.saID)
        #expect(parsed.input.cveID == input.advisory.cveID)
        #expect(parsed.input.publicTitle == input.advisory.publicTitle)
        #expect(parsed.input.description == input.advisory.description)
        #expect(parsed.input.cwes == ["CWE-862", "CWE-284"])
        #expect(parsed.input.cvssVectors == [ExportSamples.critical31.vector, ExportSamples.cvss40.vector])
        #expect(parsed.input.references == ["https://www.drupal.org/sa-contrib-2026-010"] + input.advisory.references)
    }

    @Test("a project without the drupal policy has no OSV ecosystem, and the error says how to set it")
    func nonDrupalProject() {
        #expect(throws: EmbargoError(.failure, "project libgreet has no OSV ecosystem: OSV export supports Drupal projects",
                                     hint: "if it is a Drupal project, run 'embargo project set libgreet --policy drupal'")) {
            try ExportSamples.render(.osv, ExportSamples.nonDrupal)
        }
    }

    @Test("no export without a release branch, nor with two branches fixed by the same version", arguments: ExportFormat.allCases)
    func releasesAreChecked(_ format: ExportFormat) {
        var input = ExportSamples.threeBranch
        input.releases = []
        #expect(throws: EmbargoError(.failure, "advisory ADV-2025-007 has no release branch to export",
                                     hint: "set its branches with 'embargo advisory edit ADV-2025-007 --branch BRANCH'")) {
            try ExportSamples.render(format, input)
        }
        input = ExportSamples.legacy
        input.releases[0].nextRelease = "1.6.0"
        let error = #expect(throws: EmbargoError.self) { try ExportSamples.render(format, input) }
        #expect(error?.message == "two branches of advisory ADV-2026-002 are fixed by the same version 1.6.0")
    }
}
