@testable import EmbargoKit
import EmbargoStore
import Foundation
import Testing

/// The real drupal/core commits of Tests/Fixtures/drupal-notes (see its README).
enum DrupalNotesFixture {
    static let folder = "drupal-notes"
    static let previous = "11.2.5"
    static let version = "11.2.9"
    /// 2025-12-04, the day drupal.org released 11.2.9.
    static let date = Date(timeIntervalSince1970: 1_764_806_400)

    struct Entry: Decodable {
        var commit: String
        var author: String
        var subject: String
        var body: String
    }

    static func entries() throws -> [Entry] {
        try Repo.fixture("\(folder)/commits.jsonl").split(separator: "\n").map {
            try JSONDecoder().decode(Entry.self, from: Data($0.utf8))
        }
    }

    static func people() throws -> PeopleDirectory {
        PeopleDirectory(try PeopleDirectory.parse(try Repo.fixture("\(folder)/credits.csv")))
    }

    /// A repository whose history between the tags `previous` and `version`
    /// is the fixture's commits, with their exact messages and authors.
    static func makeRepository(at root: URL, runner: ProcessRunner) throws -> Git {
        let git = Git(repository: root, runner: runner, environment: SampleProject.gitEnvironment())
        _ = try git.output(["init", "--quiet", "--initial-branch=11.2.x"])
        _ = try git.output(["commit", "--quiet", "--allow-empty", "-m", "Drupal \(previous)"])
        _ = try git.output(["tag", previous])
        for entry in try entries() {
            let message = entry.subject + (entry.body.isEmpty ? "" : "\n\n" + entry.body) + "\n"
            // `whitespace`: keep lines that start with '#', as drupal.org's own commits do.
            let result = try git.run(["commit", "--quiet", "--allow-empty", "--cleanup=whitespace", "--author",
                                      "\(entry.author) <\(entry.author.replacingOccurrences(of: " ", with: "."))@example.org>", "-F", "-"],
                                     input: Array(message.utf8))
            guard result.status == 0 else { throw EmbargoError(.failure, "git commit failed: \(result.stderrText)") }
        }
        _ = try git.output(["tag", version])
        return git
    }
}

@Suite("release notes")
struct ReleaseNotesTests {
    func parse(_ subject: String, _ body: String = "", author: String = "someone") -> ReleaseNotes.ParsedCommit {
        ReleaseNotes.parse(NoteCommit(subject: subject, body: body, author: author))
    }

    func notes(_ commits: [NoteCommit], people: PeopleDirectory? = nil, upgradePaths: [Int: String] = [:]) -> ReleaseNotes {
        ReleaseNotes(project: "ai", version: "1.2.4", previous: "1.2.3", date: DrupalNotesFixture.date, commits: commits,
                     people: people, upgradePaths: upgradePaths)
    }

    // MARK: Parsing

    @Test func theNewFormatCreditsEveryByLineOnceAndIgnoresCherryPickLines() {
        let parsed = parse("fix: #3539508 form-data: Usage of unsafe random function",
                           "By: astonvictor\nBy: @immaculatexavier\nBy: Astonvictor\nBy: emixaam\n(cherry picked from commit c69a0abdee3a4c218f4924dbcd8fdf546bf8e096)")
        #expect(parsed.type == "fix")
        #expect(parsed.number == 3539508)
        // The summary keeps its own colon; a leading '@' is not part of the name; a name is case-insensitive.
        #expect(parsed.summary == "form-data: Usage of unsafe random function")
        #expect(parsed.credited == ["astonvictor", "immaculatexavier", "emixaam"])
        #expect(!parsed.breaking)
    }

