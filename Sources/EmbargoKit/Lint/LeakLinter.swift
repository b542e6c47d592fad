import Foundation

/// A text to check and where it is, e.g. `commit 1.1.x#2 message` or
/// `test testTitleIsEscaped in tests/src/GreetingTest.php`.
public struct LintSubject: Sendable, Equatable {
    /// What the text is; decides the wording of a finding's suggestion.
    public enum Kind: String, Sendable, Codable {
        /// A commit message.
        case message
        /// A branch name.
        case branch
        /// A file name.
        case file
        /// The name of a test.
        case test
        /// Free text: release notes, an announcement.
        case text
        /// A comment or string literal on a line a patch adds.
        case code
        /// The name of a function or data provider a patch adds.
        case identifier
        /// An attack payload in a test or fixture a patch adds.
        case payload
    }

    /// Stable, short and shell-safe; findings' keys start with it.
    public var key: String
    /// Where the text is, for people.
    public var location: String
    public var text: String
    public var kind: Kind

    /// Without a `key`, one is made from the location (`release notes` -> `release-notes`).
    public init(location: String, text: String, kind: Kind = .text, key: String? = nil) {
        self.location = location
        self.text = text
        self.kind = kind
        self.key = LeakLinter.slug(key ?? location, lowercase: false)
    }
}

/// A word or phrase that gives a vulnerability away, with the forms it takes.
///
/// ```swift
/// LintTerm("XSS", forms: ["xss", "cross-site scripting"],
///          suggestion: "describe the behaviour change instead, e.g. 'Escape the title in the greeting block'")
/// ```
public struct LintTerm: Sendable, Equatable {
    /// The name findings report; their keys carry it in lower case.
    public var term: String
    /// Matched case-insensitively, as whole words; a form of several words
    /// also matches them written as one identifier (`cross-site scripting`,
    /// `CrossSiteScripting`, `cross_site_scripting`).
    public var forms: [String]
    /// Matched with their case, for forms that are ordinary words in another
    /// case (`DoS` is a leak, `DOS line endings` is not).
    public var exactForms: [String]
    /// Phrases in which a form is harmless (`dependency injection`).
    public var exceptions: [String]
    /// Regular expressions for harmless uses that words cannot tell apart
    /// (`SecurityBundle`, `--insecure`): a match overlapping one is no
    /// finding. Matched with case unless they say `(?i)`.
    public var exceptionPatterns: [String]
    /// A neutral wording hint.
    public var suggestion: String
    /// Terms name the flaw unless told otherwise.
    public var level: LintLevel

    public init(_ term: String, forms: [String], exactForms: [String] = [], exceptions: [String] = [], exceptionPatterns: [String] = [],
                suggestion: String, level: LintLevel = .names)
    {
        self.term = term
        self.forms = forms
        self.exactForms = exactForms
        self.exceptions = exceptions
        self.exceptionPatterns = exceptionPatterns
        self.suggestion = suggestion
        self.level = level
    }
}

/// How plainly a finding gives the flaw away.
public enum LintLevel: String, Codable, Sendable, CaseIterable, Comparable {
    /// Describes a remedy at a security boundary ("escape the title",
    /// "check access"): a warning, a refusal only when strict.
    case hints
    /// Names the flaw, its class, an identifier or security words: a refusal.
    case names

    public static func < (lhs: LintLevel, rhs: LintLevel) -> Bool { lhs == .hints && rhs == .names }
}

/// Where a match is in its subject's text, in characters.
public struct LintSpan: Codable, Sendable, Equatable, Hashable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// Something that may reveal the vulnerability, where it is, and what to say instead.
public struct LintFinding: Codable, Sendable, Equatable, Hashable {
    /// `<subject key>:<term>`, e.g. `commit-1.1.x-2:xss`: the same for the same
    /// finding on every run, so it can be passed back with `--accept-finding`.
    public var key: String
    public var location: String
    public var term: String
    /// The line around the match.
    public var excerpt: String
    public var suggestion: String
    public var level: LintLevel
    /// The term's slug or the remedy rule's id.
    public var rule: String
    /// Why the rule fired, for `lint --explain`.
    public var reason: String
    public var span: LintSpan

