import Foundation
import Testing

@Suite("advisories, schedule and calendar through the CLI")
struct AdvisoryCLITests {
    /// A store with alice (admin) and a project `ai` on a repository with release tags.
    func setUp(_ box: Sandbox, policy: String = "drupal") throws -> URL {
        try box.initStore()
        let repo = try box.makeRepository(branches: ["1.0.x", "1.1.x"])
        for (branch, tags) in [("1.0.x", ["1.0.0", "1.0.1"]), ("1.1.x", ["1.1.0-beta1", "1.1.0", "1.1.1"])] {
            try box.git(["-C", repo.path, "checkout", "--quiet", branch])
            for tag in tags {
                try box.git(["-C", repo.path, "commit", "--quiet", "--allow-empty", "-m", "Release \(tag)"])
                try box.git(["-C", repo.path, "tag", tag])
            }
        }
        try box.ok(["project", "add", "ai", "--repo", repo.path, "--remote", "origin",
                    "--branch", "1.0.x", "--branch", "1.1.x", "--policy", policy])
        return repo
    }

    func create(_ box: Sandbox, _ extra: [String] = []) throws -> [String: Any] {
        let run = try box.ok(["advisory", "create", "--project", "ai", "--title", "Chatbot forgery", "--json"] + extra)
        return try #require(try box.json(run.stdout)["advisory"] as? [String: Any])
    }

    @Test func createShowListEditWithSeverity() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try setUp(box)
        let created = try create(box, [
            "--type", "Cross Site Request Forgery", "--cwe", "CWE-352", "--reporter", "Jane Doe <https://www.drupal.org/u/jane>",
            "--reported-at", "2026-11-01", "--risk", "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon",
            "--cvss", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", "--sa-id", "SA-CONTRIB-2026-001",
        ])
        #expect(created["id"] as? String == "ADV-2026-001")
        #expect(created["status"] as? String == "draft")
        #expect(created["branches"] as? [String] == ["1.0.x", "1.1.x"])
        #expect(created["cwes"] as? [Int] == [352])
        #expect(created["reported_at"] as? String == "2026-11-01T00:00:00Z")
        let severity = try #require(created["severity"] as? [[String: Any]])
        #expect(severity.first?["display"] as? String == "Moderately critical 12/25 AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon")
        #expect(severity.last?["score"] as? String == "5.4")
        #expect(severity.last?["rating"] as? String == "Medium")

        let second = try create(box, ["--branch", "1.1.x"])
        #expect(second["id"] as? String == "ADV-2026-002")
        #expect(second["branches"] as? [String] == ["1.1.x"])

        try box.ok(["advisory", "edit", "ADV-2026-001", "--cvss", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                    "--cve-id", "cve-2026-12345"])
        let shown = try #require(try box.json(box.ok(["advisory", "show", "adv-2026-001", "--json"]).stdout)["advisory"] as? [String: Any])
        #expect(shown["cve_id"] as? String == "CVE-2026-12345")
        #expect(shown["cvss31_vector"] as? String == "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N")
        #expect((shown["severity"] as? [[String: Any]])?.count == 3)
        let table = try box.ok(["advisory", "show", "ADV-2026-001"]).stdout
        #expect(table.contains("cvss_v4.0") && table.contains("9.3 Critical"))