    @Test func theOldFormatSplitsItsNamesAndDropsDuplicates() {
        let parsed = parse("Issue #3548313 by ericpoir, klausi, liam morland,  dmitry.korhov, klausi: Updating to 10.5.3 causes gateway timeouts",
                           "(cherry picked from commit dd84382862d58866bf0bb0c72337883e59e5d957)")
        #expect(parsed.type == nil)
        #expect(parsed.number == 3548313)
        #expect(parsed.credited == ["ericpoir", "klausi", "liam morland", "dmitry.korhov"])
        #expect(parsed.summary == "Updating to 10.5.3 causes gateway timeouts")
        // Without 'by', the issue still counts; the notes then credit the author.
        let bare = parse("Issue #3546740: update the phpstan baseline.")
        #expect(bare.number == 3546740 && bare.credited.isEmpty && bare.summary == "update the phpstan baseline.")
    }

    @Test func anUnknownTypeKeepsItsNameAndGetsASectionTitledFromIt() {
        let parsed = parse("docs: #3517609 Remove broken link in MenuTreeStorageInterface", "By: quietone")
        #expect(parsed.type == "docs")
        let notes = notes([NoteCommit(subject: "docs: #3517609 Remove broken link", body: "By: quietone", author: "quietone"),
                           NoteCommit(subject: "Perf: #3615187 Set names to UTF8", body: "By: catch", author: "catch"),
                           NoteCommit(subject: "feat: #256287 Give roles a description value", body: "By: ann", author: "ann"),
                           NoteCommit(subject: "task: #3 Tidy", body: "By: ann", author: "ann"),
                           NoteCommit(subject: "fix: #4 Mend", body: "By: ann", author: "ann")])
        #expect(notes.issues.map(\.section) == ["Docs", "Perf", "New Features", "Tasks", "Bugs"])
        #expect(notes.sections.map(\.title) == ["New Features", "Bugs", "Tasks", "Docs", "Perf"])
    }

    @Test func bothBreakingMarkersAreFoundAndLeaveTheSummary() {
        for subject in ["feat: #3400050 Rename the greeter option (Breaking Change)", "feat: #3400050 (BC) Rename the greeter option",
                        "Issue #3400050 by ann: Rename the greeter option (breaking change)", "Issue #3400050 by ann: Rename the greeter option (bc)"] {
            let parsed = parse(subject, "By: ann")
            #expect(parsed.breaking, "\(subject)")
            #expect(parsed.summary == "Rename the greeter option", "\(subject)")
            #expect(parsed.number == 3400050)
        }
        #expect(!parse("fix: #1 Handle BCrypt hashes").breaking)
    }