    public init(key: String, location: String, term: String, excerpt: String, suggestion: String, level: LintLevel = .names,
                rule: String? = nil, reason: String = "", span: LintSpan = LintSpan(start: 0, end: 0))
    {
        self.key = key
        self.location = location
        self.term = term
        self.excerpt = excerpt
        self.suggestion = suggestion
        self.level = level
        self.rule = rule ?? LeakLinter.slug(term, lowercase: true)
        self.reason = reason
        self.span = span
    }
}

/// Finds words that give an embargoed vulnerability away. Pure: it reads
/// only the texts and the vocabulary it is given.
public enum LeakLinter {
    /// The findings in `subjects`, in their order: at most one per term and
    /// subject (its first occurrence). Where terms overlap the longest match
    /// wins, so `remote code execution` is one finding, not two.
    ///
    /// Then the remedy rules (`rules`, by default `LintRemedyRules.defaults`),
    /// those at level `names` first: at most one finding per rule and
    /// subject, none where a term or an earlier rule already matched the
    /// same words.
    public static func lint(_ subjects: [LintSubject], vocabulary: LintVocabulary,
                            rules: [LintRemedyRule] = LintRemedyRules.defaults) -> [LintFinding]
    {
        let compiled = vocabulary.terms.map(CompiledTerm.init)
        // Rules that name the flaw read first: a hint must not hide them where both read the same words.
        let compiledRules = (rules.filter { $0.level == .names } + rules.filter { $0.level != .names }).compactMap(CompiledRule.init)
        var findings: [LintFinding] = []
        var seen = Set<String>()
        for subject in subjects {
            var taken: [Range<Int>] = []
            for hit in subject.kind == .payload ? [] : hits(in: subject.text, compiled) {
                let term = vocabulary.terms[hit.term]
                taken.append(hit.range)
                let key = "\(subject.key):\(slug(term.term, lowercase: true))"
                guard seen.insert(key).inserted else { continue }
                let reason = term.level == .names
                    ? "'\(term.term)' names the flaw or its class"
                    : "'\(term.term)' describes a remedy at a security boundary"
                findings.append(LintFinding(key: key, location: subject.location, term: term.term,
                                            excerpt: excerpt(subject.text, hit.range),
                                            suggestion: suggestion(term.suggestion, subject), level: term.level,
                                            reason: reason, span: LintSpan(start: hit.range.lowerBound, end: hit.range.upperBound)))
            }
            for rule in compiledRules where rule.rule.kinds.isEmpty ? subject.kind != .payload : rule.rule.kinds.contains(subject.kind) {
                guard let range = rule.firstMatch(in: subject), !taken.contains(where: { $0.overlaps(range) }) else { continue }
                let key = "\(subject.key):\(rule.rule.id)"
                guard seen.insert(key).inserted else { continue }
                // One finding for the same words: the first rule listed that reads them.
                taken.append(range)
                findings.append(LintFinding(key: key, location: subject.location, term: rule.rule.id,
                                            excerpt: excerpt(subject.text, range),
                                            suggestion: suggestion(rule.rule.suggestion, subject), level: rule.rule.level,
                                            rule: rule.rule.id, reason: rule.rule.reason,
                                            span: LintSpan(start: range.lowerBound, end: range.upperBound)))
            }
        }
        return findings
    }

    /// A remedy rule with its expressions compiled.
    struct CompiledRule {
        var rule: LintRemedyRule
        var pattern: Regex<AnyRegexOutput>
        var exceptions: [Regex<AnyRegexOutput>]

        init?(_ rule: LintRemedyRule) {
            guard let pattern = try? Regex(rule.pattern) else { return nil }
            self.rule = rule
            self.pattern = pattern.ignoresCase().wordBoundaryKind(.simple)
            exceptions = rule.exceptions.compactMap { try? Regex($0).ignoresCase().wordBoundaryKind(.simple) }
        }

