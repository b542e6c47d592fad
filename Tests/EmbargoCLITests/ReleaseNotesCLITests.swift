import EmbargoKit
import Foundation
import Testing

@Suite("release notes and the people credited, through the CLI")
struct ReleaseNotesCLITests {
    /// `embargo notes` reads both drupal.org message formats from the release
    /// branch, and the organizations from the credits the team imported.
    @Test func notesReadBothFormatsAndTheTeamsCredits() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        let repo = release.repo
        try box.git(["-C", repo.path, "checkout", "--quiet", "1.1.x"])
        for (subject, body) in [
            ("feat: #3500001 Greet in French (Breaking Change)",
             "By: ann\nBy: @Bob\nBy: ann\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)"),
            ("fix: #3500002 Keep the greeting short", "By: bob"),
            ("Issue #3500003 by cy, ann: Tidy the README", ""),
        ] {
            try box.git(["-C", repo.path, "commit", "--quiet", "--allow-empty", "-m", subject] + (body.isEmpty ? [] : ["-m", body]))
        }
        try box.git(["-C", repo.path, "push", "--quiet", "origin", "1.1.x"])
        try box.ok(["patch", "verify", "ADV-2026-001"])
        let credits = box.root.appendingPathComponent("credits.csv")
        try "username,organization,display name\nann,Acme\nbob,Acme\ncy,\"Beta, Inc.\"\nmaintainer,Gamma,Sample Maintainer\n"
            .write(to: credits, atomically: true, encoding: .utf8)
        #expect(try box.ok(["people", "import", credits.path]).stdout == "imported credits.csv: 4 added, 0 changed, 0 unchanged\n")

        let notes = try box.ok(["notes", "ADV-2026-001"]).stdout
        // 1.0.2 first, then 1.1.1: the three new commits and the security fix applied on top (its own neutral message).
        let section = try #require(notes.range(of: "## 1.1.1\n")).lowerBound
        let branch = String(notes[section...])
        #expect(branch.contains("Issues resolved since 1.1.0: 4\n"))
        #expect(branch.contains("""
            ### Contributors (4)

            - [ann](https://www.drupal.org/u/ann) (2)
            - [Bob](https://www.drupal.org/u/bob) (2)
            - [cy](https://www.drupal.org/u/cy) (1)
            - [maintainer](https://www.drupal.org/u/maintainer) (1)

            ### New Features

            - [#3500001](https://www.drupal.org/i/3500001): Greet in French

            ### Bugs

            - [#3500002](https://www.drupal.org/i/3500002): Keep the greeting short

            ### Changes

            - [#3500003](https://www.drupal.org/i/3500003): Tidy the README
            - [#3400030](https://www.drupal.org/i/3400030): Tidy the page title

            ### Upgrade Path

            - [#3500001](https://www.drupal.org/i/3500001): Greet in French

            ### Organizations (3)

            - Acme (3)
            - Beta, Inc. (1)
            - Gamma (1)

            ### Stats

            - Contributors: 4
            - Organizations: 3
            - Issues: 4
            - Commits: 4

            """))
        #expect(!notes.contains("cherry picked"))
        let html = try box.ok(["notes", "ADV-2026-001", "--format", "html"]).stdout
        #expect(html.contains("<li><a href=\"https://www.drupal.org/u/ann\">ann</a> (2)</li>"))
        #expect(html.contains("<h3>Organizations (3)</h3>\n<ul>\n<li>Acme (3)</li>\n<li>Beta, Inc. (1)</li>"))

        // The notes follow the credits as they are now: ann's entries go to her new organization.
        try box.ok(["people", "set", "ann", "--org", "Delta"])
        let again = try box.ok(["notes", "ADV-2026-001"]).stdout
        #expect(again.contains("### Organizations (4)\n\n- Acme (2)\n- Delta (2)\n- Beta, Inc. (1)\n- Gamma (1)\n"))
    }

    @Test func peopleAreImportedSetListedAndAudited() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let file = "# credits\nlongwave,Acme,Dave Long\ncatch,\"Example, Ltd.\"\nxjm,\n"
        #expect(try box.run(embargoBinary.path, ["people", "import", "-"], stdin: file).stdout
            == "imported standard input: 3 added, 0 changed, 0 unchanged\n")
        // The same file again changes nothing and writes no audit entry.
        let before = try box.ok(["audit", "list"]).stdout
        try box.run(embargoBinary.path, ["people", "import", "-"], stdin: file)
        #expect(try box.ok(["audit", "list"]).stdout == before)
        #expect(try box.ok(["people", "set", "XJM", "--org", "Acme", "--name", "Jess"]).stdout == "XJM: organization Acme, display name Jess\n")
        try box.ok(["people", "set", "catch", "--org", ""])
        let list = try box.json(box.ok(["people", "list", "--json"]).stdout)
        #expect(list["format_version"] as? Int == 1)
        let people = try #require(list["people"] as? [[String: Any]])
        #expect(people.map { $0["username"] as? String } == ["catch", "longwave", "XJM"])
        #expect(people.map { $0["organization"] as? String } == [nil, "Acme", "Acme"])
        #expect(people.map { $0["display_name"] as? String } == [nil, "Dave Long", "Jess"])
        #expect(people[0].keys.sorted() == ["display_name", "organization", "username"])
        let audit = try box.ok(["audit", "list"]).stdout
        #expect(audit.contains("people.import") && audit.contains("people.set"))
        try box.ok(["audit", "verify"])

        // A bad file changes nothing and names its line.
        let bad = try box.run(embargoBinary.path, ["people", "import", "-"], stdin: "ann,Acme\nbob,Acme,Bob,extra\n")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("embargo: error: line 2 of the people file has 4 fields"))
        #expect(try box.json(box.ok(["people", "list", "--json"]).stdout)["people"].flatMap { ($0 as? [Any])?.count } == 3)
        #expect(try box.embargo(["people", "set", "ann"]).status == 64)

        // Credits are project settings: a QA member may read them, not change them.
        try box.addMember("quinn", role: "qa")
        let refused = try box.embargo(["people", "set", "ann", "--org", "Acme", "--identity", box.path("quinn.identity")])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("needs role admin or preparer"))
        try box.ok(["people", "list", "--identity", box.path("quinn.identity")])
    }

    /// A credit changed on one machine reaches the team's other machines (the
    /// merge knows the people table and the entry that accounts for it).
    @Test func peopleReachTheTeam() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        try team["alice"].run(embargoBinary.path, ["people", "import", "-"], stdin: "ann,Acme\n")
        try team["alice"].ok(["store", "sync"])
        try team["bob"].ok(["store", "sync"])
        try team["bob"].ok(["people", "set", "ann", "--org", "Beta"])
        try team["bob"].ok(["store", "sync"])
        try team["alice"].ok(["store", "sync"])
        for name in ["alice", "bob"] {
            let list = try team[name].json(team[name].ok(["people", "list", "--json"]).stdout)
            #expect((list["people"] as? [[String: Any]])?.first?["organization"] as? String == "Beta", "\(name)")
            try team[name].ok(["audit", "verify"])
        }
    }
}
