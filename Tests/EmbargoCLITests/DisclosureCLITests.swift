import EmbargoKit
import Foundation
import GRDB
import Testing

/// After the disclosure: amendments, the CVE record duty, the
/// pre-announcement and the emergency path, through the real CLI.
@Suite("after the disclosure")
struct DisclosureCLITests {
    /// A published advisory (its disclosure time is in January 2026).
    func published(_ box: Sandbox) throws -> PublishFixture {
        let fixture = try PublishFixture(box)
        try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        return fixture
    }

    func export(_ box: Sandbox, _ format: String) throws -> String {
        try box.ok(["export", "ADV-2026-001", "--format", format]).stdout
    }

    func validate(_ box: Sandbox, _ format: String, schema: URL, csaf: Bool = false) throws {
        let file = box.path("doc-\(format).json")
        try export(box, format).write(toFile: file, atomically: true, encoding: .utf8)
        let run = try ExportCLITests().validate(box, schema: schema.path, document: file, csaf: csaf)
        #expect(run.status == 0, "\(format) is not schema-valid: \(run.stdout) \(run.stderr)")
    }

    @Test func aPublishedAdvisoryIsAmendedWithAReasonAndEveryFormatShowsTheRevision() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try published(box)
        let before = try box.json(export(box, "osv"))
        // Without a reason, or touching what stayed private, an amendment is refused.
        #expect(try box.embargo(["advisory", "edit", "ADV-2026-001", "--cve-id", "CVE-2026-12345"]).status == 64)
        let privateTitle = try box.embargo(["advisory", "edit", "ADV-2026-001", "--title", "Renamed", "--reason", "tidy"])
        #expect(privateTitle.status == 3)
        #expect(privateTitle.stderr.contains("stayed private"))

        try box.ok(["advisory", "edit", "ADV-2026-001", "--cve-id", "CVE-2026-12345", "--description", "Titles were shown as given.",
                    "--reference", "https://www.drupal.org/sa-contrib-2026-099", "--reason", "CVE assigned"])
        try box.ok(["advisory", "edit", "ADV-2026-001", "--credit", "Jane Doe <jane@example.org>:FINDER", "--reason", "Credit corrected"])

        let after = try box.json(export(box, "osv"))
        #expect((after["aliases"] as? [String]) == ["CVE-2026-12345"])
        let modifiedBefore = try #require(before["modified"] as? String)
        let modifiedAfter = try #require(after["modified"] as? String)
        #expect(modifiedAfter > modifiedBefore)
        #expect(after["published"] as? String == before["published"] as? String)
        #expect((after["credits"] as? [[String: Any]])?.contains { $0["name"] as? String == "Jane Doe" } == true)

        let csaf = try box.json(export(box, "csaf"))
        let tracking = try #require((csaf["document"] as? [String: Any])?["tracking"] as? [String: Any])
        let history = try #require(tracking["revision_history"] as? [[String: Any]])
        #expect(history.map { $0["number"] as? String } == ["1", "2", "3"])
        #expect(history.map { $0["summary"] as? String } == ["Initial version.", "CVE assigned", "Credit corrected"])
        #expect(tracking["version"] as? String == "3")

        let sa = try export(box, "drupal")
        #expect(sa.contains("CVE IDs: CVE-2026-12345"))
        #expect(sa.contains("Updated: ") && sa.contains(": CVE assigned") && sa.contains(": Credit corrected"))
        let cve = try box.json(export(box, "cve"))
        #expect((cve["cveMetadata"] as? [String: Any])?["dateUpdated"] != nil)