        let list = try box.json(box.ok(["advisory", "list", "--project", "ai", "--status", "draft", "--json"]).stdout)
        #expect((list["advisories"] as? [[String: Any]])?.count == 2)
        #expect(try box.ok(["advisory", "list"]).stdout.contains("Moderately critical 12/25"))
    }

    @Test func badInputGetsClearErrors() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try setUp(box)
        _ = try create(box)
        let cases: [([String], Int32, String)] = [
            (["advisory", "show", "ADV-2026-099"], 1, "advisory ADV-2026-099 not found"),
            (["advisory", "create", "--project", "nope", "--title", "x"], 1, "project nope not found"),
            (["advisory", "edit", "ADV-2026-001", "--risk", "AC:Basic/A:User/CI:Sometimes/II:Some/E:Theoretical/TD:Uncommon"], 64, "CI"),
            (["advisory", "edit", "ADV-2026-001", "--cvss", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"], 64, "AV"),
            (["advisory", "edit", "ADV-2026-001", "--cvss", "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P"], 64, "CVSS:2.0"),
            (["advisory", "edit", "ADV-2026-001", "--reported-at", "yesterday"], 64, "not a date"),
            (["advisory", "edit", "ADV-2026-001", "--branch", "9.x"], 1, "not a release branch"),
            (["advisory", "edit", "ADV-2026-001", "--cwe", "XSS"], 64, "not a CWE id"),
            (["advisory", "status", "ADV-2026-001", "published"], 3, "set by 'publish', not by hand"),
            (["advisory", "status", "ADV-2026-001", "ready"], 3, "cannot go from draft to ready"),
            (["schedule", "ADV-2026-001", "--at", "someday"], 64, "not a time"),
            (["schedule", "ADV-2026-001", "--at", "2026-12-02T16:00Z", "--tz", "Mars/Base"], 64, "unknown time zone"),
            (["project", "set", "ai", "--policy", "drupal,nasa"], 64, "unknown policy profile 'nasa'"),
        ]
        let storeFile = box.store.appendingPathComponent("store.embargo")
        for (arguments, status, message) in cases {
            let before = try Data(contentsOf: storeFile)
            let run = try box.embargo(arguments)
            #expect(run.status == status, "\(arguments): \(run.stderr)")
            #expect(run.stderr.hasPrefix("embargo: error: ") && run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(try Data(contentsOf: storeFile) == before, "\(arguments) changed the store")
        }
    }

    @Test func lifecycleAndTimeline() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try setUp(box)
        _ = try create(box)
        for status in ["confirmed", "fixing", "ready"] {
            try box.ok(["advisory", "status", "ADV-2026-001", status, "--note", "moving on"])
        }
        try box.ok(["advisory", "note", "ADV-2026-001", "security team asked for a backport"])
        let timeline = try box.json(box.ok(["timeline", "ADV-2026-001", "--json"]).stdout)["schedule"] as? [String: Any]
        let events = try #require(timeline?["events"] as? [[String: Any]])
        #expect(events.map { $0["kind"] as? String } == ["created", "status", "status", "status", "note"])
        #expect(events[3]["summary"] as? String == "status fixing -> ready: moving on")
        try box.ok(["advisory", "status", "ADV-2026-001", "withdrawn"])
        #expect(try box.embargo(["advisory", "status", "ADV-2026-001", "fixing"]).status == 3)
    }

    @Test func searchIsFullTextOverTheEncryptedStore() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try setUp(box)
        _ = try create(box, ["--reporter", "Zelda Quux", "--description", "The deepchat endpoint lacks a token."])
        _ = try box.ok(["advisory", "create", "--project", "ai", "--title", "Other problem", "--json"])
        let found = try box.json(box.ok(["advisory", "search", "deepch", "--json"]).stdout)["advisories"] as? [[String: Any]]
        #expect(found?.map { $0["id"] as? String } == ["ADV-2026-001"])
        let byPerson = try box.json(box.ok(["advisory", "search", "zelda", "--json"]).stdout)["advisories"] as? [[String: Any]]
        #expect(byPerson?.count == 1)
        let none = try box.json(box.ok(["advisory", "search", "nothing-like-this", "--json"]).stdout)["advisories"] as? [[String: Any]]
        #expect(none?.isEmpty == true)
        // The words are nowhere on disk.
        for file in box.files(under: box.store) {
            #expect(!contains(try Data(contentsOf: file), "deepchat"))
        }
    }

    @Test func importFromOSV() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try setUp(box)
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
        let github = fixtures.appendingPathComponent("osv/GHSA-9v2f-6vcg-3hgv.json").path
        let imported = try box.json(box.ok(["advisory", "import", github, "--project", "ai", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(imported?["ghsa_id"] as? String == "GHSA-9v2f-6vcg-3hgv")
        #expect(imported?["cve_id"] as? String == "CVE-2024-39236")
        #expect(imported?["cwes"] as? [Int] == [94])
        #expect(imported?["cvss31_vector"] as? String == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
        #expect(imported?["status"] as? String == "draft")

        let drupal = fixtures.appendingPathComponent("drupal-osv/DRUPAL-CONTRIB-2025-003.json").path
        let second = try box.json(box.ok(["advisory", "import", drupal, "--project", "ai", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(second?["sa_id"] as? String == "SA-CONTRIB-2025-003")
        #expect((second?["credits"] as? [[String: Any]])?.first?["name"] as? String == "Marcus Johansson")

        let junk = box.path("junk.json")
        try "{\"not\": \"osv\"}".write(toFile: junk, atomically: true, encoding: .utf8)
        let bad = try box.embargo(["advisory", "import", junk, "--project", "ai"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("no \"id\""))
    }

    @Test func scheduleNextWindowViolationsAndCalendar() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try setUp(box, policy: "drupal,project-zero")
        _ = try create(box, ["--reported-at", "2026-01-01"])
        // A Friday evening breaks the drupal rules and is past project zero's 90 days: refused.
        let refused = try box.embargo(["schedule", "ADV-2026-001", "--at", "2027-01-08T21:00Z"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("drupal.wednesday: security releases go out on Wednesdays"))
        // With a reason it is accepted, and the reason is on the timeline.
        try box.ok(["schedule", "ADV-2026-001", "--at", "2027-01-08T21:00Z", "--allow-violation", "reporter agreed to wait"])
        let timeline = try box.json(box.ok(["timeline", "ADV-2026-001", "--json"]).stdout)["schedule"] as? [String: Any]
        let violations = try #require(timeline?["violations"] as? [[String: Any]])
        #expect(Set(violations.compactMap { $0["rule"] as? String }) == ["wednesday", "window", "90-days"])
        let events = try #require(timeline?["events"] as? [[String: Any]])
        #expect(events.last?["summary"] as? String == "allowed drupal/wednesday, drupal/window, project-zero/90-days: reporter agreed to wait")
        #expect(try box.ok(["timeline", "ADV-2026-001"]).stdout.contains("violations:"))

        // --next-window picks a Wednesday at 16:00 UTC (project zero's deadline has passed, which stays visible).
        let next = try box.json(box.ok(["schedule", "ADV-2026-001", "--next-window", "--allow-violation", "late", "--json"]).stdout)["schedule"] as? [String: Any]
        let disclosure = try #require((next?["disclosure_at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        #expect(calendar.component(.weekday, from: disclosure) == 4)
        #expect(calendar.component(.hour, from: disclosure) == 16)
        #expect(disclosure > Date())

        let local = try box.ok(["timeline", "ADV-2026-001", "--tz", "America/New_York"]).stdout
        #expect(local.contains("America/New_York (UTC-05:00)") || local.contains("America/New_York (UTC-04:00)"))

        let ics = box.path("deadlines.ics")
        try box.ok(["calendar", "--ics", ics])
        let text = try String(contentsOfFile: ics, encoding: .utf8)
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(text.contains("SUMMARY:ADV-2026-001: pre-release ready for the security team"))
        #expect(text.components(separatedBy: "BEGIN:VEVENT").count - 1 == 4)
        #expect(!text.contains("Chatbot"), "the calendar must not carry embargoed text")
        let mode = try FileManager.default.attributesOfItem(atPath: ics)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Every line is CRLF-terminated and at most 75 octets, and a real iCalendar parser reads the events.
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75) }
        let parsed = try box.run("python3", ["-c", """
            import sys, icalendar
            calendar = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
            events = calendar.walk('VEVENT')
            print(len(events), sorted(str(e['UID']) for e in events)[0], events[0].decoded('DTSTART').tzname())
            """, ics])
        #expect(parsed.status == 0, "python icalendar cannot read the calendar (pip install icalendar): \(parsed.stderr)")
        #expect(parsed.stdout.hasPrefix("4 ADV-2026-001-drupal-prerelease@embargo UTC"), "\(parsed.stdout)")
        let listed = try box.json(box.ok(["calendar", "--json"]).stdout)["deadlines"] as? [[String: Any]]
        #expect(listed?.count == 4)
    }
}
