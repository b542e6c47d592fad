@testable import EmbargoKit
import Testing

@Suite("leak linter")
struct LintTests {
    func terms(_ text: String, kind: LintSubject.Kind = .message, vocabulary: LintVocabulary = .defaults) -> [String] {
        LeakLinter.lint([LintSubject(location: "commit 1.1.x#1 message", text: text, kind: kind)], vocabulary: vocabulary).map(\.term)
    }

    @Test func identifiersAreSplitIntoWords() {
        #expect(LeakLinter.words("testXssInGreeting") == ["test", "xss", "in", "greeting"])
        #expect(LeakLinter.words("fix-xss-greeting") == ["fix", "xss", "greeting"])
        #expect(LeakLinter.words("test_xss_in_greeting") == ["test", "xss", "in", "greeting"])
        #expect(LeakLinter.words("tests/src/XSSTest.php") == ["tests", "src", "xss", "test", "php"])
        #expect(LeakLinter.words("XMLHttpRequest sha256sum") == ["xml", "http", "request", "sha", "256", "sum"])
    }

    @Test func leaksAreFoundInEveryIdentifierStyleAndCase() {
        for text in ["Fix XSS in greeting", "fix xss in greeting", "testXssInGreeting", "fix-xss-greeting", "test_xss_in_greeting",
                     "tests/src/XSSTest.php", "XssTest", "Cross-site scripting in the greeting", "CrossSiteScriptingTest",
                     "cross_site_scripting"] {
            #expect(terms(text) == ["XSS"], "\(text)")
        }
        #expect(terms("testSQLiInSearch") == ["SQLi"])
        #expect(terms("See CVE-2026-12345 and SA-CONTRIB-2026-001") == ["CVE", "SA-CONTRIB"])
    }

    @Test func wordsMatchOnlyWhole() {
        let custom = LintVocabulary(terms: [LintTerm("fix", forms: ["fix"], suggestion: "-"), LintTerm("dress", forms: ["dress"], suggestion: "-")])
        #expect(terms("Add a prefix to the address", vocabulary: custom).isEmpty)
        #expect(terms("fixAddress dress_code", vocabulary: custom) == ["fix", "dress"])
        // Default words hidden inside ordinary ones.
        #expect(terms("Read the source of the resource, sacrifice the cache, attach the dosage").isEmpty)
    }

    @Test func decidedBorderCases() {
        // "insecure" gives a fix away as much as "secure" does.
        #expect(terms("Remove the insecure default") == ["security"])
        #expect(terms("Secure the settings form") == ["security"])
        // DoS only in that case; DOS line endings are ordinary.
        #expect(terms("Convert DOS line endings").isEmpty)
        #expect(terms("testDoSOnLargeInput") == ["DoS"])
        #expect(terms("Prevent denial of service") == ["DoS"])
        // Everyday phrases that contain a vocabulary word.
        #expect(terms("Use dependency injection for the logger").isEmpty)
        #expect(terms("Set text-overflow on the title; overflow: hidden").isEmpty)
        #expect(terms("Avoid a buffer overflow") == ["overflow"])
        #expect(terms("Speed up the tree traversal").isEmpty)
        #expect(terms("Prevent path traversal") == ["traversal"])
        // Escaping output is a remedy at a security boundary: a hint, not a name.
        #expect(terms("Escape the greeting title; sanitize the file name") == ["escape-output", "redirect-url"])
    }

    @Test func theLongestOverlappingTermWins() {
        #expect(terms("Prevent remote code execution") == ["RCE"])
        #expect(terms("Fix access bypass") == ["access bypass"])
        #expect(terms("Block server-side request forgery") == ["SSRF"])
    }

    @Test func oneFindingPerTermAndSubjectWithExcerptAndSuggestion() {
        let message = "Fix XSS in the greeting\n\nThe greeting block allowed XSS through the title; this is a security fix."
        let findings = LeakLinter.lint([LintSubject(location: "commit 1.1.x#2 message", text: message, kind: .message, key: "commit-1.1.x-2")],
                                       vocabulary: .defaults)
        #expect(findings.map(\.key) == ["commit-1.1.x-2:xss", "commit-1.1.x-2:security"])
        #expect(findings[0].excerpt == "Fix XSS in the greeting")
        #expect(findings[0].suggestion.contains("Fix how block titles are rendered"))
        #expect(findings[1].excerpt.hasPrefix("...") && findings[1].excerpt.contains("security fix"))
        #expect(findings[1].suggestion.contains("Fix who sees the settings form"))
    }