        let fixtures = ExportCLITests.schemas.deletingLastPathComponent()
        try validate(box, "osv", schema: fixtures.appendingPathComponent("osv/schema.json"))
        try validate(box, "cve", schema: fixtures.appendingPathComponent("schemas/CVE_Record_Format_bundled.json"))
        try validate(box, "csaf", schema: fixtures.appendingPathComponent("schemas/csaf_json_schema.json"), csaf: true)
        try box.ok(["audit", "verify"])
    }

    @Test func theCVERecordIsDue72HoursAfterDisclosure() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try published(box)
        // Published in January: the CVE record is long overdue.
        let overdue = try box.embargo(["due"])
        #expect(overdue.status == 3)
        #expect(overdue.stdout.contains("ADV-2026-001") && overdue.stdout.contains("OVERDUE"))
        #expect(overdue.stderr.contains("run 'embargo cve request ADV-2026-001'"))

        // Published 73 hours ago: overdue; 71 hours ago: open, not overdue.
        func disclosed(hoursAgo: Double) throws {
            try box.tamper(as: "alice") { db, _ in
                try db.execute(sql: "UPDATE advisories SET disclosure_at = ?", arguments: [Timestamp.string(Date() - hoursAgo * 3600)])
            }
        }
        try disclosed(hoursAgo: 73)
        #expect(try box.embargo(["due"]).status == 3)
        try disclosed(hoursAgo: 71)
        let open = try box.ok(["due", "--json"])
        let duties = try #require(try box.json(open.stdout)["duties"] as? [[String: Any]])
        #expect(duties.map { $0["kind"] as? String } == ["cve-record"])
        #expect(duties.first?["overdue"] as? Bool == false)
        let timeline = try box.ok(["timeline", "ADV-2026-001"]).stdout
        #expect(timeline.contains("CVE record due in 24 h"))
        #expect(timeline.contains("CVE record published (72 h after disclosure)"))
        try disclosed(hoursAgo: 73)

        // The request prints what the CNA asks for, and is recorded.
        let form = try box.ok(["cve", "request", "ADV-2026-001", "--to", "Drupal CNA"]).stdout
        for field in ["Product: drupal/sample_module", "Affected versions: <1.0.2 || >=1.1.0 <1.1.1", "Fixed versions: 1.0.2, 1.1.1",
                      "Description:", "References:", "Credits:"] {
            #expect(form.contains(field), "the CVE request lacks \(field):\n\(form)")
        }
        #expect(try box.embargo(["cve", "published", "ADV-2026-001"]).status == 3)
        try box.ok(["cve", "request", "ADV-2026-001", "--cve-id", "CVE-2026-12346"])
        try box.ok(["cve", "published", "ADV-2026-001", "--url", "https://www.cve.org/CVERecord?id=CVE-2026-12346"])
        let done = try box.ok(["due"])
        #expect(done.stdout.contains("no open duties"))
        let events = try box.ok(["timeline", "ADV-2026-001"]).stdout
        #expect(events.contains("CVE requested from Drupal CNA"))
        #expect(events.contains("CVE record CVE-2026-12346 published"))
        try box.ok(["audit", "verify"])
    }

    @Test func aPreAnnouncementSaysWhenAndHowSevereAndNothingElse() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try ReleaseFixture(box)  // scheduled for 2027-01-06 16:00 UTC
        let text = try box.ok(["announce", "ADV-2026-001", "--pre"]).stdout
        #expect(text.contains("sample_module"))
        #expect(text.contains("2027-01-06 16:00 UTC"))
        #expect(text.contains("Highest severity: Critical"))
        #expect(text.contains("for branches 1.0.x and 1.1.x"))
        for secret in ["escaped", "Page title", "Cross site", "XSS", "htmlspecialchars"] {
            #expect(!text.localizedCaseInsensitiveContains(secret))
        }
        #expect(try box.ok(["timeline", "ADV-2026-001"]).stdout.contains("pre-announcement written"))
        // Later than 24 hours before the release it is refused.
        let soon = Timestamp.string(Date() + 2 * 3600)
        try box.ok(["schedule", "ADV-2026-001", "--at", soon, "--allow-violation", "testing a late pre-announcement"])
        let late = try box.embargo(["announce", "ADV-2026-001", "--pre"])
        #expect(late.status == 3)
        #expect(late.stderr.contains("at least 24 hours before the release"))
    }

    @Test func aBrokenEmbargoPublishesWithoutWaitingAndSaysWhy() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)  // scheduled for 2027-01-06 16:00 UTC
        try release.approvedPrerelease()
        let waiting = try box.embargo(["publish", "ADV-2026-001", "--out", box.path("public")])
        #expect(waiting.status == 3)

        let broken = try box.ok(["broken", "ADV-2026-001", "--reason", "the patch was posted on a public issue"])
        #expect(broken.stdout.contains("tell the security team"))
        #expect(broken.stdout.contains("embargo announce ADV-2026-001 --pre"))
        #expect(broken.stdout.contains("embargo publish ADV-2026-001"))
        #expect(try box.ok(["timeline", "ADV-2026-001"]).stdout.contains("embargo broken, emergency release: the patch was posted on a public issue"))
        // Even a pre-announcement right before the release is allowed now.
        try box.ok(["announce", "ADV-2026-001", "--pre"])

        try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        #expect(try box.run("git", ["ls-remote", release.sample.remote.path]).stdout.contains("refs/tags/1.0.2"))
        let audit = try box.json(box.ok(["audit", "--advisory", "ADV-2026-001", "--json"]).stdout)["entries"] as? [[String: Any]] ?? []
        #expect(audit.contains { $0["action"] as? String == "advisory.broken" && $0["detail"] as? String == "the patch was posted on a public issue" })
        #expect(audit.contains { $0["action"] as? String == "publish.checked" && ($0["detail"] as? String ?? "").contains("early: embargo broken") })
        try box.ok(["audit", "verify"])
    }
}

