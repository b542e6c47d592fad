@testable import EmbargoKit
import EmbargoStore
import Testing

@Suite("leak linter: remedy wording and levels")
struct LintRemedyTests {
    func findings(_ text: String, kind: LintSubject.Kind = .message) -> [LintFinding] {
        LeakLinter.lint([LintSubject(location: "commit 1.1.x#1 message", text: text, kind: kind)], vocabulary: .defaults)
    }

    @Test func everyRuleCompiles() {
        for rule in LintRemedyRules.defaults {
            #expect(LeakLinter.CompiledRule(rule) != nil, "\(rule.id)")
            #expect(rule.exceptions.allSatisfy { (try? Regex($0)) != nil }, "\(rule.id)")
        }
        #expect(Set(LintRemedyRules.defaults.map(\.id)).count == LintRemedyRules.defaults.count)
    }

    @Test func remedyWordingIsAHint() {
        let cases: [(String, String)] = [
            ("Escape the title in the greeting block", "escape-output"),
            ("Sanitize user-supplied labels before rendering", "escape-output"),
            ("Check access before showing the settings form", "access-check"),
            ("Add a permission check to the export route", "access-check"),
            ("Validate the redirect destination", "redirect-url"),
            ("Only allow http and https; reject other URL schemes", "redirect-url"),
            ("Clear the Authorization header when a redirect changes host", "credentials-on-redirect"),
            ("Verify the certificate host name", "verify-peer"),
            ("Reject control characters in header values", "control-characters"),
            ("Limit the nesting depth of the parser", "bound-size"),
            ("Fix a double free in the decoder", "memory-safety"),
            ("Avoid an over-read of the input buffer", "memory-safety"),
            ("Fix use after free when closing the stream", "memory-safety"),
            ("Do not read uninitialized memory", "memory-safety"),
            ("Fix out of bounds read in the tokenizer", "memory-safety"),
            ("Tighten the iframe sandbox attributes", "sandbox"),
            ("Use `check_plain()` on the title", "security-api"),
            ("Call `$node->access('view')` first", "security-api"),
        ]
        for (text, rule) in cases {
            let found = findings(text)
            #expect(found.map(\.rule).contains(rule), "\(text): \(found.map(\.rule))")
            #expect(found.first { $0.rule == rule }?.level == .hints, "\(text)")
        }
        #expect(findings("Guard against prototype pollution").map(\.level) == [.names])
        // Names are read as their words.
        #expect(findings("check-access-in-export", kind: .branch).map(\.rule) == ["access-check"])
    }

    @Test func ordinarySensesAreNotFindings() {
        for text in ["Fix a memory leak in the parser", "Plug file descriptor leaks on error", "Use dependency injection for the logger",
                     "Set overflow: hidden on the sidebar", "Close the dialog on escape key", "Escape the regex in the route matcher",
                     "Update SECURITY.md", "Ask the security team for a review", "Run the security scan workflow nightly",
                     "Limit the number of items on the front page", "Rename the access log option"]
        {
            #expect(findings(text).isEmpty, "\(text): \(findings(text).map(\.rule))")
        }
    }

    @Test func namesRefuseAndHintsWarnUnlessStrict() {
        let found = findings("Fix XSS; escape the title")
        #expect(found.map(\.level) == [.names, .hints])
        let loose = LintReport(advisory: "ADV-1", findings: found, acceptedKeys: [])
        #expect(loose.blocking.map(\.level) == [.names] && loose.warnings.map(\.level) == [.hints])
        let hintsOnly = LintReport(advisory: "ADV-1", findings: findings("Escape the title"), acceptedKeys: [])
        #expect(hintsOnly.isClean && hintsOnly.refusal() == nil)
        var strict = hintsOnly
        strict.strict = true
        #expect(!strict.isClean && strict.refusal()?.kind == .refused)
        #expect(found[1].span == LintSpan(start: 9, end: 25) && found[1].reason.contains("cross-site scripting"))
    }

    /// Every suggestion the linter can print passes it at the strictest level.
    @Test func suggestionsPassTheirOwnLinter() {
        var suggestions = LintVocabulary.defaults.terms.map(\.suggestion) + LintRemedyRules.defaults.map(\.suggestion)
            + LeakLinter.kindSuggestions
        suggestions += LintVocabulary.advisoryTerms(vulnerabilityType: "Cross Site Scripting", privateTitle: "XSS in the greeting title",
                                                    cweNames: ["Improper Neutralization of Input ('Cross-site Scripting')"],
                                                    ids: ["ADV-2026-001", "CVE-2026-1"]).map(\.suggestion)
        for suggestion in Set(suggestions) {
            let found = LeakLinter.lint([LintSubject(location: "suggestion", text: suggestion, kind: .message)], vocabulary: .defaults)
            #expect(found.isEmpty, "\(suggestion): \(found.map(\.rule))")
        }
    }
}
