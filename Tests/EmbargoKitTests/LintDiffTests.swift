@testable import EmbargoKit
import Testing

@Suite("leak linter: the diff's added lines")
struct LintDiffTests {
    /// The fix of the greeting, with `comment` above the escaping line and
    /// `test` (added lines) in the test class.
    static func greetingFix(comment: String, test: [String]) -> String {
        """
        diff --git a/src/Greeting.php b/src/Greeting.php
        --- a/src/Greeting.php
        +++ b/src/Greeting.php
        @@ -2,4 +2,5 @@
         function greeting(string $title): string {
        -  return 'Hello ' . $title;
        +  // \(comment)
        +  return 'Hello ' . htmlspecialchars($title);
         }
        diff --git a/tests/src/GreetingTest.php b/tests/src/GreetingTest.php
        --- a/tests/src/GreetingTest.php
        +++ b/tests/src/GreetingTest.php
        @@ -10,2 +10,\(test.count + 2) @@
           }

        """ + test.map { "+" + $0 + "\n" }.joined() + " }\n"
    }

    static let leaking = greetingFix(comment: "Prevents XSS in the title.", test: [
        "  /** @dataProvider xssPayloads */",
        "  public function testTitleIsShown($title) {",
        "    $this->assertSame('Hello', greeting('<script>alert(1)</script>'));",
        "  }",
        "  public function xssPayloads() { return [[\"' OR 1=1 --\"]]; }",
    ])

    static let neutral = greetingFix(comment: "The title appears as typed.", test: [
        "  public function testTitleIsShown() {",
        "    $this->assertSame('Hello &lt;b&gt;', greeting('<b>'));",
        "  }",
    ])

    @Test func commentsStringsProvidersAndPayloadsAreFound() {
        let subjects = LeakLinter.diffSubjects(Self.leaking, branch: "1.1.x", position: 2)
        let findings = LeakLinter.lint(subjects, vocabulary: .defaults)
        let seen = findings.map { "\($0.location) \($0.rule) \($0.level.rawValue)" }
        #expect(seen.contains("1.1.x:patch 2:src/Greeting.php:3 xss names"), "\(seen)")
        #expect(seen.contains("1.1.x:patch 2:tests/src/GreetingTest.php:11 xss names"), "\(seen)")
        #expect(seen.contains("1.1.x:patch 2:tests/src/GreetingTest.php:13 attack-payload names"), "\(seen)")
        #expect(seen.contains("1.1.x:patch 2:tests/src/GreetingTest.php:15 attack-payload names"), "\(seen)")
        // The escaping call itself is code, not wording.
        #expect(!seen.contains { $0.hasPrefix("1.1.x:patch 2:src/Greeting.php:4") }, "\(seen)")
        #expect(findings.first { $0.rule == "attack-payload" }?.suggestion.contains("data provider") == true)
    }

    @Test func aNeutralPatchGivesNone() {
        let subjects = LeakLinter.diffSubjects(Self.neutral, branch: "1.1.x", position: 1)
        #expect(!subjects.isEmpty)
        #expect(LeakLinter.lint(subjects, vocabulary: .defaults).isEmpty)
    }

    @Test func codePartsSplitCommentsAndStrings() {
        var block = false
        let parts = LeakLinter.codeParts(#"$a = "it's \"x\""; // note"#, inBlockComment: &block)
        #expect(parts.strings == [#"it's \"x\""#] && parts.comments == ["note"])
        _ = LeakLinter.codeParts("/* start", inBlockComment: &block)
        #expect(block)
        #expect(LeakLinter.codeParts(" * prevents XSS", inBlockComment: &block).comments == ["prevents XSS"])
    }
}