    @Test func aMessageInNeitherFormatIsListedByItsSubjectAndCreditsItsAuthor() {
        for subject in ["Drupal 11.2.7", "Revert \"fix: #3543036 Cannot enable both test modules\"", "fix: Tidy the title", "fix #12 Tidy",
                        "SA-CORE-2025-005 by zhero, nils.destoop, xjm"] {
            let parsed = parse(subject, "By: someone-else")
            #expect(parsed.number == nil && parsed.type == nil && parsed.credited.isEmpty, "\(subject)")
            #expect(parsed.summary == subject)
        }
        let notes = notes([NoteCommit(subject: "Tidy the page title", body: "By: reporter", author: "Sample Maintainer")],
                          people: PeopleDirectory([CreditedPerson(username: "maintainer", organization: "Acme", displayName: "Sample Maintainer")]))
        // The security fix's neutral message and its author, nothing else: no issue, no credits from the body.
        #expect(notes.issues == [ReleaseNotes.Issue(number: nil, type: nil, summary: "Tidy the page title", contributors: ["maintainer"],
                                                    breaking: false, upgradePath: nil)])
        #expect(notes.issueCount == 0)
        #expect(notes.markdown.contains("### Other Commits\n\n- Tidy the page title\n"))
        #expect(!notes.markdown.contains("reporter"))
    }

    // MARK: Counting

    @Test func commitsOfOneIssueMakeOneEntryAndEveryoneCountsOnceAnEntry() {
        let people = PeopleDirectory([CreditedPerson(username: "ann", organization: "Acme"), CreditedPerson(username: "bob", organization: "Acme"),
                                      CreditedPerson(username: "cy", organization: "Beta")])
        let notes = notes([
            NoteCommit(subject: "fix: #10 First try", body: "By: ann\nBy: bob", author: "x"),
            NoteCommit(subject: "Revert \"fix: #10 First try\"", author: "cy"),
            NoteCommit(subject: "fix: #10 Second try", body: "By: Ann\nBy: cy", author: "x"),
            NoteCommit(subject: "Issue #11 by bob: Other", author: "x"),
        ], people: people)
        #expect(notes.issueCount == 2)
        #expect(notes.issues.map(\.summary) == ["First try", "Revert \"fix: #10 First try\"", "Other"])
        #expect(notes.issues[0].contributors == ["ann", "bob", "cy"])
        #expect(notes.contributors == [.init(name: "bob", count: 2), .init(name: "cy", count: 2), .init(name: "ann", count: 1)])
        // Acme: #10 (ann, bob) and #11 (bob); Beta: #10 (cy) and the revert (cy).
        #expect(notes.organizations == [.init(name: "Acme", count: 2), .init(name: "Beta", count: 2)])
        #expect(notes.markdown.contains("- Contributors: 3\n- Organizations: 2\n- Issues: 2\n- Commits: 4\n"))
    }

    @Test func theUpgradePathCarriesTheStepsTheCallerGives() {
        let commits = [NoteCommit(subject: "feat: #3400050 Rename the greeter option (Breaking Change)", body: "By: ann", author: "ann"),
                       NoteCommit(subject: "task: #3400051 Drop the old hook (BC)", body: "By: bob", author: "bob"),
                       NoteCommit(subject: "fix: #3400052 Mend", body: "By: bob", author: "bob")]
        let notes = notes(commits, upgradePaths: [3400050: "Rename `greeter` to `greeting` in settings.php.\n\nThen clear caches.",
                                                  3400052: "Not breaking, so not shown."])
        #expect(notes.markdown.contains("""
            ### Upgrade Path

            - [#3400050](https://www.drupal.org/i/3400050): Rename the greeter option

              Rename `greeter` to `greeting` in settings.php.

              Then clear caches.
            - [#3400051](https://www.drupal.org/i/3400051): Drop the old hook

            """))
        #expect(!notes.markdown.contains("Not breaking"))
        #expect(notes.html.contains("<h3>Upgrade Path</h3>\n<ul>\n<li><a href=\"https://www.drupal.org/i/3400050\">#3400050</a>: Rename the greeter option"
            + "<p>Rename <code>greeter</code> to <code>greeting</code> in settings.php.</p><p>Then clear caches.</p></li>"))
        // Without a people directory there is no Organizations section.
        #expect(!notes.markdown.contains("Organizations"))
    }

    /// Upgrade steps are written in an issue's Markdown: the HTML notes show
    /// its headings, lists and code as such, every text escaped.
    @Test func theHTMLUpgradePathRendersTheStepsMarkdown() {
        let commits = [NoteCommit(subject: "feat: #3400050 Rename the greeter option (Breaking Change)", body: "By: ann", author: "ann")]
        let steps = "## Breaking Change\nThe option `greeter` is now `greeting`.\n\n## Upgrade Path\n- Run `drush updb`\n- Check <b>the</b> form & save\nDone."
        let html = notes(commits, upgradePaths: [3400050: steps]).html
        #expect(html.contains("<h4>Breaking Change</h4><p>The option <code>greeter</code> is now <code>greeting</code>.</p>"
            + "<h4>Upgrade Path</h4><ul><li>Run <code>drush updb</code></li><li>Check &lt;b&gt;the&lt;/b&gt; form &amp; save</li></ul><p>Done.</p>"), "\(html)")
        #expect(!html.contains("##") && !html.contains("<b>"))
    }

    @Test func profileLinksAreDrupalOrgUserPaths() {
        #expect(ReleaseNotes.profileURL("alexpott") == "https://www.drupal.org/u/alexpott")
        #expect(ReleaseNotes.profileURL("rinku jacob 13") == "https://www.drupal.org/u/rinku-jacob-13")
        #expect(ReleaseNotes.profileURL("SolimanHarkas") == "https://www.drupal.org/u/solimanharkas")
        #expect(ReleaseNotes.profileURL("a/b?c") == "https://www.drupal.org/u/a%2Fb%3Fc")
    }

    @Test func theCreditsFileIsCSVWithAnOptionalHeaderAndQuotes() throws {
        let people = try PeopleDirectory.parse(#"""
            # the team's credits
            username,organization,display name

            longwave,Acme,Dave Long
            catch , "Example, Ltd."
            xjm,
            "quoted ""name""",Org
            """#)
        #expect(people == [CreditedPerson(username: "longwave", organization: "Acme", displayName: "Dave Long"),
                           CreditedPerson(username: "catch", organization: "Example, Ltd."), CreditedPerson(username: "xjm"),
                           CreditedPerson(username: "quoted \"name\"", organization: "Org")])
        let directory = PeopleDirectory(people)
        #expect(directory.person("@LongWave")?.organization == "Acme")
        #expect(directory.username(forAuthor: "Dave Long") == "longwave")
        for bad in ["solo", "a,b,c,d", "ann,\"open", "ann,Acme\nANN,Beta", "@ann,Acme", "ann,\"x\"y"] {
            #expect(throws: EmbargoError.self, "\(bad)") { try PeopleDirectory.parse(bad) }
        }
    }

    // MARK: Real history

    /// The fixture's history between its two real tags, read from git as
    /// `embargo notes` reads it, gives the golden notes (counted by hand, see
    /// the fixture's README).
    @Test func realDrupalCoreHistoryGivesTheGoldenNotes() throws {
        let root = try TemporaryDirectory.create(prefix: "embargo-notes-test")
        defer { TemporaryDirectory.remove(root) }
        let git = try DrupalNotesFixture.makeRepository(at: root, runner: SystemProcessRunner())
        let commits = try NoteCommit.read(git, range: "refs/tags/\(DrupalNotesFixture.previous)..refs/tags/\(DrupalNotesFixture.version)")
        let fixture = try DrupalNotesFixture.entries()
        #expect(commits == fixture.map { NoteCommit(subject: $0.subject, body: $0.body, author: $0.author) })
        let notes = ReleaseNotes(project: "drupal", version: DrupalNotesFixture.version, previous: DrupalNotesFixture.previous,
                                 date: DrupalNotesFixture.date, commits: commits, people: try DrupalNotesFixture.people())
        // The counts the README has a reader make.
        #expect(notes.commitCount == 61)
        #expect(notes.issueCount == 42)
        #expect(notes.issues.count - notes.issueCount == 16)
        #expect(notes.contributors.count == 101)
        #expect(notes.contributors.prefix(4) == [.init(name: "xjm", count: 13), .init(name: "smustgrave", count: 10),
                                                  .init(name: "alexpott", count: 9), .init(name: "catch", count: 8)])
        #expect(notes.organizations == [.init(name: "Example Agency B", count: 18), .init(name: "Example Agency C", count: 13),
                                        .init(name: "Example Agency A", count: 12)])
        #expect(notes.sections.map { "\($0.title) \($0.issues.count)" } == ["Bugs 8", "Tasks 2", "Docs 1", "Changes 31", "Other Commits 16"])
        for (name, text) in [("expected.md", notes.markdown), ("expected.html", notes.html)] {
            let expected = try Repo.fixture("\(DrupalNotesFixture.folder)/\(name)")
            if text != expected {
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("drupal-notes.actual.\(name)")
                try text.write(to: path, atomically: true, encoding: .utf8)
                Issue.record("the notes differ from Tests/Fixtures/drupal-notes/\(name); actual output in \(path.path) (diff it, and if the change is intended copy it over the golden file in the same commit)")
            }
        }
    }
}