extension DisclosureCLITests {
    /// Every real Drupal advisory imports and exports again with its aliases,
    /// affected ranges, fixed versions, credits and references as given.
    @Test func realDrupalAdvisoriesSurviveImportAndExport() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.storeWithProject(branches: ["1.0.x"])
        let folder = ExportCLITests.repo.appendingPathComponent("Tests/Fixtures/drupal-osv")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 13)
        func ranges(_ document: [String: Any]) -> [[String: String]] {
            ((document["affected"] as? [[String: Any]]) ?? []).flatMap { ($0["ranges"] as? [[String: Any]]) ?? [] }
                .flatMap { ($0["events"] as? [[String: String]]) ?? [] }
        }
        func urls(_ document: [String: Any]) -> Set<String> {
            Set(((document["references"] as? [[String: Any]]) ?? []).compactMap { $0["url"] as? String })
        }
        func credits(_ document: [String: Any]) -> Set<String> {
            Set(((document["credits"] as? [[String: Any]]) ?? []).map { "\($0["name"] ?? "") \(($0["contact"] as? [String]) ?? [])" })
        }
        for (index, file) in files.enumerated() {
            let path = folder.appendingPathComponent(file).path
            let original = try box.json(String(contentsOfFile: path, encoding: .utf8))
            let imported = try box.json(box.ok(["advisory", "import", path, "--project", "ai", "--json"]).stdout)
            let id = try #require((imported["advisory"] as? [String: Any])?["id"] as? String)
            #expect(id == String(format: "ADV-2026-%03d", index + 1))
            let exported = try box.ok(["export", id, "--format", "osv", "--draft"]).stdout
            let again = try box.json(exported)
            #expect(again["id"] as? String == original["id"] as? String, "\(file)")
            #expect(again["aliases"] as? [String] == original["aliases"] as? [String], "\(file)")
            #expect(ranges(again) == ranges(original), "\(file): ranges")
            #expect(urls(again) == urls(original), "\(file): references")
            #expect(credits(again) == credits(original), "\(file): credits")
            #expect((again["published"] as? String)?.prefix(19) == (original["published"] as? String)?.prefix(19), "\(file): published")
            let affectedVersions = { (document: [String: Any]) in
                ((document["affected"] as? [[String: Any]])?.first?["database_specific"] as? [String: Any])?["affected_versions"] as? String
            }
            #expect(affectedVersions(again) == affectedVersions(original), "\(file): affected versions")
            try exported.write(toFile: box.path("again.json"), atomically: true, encoding: .utf8)
            let schema = ExportCLITests.schemas.deletingLastPathComponent().appendingPathComponent("osv/schema.json")
            #expect(try ExportCLITests().validate(box, schema: schema.path, document: box.path("again.json")).status == 0, "\(file): schema")
            // A second import of the same record is refused; --update takes it again.
            let twice = try box.embargo(["advisory", "import", path, "--project", "ai"])
            #expect(twice.status == 3)
            #expect(twice.stderr.contains("was imported already, as \(id)"))
            if index == 0 { try box.ok(["advisory", "import", path, "--project", "ai", "--update"]) }
        }
    }
}