        /// The first match not inside an exception, in characters of the
        /// subject's text. Names (branches, files, tests) are read as their
        /// words, and a match covers the whole name. In prose, `snake_case`
        /// identifiers are read as words too (`remove_headers_on_redirect`),
        /// and a single line break as a space: bodies are wrapped at 72
        /// columns, paragraphs end at a blank line. Where the prose as written
        /// has no match, it is read once more with `camelCase` identifiers as
        /// their words (`checkOwnerAccess`, `validateRedirectURL`).
        func firstMatch(in subject: LintSubject) -> Range<Int>? {
            let prose = [.message, .text, .code, .payload].contains(subject.kind)
            let text = prose ? LeakLinter.unwrapped(subject.text) : LeakLinter.words(subject.text).joined(separator: " ")
            if let range = firstMatch(in: text) {
                return prose ? range : 0..<subject.text.count
            }
            guard prose, let split = LeakLinter.humpsSplit(text), let range = firstMatch(in: split.text) else { return nil }
            return split.offsets[range.lowerBound] ..< split.offsets[range.upperBound - 1] + 1
        }

        /// The first match in `text` not inside an exception, in characters.
        private func firstMatch(in text: String) -> Range<Int>? {
            let excused = exceptions.flatMap { text.matches(of: $0).map(\.range) }
            for match in text.matches(of: pattern) where !excused.contains(where: { $0.overlaps(match.range) }) && !match.range.isEmpty {
                return text.distance(from: text.startIndex, to: match.range.lowerBound)
                    ..< text.distance(from: text.startIndex, to: match.range.upperBound)
            }
            return nil
        }
    }

    /// `text` with a space inside identifiers where a lower-case letter meets
    /// a capital (`checkAccess` -> `check Access`) or an acronym ends
    /// (`isHTMLSafe` -> `is HTML Safe`), and for each of its characters the
    /// offset of the character of `text` it stands for; nil where there is no
    /// such place. Only `camelCase` identifiers and names of three or more
    /// capitalised parts are split: a name of two (`GitHub`, `HostRef`,
    /// `XPath`) is more often a product or a type than a sentence.
    static func humpsSplit(_ text: String) -> (text: String, offsets: [Int])? {
        let characters = Array(text)
        func boundary(_ index: Int) -> Bool {
            let previous = characters[index - 1], current = characters[index]
            guard current.isUppercase, previous.isLetter else { return false }
            return previous.isLowercase
                || (previous.isUppercase && index + 1 < characters.count && characters[index + 1].isLowercase)
        }
        var result = ""
        var offsets: [Int] = []
        offsets.reserveCapacity(characters.count + 8)
        var index = 0
        while index < characters.count {
            guard characters[index].isLetter || characters[index].isNumber else {
                result.append(characters[index])
                offsets.append(index)
                index += 1
                continue
            }
            var end = index
            while end < characters.count, characters[end].isLetter || characters[end].isNumber { end += 1 }
            let humps = Set((index + 1..<end).filter(boundary))
            let split = !humps.isEmpty && (characters[index].isLowercase || humps.count >= 2)
            for position in index..<end {
                if split, humps.contains(position) {
                    result.append(" ")
                    offsets.append(position)
                }
                result.append(characters[position])
                offsets.append(position)
            }
            index = end
        }
        guard offsets.count > characters.count, result.count == offsets.count else { return nil }
        return (result, offsets)
    }