    @Test func suggestionsFitWhereTheLeakIs() {
        let subjects = [
            LintSubject(location: "test testXssInGreeting in tests/src/GreetingTest.php", text: "testXssInGreeting", kind: .test,
                        key: "test-testXssInGreeting"),
            LintSubject(location: "branch fix-xss-greeting", text: "fix-xss-greeting", kind: .branch, key: "branch-fix-xss-greeting"),
            LintSubject(location: "release notes", text: "This release fixes an exploit."),
        ]
        let findings = LeakLinter.lint(subjects, vocabulary: .defaults)
        #expect(findings.map(\.key) == ["test-testXssInGreeting:xss", "branch-fix-xss-greeting:xss", "release-notes:exploit"])
        #expect(findings[0].suggestion.contains("testBlockTitleRendering"))
        #expect(findings[1].suggestion.contains("git branch -m fix-xss-greeting"))
    }

    @Test func keysAreStable() {
        let subjects = [LintSubject(location: "commit 1.0.x#1 message", text: "Fix XSS and CSRF", kind: .message, key: "commit-1.0.x-1")]
        let first = LeakLinter.lint(subjects, vocabulary: .defaults)
        let reordered = LintVocabulary(terms: LintVocabulary.defaults.terms.reversed())
        #expect(first == LeakLinter.lint(subjects, vocabulary: .defaults))
        #expect(Set(first.map(\.key)) == Set(LeakLinter.lint(subjects, vocabulary: reordered).map(\.key)))
        #expect(first.map(\.key) == ["commit-1.0.x-1:xss", "commit-1.0.x-1:csrf"])
        #expect(LintSubject(location: "release notes", text: "").key == "release-notes")
    }

    @Test func advisoryWordsAddTheFlawButNotTheComponent() {
        let words = LintVocabulary.advisoryTerms(
            vulnerabilityType: "Gadget forgery", privateTitle: "Chatbot replies can be forged via the settings form",
            cweNames: [CWENames.name(22), CWENames.name(502)], ids: ["ADV-2026-001"], publicWords: ["chatbot", "replies"])
        let named = Set(words.map(\.term))
        #expect(named.isSuperset(of: ["ADV-2026-001", "Gadget forgery", "gadget", "forgery", "forged", "Path Traversal",
                                      "deserialization", "untrusted"]))
        // Public file names (chatbot, replies), short words and common ones (settings, improper, pathname) are left out.
        #expect(named.isDisjoint(with: ["chatbot", "replies", "via", "settings", "improper", "pathname", "restricted", "directory"]))

        let vocabulary = LintVocabulary.defaults.adding(words)
        #expect(terms("Drop forged chatbot replies", vocabulary: vocabulary) == ["forged"])
        #expect(terms("Check the chatbot settings before replying", vocabulary: vocabulary).isEmpty)
        #expect(terms("Prepare ADV-2026-001", vocabulary: vocabulary) == ["ADV-2026-001"])
        // A phrase the defaults already have is not added twice.
        let xss = LintVocabulary.advisoryTerms(vulnerabilityType: "Cross Site Scripting", privateTitle: "x", cweNames: [], ids: [])
        #expect(terms("cross-site scripting", vocabulary: LintVocabulary.defaults.adding(xss)) == ["XSS"])
    }

    @Test func fileNameWordsAreWholeWordsOfOneName() {
        let names = Array("src/GreetingBlock.php\u{0}src/Labelled.php\u{0}docs/TOKEN_HANDLING.md\u{0}src/greet\u{0}ings.php\u{0}docs/Ünïcode Überblick.md\u{0}".utf8)
        let found = Workspace.wordsOfNames(names, among: ["greeting", "block", "label", "token", "handling", "greetings", "überblick", "ünïcode", "chatbot"])
        // camelCase and snake case split words, case does not matter, a word never spans two names,
        // and names with other letters than ASCII are split into words too.
        #expect(found == ["greeting", "block", "token", "handling", "überblick", "ünïcode"])
        #expect(Workspace.wordsOfNames([], among: ["greeting"]).isEmpty)
    }

    @Test func testNamesAreFoundInAddedLines() {
        let additions = [
            AddedLine(file: "tests/src/GreetingTest.php", text: "  public function testXssInGreeting() {"),
            AddedLine(file: "tests/test_greeting.py", text: "def test_xss_in_greeting(self):"),
            AddedLine(file: "greeting_test.go", text: "func TestXss(t *testing.T) {"),
            AddedLine(file: "Tests/GreetingTests.swift", text: "@Test(\"title is escaped\") func escaped() {"),
            AddedLine(file: "js/greeting.test.js", text: "  it('escapes <script> in the title', () => {"),
            AddedLine(file: "js/greeting.js", text: "if (/x/.test('abc')) { describe('not a test') }"),
        ]
        #expect(LeakLinter.testNames(in: additions).map(\.name) == [
            "testXssInGreeting", "test_xss_in_greeting", "TestXss", "title is escaped", "escaped", "escapes <script> in the title",
        ])
        #expect(LeakLinter.isTestFile("tests/src/GreetingTest.php") && LeakLinter.isTestFile("src/GreetingTest.php"))
        #expect(!LeakLinter.isTestFile("src/Greeting.php") && !LeakLinter.isTestFile("src/Contest.php"))
    }
}