extension DisclosureCLITests {
    @Test func aBranchWithoutAReleaseIsNamedNotExportedAsAnEmptyRange() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let repo = try box.makeRepository(branches: ["1.0.x", "2.0.x"])
        try box.git(["-C", repo.path, "checkout", "--quiet", "1.0.x"])
        try box.git(["-C", repo.path, "tag", "1.0.0"])
        try box.ok(["project", "add", "ai", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x", "--branch", "2.0.x"])
        try box.ok(["advisory", "create", "--project", "ai", "--title", "Greeting", "--description", "d"])
        let run = try box.embargo(["export", "ADV-2026-001", "--format", "osv", "--draft"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("branch 2.0.x of advisory ADV-2026-001 has no release tag yet"))
        #expect(!run.stdout.contains(">=2.0.0 <2.0.0"))
    }
}

extension DisclosureCLITests {
    /// GitHub's REST form of an advisory imports with its ranges, fixed
    /// versions, credits and CWE; its CVSS 3.0 vector is scored as 3.0 and
    /// exported as 3.0 in OSV, CVE and CSAF, each schema-valid.
    @Test func aGitHubRestAdvisoryImportsWithItsRangesAndCVSS30() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let repo = try box.makeRepository(branches: ["1.0.x", "1.1.x"])
        try box.ok(["project", "add", "sample", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x", "--branch", "1.1.x"])
        let path = ExportCLITests.repo.appendingPathComponent("Tests/Fixtures/github/GHSA-7q4r-m3jc-2w8h.json").path
        try box.ok(["advisory", "import", path, "--project", "sample"])

        let shown = try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)
        let advisory = (shown["advisory"] as? [String: Any]) ?? shown
        #expect(advisory["ghsa_id"] as? String == "GHSA-7q4r-m3jc-2w8h")
        #expect(advisory["cve_id"] as? String == "CVE-2025-31337")
        let severities = (advisory["severity"] as? [[String: Any]]) ?? []
        #expect(severities.contains { $0["kind"] as? String == "cvss_v3.0" && $0["score"] as? String == "5.4" },
                "the 3.0 vector is scored as 3.0: \(severities)")
        let human = try box.ok(["advisory", "show", "ADV-2026-001"]).stdout
        #expect(human.contains("5.4 Medium CVSS:3.0/"))

        let osv = try box.json(box.ok(["export", "ADV-2026-001", "--format", "osv", "--draft"]).stdout)
        #expect(osv["id"] as? String == "GHSA-7q4r-m3jc-2w8h")
        #expect(osv["published"] as? String == "2025-04-02T18:11:40Z")
        let events = ((osv["affected"] as? [[String: Any]]) ?? []).flatMap { ($0["ranges"] as? [[String: Any]]) ?? [] }
            .flatMap { ($0["events"] as? [[String: String]]) ?? [] }
        #expect(events == [["introduced": "0"], ["fixed": "1.0.3"], ["introduced": "1.1.0"], ["fixed": "1.1.2"]])
        #expect((osv["severity"] as? [[String: String]])?.first?["score"] == "CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N")
        let credits = ((osv["credits"] as? [[String: Any]]) ?? []).map { "\($0["name"] ?? "") \($0["type"] ?? "")" }
        #expect(Set(credits) == ["mira-sec REPORTER", "jdoe REMEDIATION_DEVELOPER"])
        let references = ((osv["references"] as? [[String: Any]]) ?? []).compactMap { $0["url"] as? String }
        #expect(references.contains("https://github.com/advisories/GHSA-7q4r-m3jc-2w8h"))
        #expect(references.contains("https://www.drupal.org/sa-contrib-2025-042"))

        let schemas = ExportCLITests.schemas
        let exports: [(format: String, schema: String, csaf: Bool)] = [
            ("osv", schemas.deletingLastPathComponent().appendingPathComponent("osv/schema.json").path, false),
            ("cve", schemas.appendingPathComponent("CVE_Record_Format_bundled.json").path, false),
            ("csaf", schemas.appendingPathComponent("csaf_json_schema.json").path, true),
        ]
        for export in exports {
            let text = try box.ok(["export", "ADV-2026-001", "--format", export.format, "--draft"]).stdout
            try text.write(toFile: box.path("\(export.format).json"), atomically: true, encoding: .utf8)
            let run = try ExportCLITests().validate(box, schema: export.schema, document: box.path("\(export.format).json"), csaf: export.csaf)
            #expect(run.status == 0, "\(export.format): \(run.stdout) \(run.stderr)")
            if export.format == "cve" { #expect(text.contains("\"cvssV3_0\"") && text.contains("\"version\": \"3.0\"")) }
            if export.format == "csaf" { #expect(text.contains("\"version\": \"3.0\"")) }
        }

        // The same advisory, whether from the REST API or its OSV form, is one import.
        let again = try box.embargo(["advisory", "import", path, "--project", "sample"])
        #expect(again.status == 3)
        #expect(again.stderr.contains("GHSA-7q4r-m3jc-2w8h was imported already, as ADV-2026-001"))
        #expect(try box.ok(["advisory", "import", path, "--project", "sample", "--update"]).status == 0)
        try box.ok(["audit", "verify"])
    }

    @Test func aGitHubRestAdvisoryWithAnUnreadableRangeIsRefused() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let repo = try box.makeRepository(branches: ["1.0.x"])
        try box.ok(["project", "add", "sample", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"])
        let document = """
            {"ghsa_id": "GHSA-7q4r-m3jc-2w8h", "summary": "s", "updated_at": "2025-04-09T07:02:15Z",
             "vulnerabilities": [{"vulnerable_version_range": "1.0 through 1.2", "first_patched_version": "1.0.3"}]}
            """
        try document.write(toFile: box.path("bad.json"), atomically: true, encoding: .utf8)
        let run = try box.embargo(["advisory", "import", box.path("bad.json"), "--project", "sample"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("vulnerable range '1.0 through 1.2' embargo cannot read"))
        #expect(!(try box.ok(["advisory", "list", "--json"]).stdout.contains("GHSA-7q4r-m3jc-2w8h")), "nothing was imported")
    }
}