    /// `text` with `_` and single line breaks as spaces, character for
    /// character, so that ranges in it are ranges in `text`.
    static func unwrapped(_ text: String) -> String {
        let characters = Array(text)
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for (index, character) in characters.enumerated() {
            if character == "_" {
                result.append(" ")
            } else if character.isNewline, index > 0, index + 1 < characters.count,
                      !characters[index - 1].isNewline, !characters[index + 1].isNewline
            {
                result.append(" ")
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// The words of a text as the linter sees them: split at anything that is
    /// not a letter or digit, and inside identifiers at camelCase humps,
    /// acronym ends and letter-digit changes; lower-cased.
    /// `testXSSInGreeting_v2` -> `test xss in greeting v 2`.
    public static func words(_ text: String) -> [String] {
        segments(Array(text)).map(\.lower)
    }

    // MARK: Matching

    /// A run of letters or digits between identifier boundaries.
    struct Segment {
        var lower: String
        var original: String
        /// Which alphanumeric run (identifier or word) it belongs to.
        var token: Int
        var range: Range<Int>
    }

    struct CompiledTerm {
        var forms: [(words: [String], exact: Bool)]
        var exceptions: [[String]]
        var exceptionPatterns: [Regex<AnyRegexOutput>]

        init(_ term: LintTerm) {
            forms = term.forms.map { (LeakLinter.formWords($0, exact: false), false) }
                + term.exactForms.map { (LeakLinter.formWords($0, exact: true), true) }
            forms.removeAll { $0.words.isEmpty }
            exceptions = term.exceptions.map { LeakLinter.formWords($0, exact: false) }.filter { !$0.isEmpty }
            exceptionPatterns = term.exceptionPatterns.compactMap { try? Regex($0) }
        }

        /// The character ranges of `text` that the exception patterns excuse.
        func excusedRanges(in text: String) -> [Range<Int>] {
            exceptionPatterns.flatMap { pattern in
                text.matches(of: pattern).map {
                    text.distance(from: text.startIndex, to: $0.range.lowerBound)..<text.distance(from: text.startIndex, to: $0.range.upperBound)
                }
            }
        }
    }

    struct Hit {
        var term: Int
        var segments: Range<Int>
        var range: Range<Int>
    }

    static func segments(_ characters: [Character]) -> [Segment] {
        func alphanumeric(_ c: Character) -> Bool { c.isLetter || c.isNumber }
        var result: [Segment] = []
        var token = 0
        var index = 0
        while index < characters.count {
            guard alphanumeric(characters[index]) else { index += 1; continue }
            var end = index
            while end < characters.count, alphanumeric(characters[end]) { end += 1 }
            var start = index
            for p in (index + 1)..<(end + 1) {
                let boundary: Bool
                if p == end {
                    boundary = true
                } else {
                    let previous = characters[p - 1], current = characters[p]
                    boundary = (previous.isLowercase && current.isUppercase)
                        || (previous.isLetter != current.isLetter)
                        // The last capital of an acronym starts the next word: XMLHttp -> XML Http.
                        || (previous.isUppercase && current.isUppercase && p + 1 < end && characters[p + 1].isLowercase)
                }
                guard boundary else { continue }
                let text = String(characters[start..<p])
                result.append(Segment(lower: text.lowercased(), original: text, token: token, range: start..<p))
                start = p
            }
            token += 1
            index = end
        }
        return result
    }

    /// A form's words: split only where the form has a separator, so `sqli`
    /// stays one word and still matches `SQLi` (segments `SQ` `Li`).
    static func formWords(_ form: String, exact: Bool) -> [String] {
        form.split { !($0.isLetter || $0.isNumber) }.map { exact ? String($0) : $0.lowercased() }
    }

    /// Where `words` match segments from `start`: each word is one or more
    /// whole segments of one identifier, so matches begin and end on word
    /// boundaries (`fix` never matches inside `prefix`).
    static func matchEnd(_ words: [String], exact: Bool, from start: Int, in segments: [Segment]) -> Int? {
        var next = start
        for word in words {
            guard next < segments.count else { return nil }
            let token = segments[next].token
            var collected = ""
            while collected.count < word.count {
                guard next < segments.count, segments[next].token == token else { return nil }
                collected += exact ? segments[next].original : segments[next].lower
                next += 1
                guard word.hasPrefix(collected) else { return nil }
            }
        }
        return next
    }

    static func hits(in text: String, _ terms: [CompiledTerm]) -> [Hit] {
        let characters = Array(text)
        let segments = segments(characters)
        var candidates: [Hit] = []
        let excusedRanges = terms.map { $0.exceptionPatterns.isEmpty ? [] : $0.excusedRanges(in: text) }
        for start in segments.indices {
            for (index, term) in terms.enumerated() {
                for form in term.forms {
                    guard let end = matchEnd(form.words, exact: form.exact, from: start, in: segments) else { continue }
                    let excused = term.exceptions.contains { exception in
                        (0...start).contains { from in (matchEnd(exception, exact: false, from: from, in: segments) ?? -1) >= end }
                    }
                    let range = segments[start].range.lowerBound..<segments[end - 1].range.upperBound
                    if !excused, !excusedRanges[index].contains(where: { $0.overlaps(range) }) {
                        candidates.append(Hit(term: index, segments: start..<end, range: range))
                    }
                }
            }
        }
        // Longest first, then earliest, then the term listed first; keep what does not overlap a kept hit.
        candidates.sort {
            ($0.segments.count, -$0.segments.lowerBound, -$0.term) > ($1.segments.count, -$1.segments.lowerBound, -$1.term)
        }
        var kept: [Hit] = []
        for candidate in candidates where !kept.contains(where: { $0.segments.overlaps(candidate.segments) }) {
            kept.append(candidate)
        }
        return kept.sorted { ($0.segments.lowerBound, $0.term) < ($1.segments.lowerBound, $1.term) }
    }

    // MARK: Reporting

    /// The line holding the match, cut to about 40 characters either side.
    static func excerpt(_ text: String, _ range: Range<Int>) -> String {
        let characters = Array(text)
        var start = range.lowerBound
        while start > 0, !characters[start - 1].isNewline { start -= 1 }
        var end = range.upperBound
        while end < characters.count, !characters[end].isNewline { end += 1 }
        let from = max(start, range.lowerBound - 40)
        let to = min(end, range.upperBound + 40)
        var line = String(characters[from..<to]).trimmingCharacters(in: .whitespaces)
        if from > start { line = "..." + line }
        if to < end { line += "..." }
        return line
    }

    /// The suggestions for names, whatever the term: `kindSuggestions` lists them for tests.
    static func suggestion(_ suggestion: String, _ subject: LintSubject) -> String {
        switch subject.kind {
        case .test:
            return "rename the test after the behaviour it checks, e.g. testBlockTitleRendering"
        case .branch:
            return "rename the branch after the area it touches: git branch -m \(subject.text) NEW-NAME (e.g. greeting-output)"
        case .file:
            return "name the file after what it does or checks, e.g. GreetingTitleTest.php; if the name is already public, accept the finding"
        case .code:
            return "say what the code does, not what it prevents, e.g. 'Render the block title as text'"
        case .identifier:
            return "rename it after the behaviour, e.g. providerBlockTitles"
        case .payload:
            return "move the value into a data provider with a neutral name (e.g. providerBlockTitles), or accept the finding"
        case .message, .text:
            return suggestion
        }
    }

    /// Every suggestion that does not come from a term or a rule.
    static var kindSuggestions: [String] {
        [LintSubject.Kind.test, .branch, .file, .code, .identifier, .payload].map { suggestion("", LintSubject(location: "x", text: "topic", kind: $0)) }
    }

    /// A key-safe form: letters, digits, `.`, `_`, `/` and single dashes.
    static func slug(_ text: String, lowercase: Bool) -> String {
        var result = ""
        for character in lowercase ? text.lowercased() : text {
            if character.isASCII, character.isLetter || character.isNumber || "._/".contains(character) {
                result.append(character)
            } else if !result.isEmpty, result.last != "-" {
                result.append("-")
            }
        }
        while result.last == "-" { result.removeLast() }
        return String(result.prefix(80))
    }
}
