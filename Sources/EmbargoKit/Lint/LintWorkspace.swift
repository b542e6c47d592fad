import EmbargoStore
import Foundation
import GRDB

/// Findings of one lint run, and which of them are accepted.
public struct LintReport: Sendable, Equatable {
    public var advisory: String
    public var findings: [LintFinding]
    public var acceptedKeys: Set<String>
    /// Whether `hints` findings refuse too (`--strict`, the `drupal` profile).
    public var strict: Bool
    /// The acceptances stored on the advisory, found now or not.
    public var accepted: [AcceptedFinding]

    public init(advisory: String, findings: [LintFinding], acceptedKeys: Set<String>, strict: Bool = false, accepted: [AcceptedFinding] = []) {
        self.advisory = advisory
        self.findings = findings
        self.acceptedKeys = acceptedKeys.union(accepted.map(\.key))
        self.strict = strict
        self.accepted = accepted
    }

    public var unaccepted: [LintFinding] { findings.filter { !acceptedKeys.contains($0.key) } }
    /// Unaccepted findings that refuse: all when strict, else those that name the flaw.
    public var blocking: [LintFinding] { unaccepted.filter { strict || $0.level == .names } }
    /// Unaccepted findings shown as warnings only.
    public var warnings: [LintFinding] { unaccepted.filter { !strict && $0.level == .hints } }
    public var isClean: Bool { blocking.isEmpty }

    public func isAccepted(_ finding: LintFinding) -> Bool { acceptedKeys.contains(finding.key) }

    /// Whether a stored acceptance still matches a finding.
    public func isFound(_ acceptance: AcceptedFinding) -> Bool { findings.contains { $0.key == acceptance.key } }

    /// The refusal (exit 3) when findings remain unaccepted: each one with its
    /// key, and the complete command that accepts it (`accept` gives it, by
    /// default `embargo lint ID --accept-finding KEY`).
    public func refusal(accept: ((LintFinding) -> String?)? = nil) -> EmbargoError? {
        guard !blocking.isEmpty else { return nil }
        let lines = blocking.map { "\($0.location): '\($0.term)' (key \($0.key))" }
        let commands = blocking.compactMap { finding in
            accept.map { $0(finding) } ?? "embargo lint \(advisory) --accept-finding \(finding.key)"
        }
        let them = blocking.count == 1 ? "it" : "them"
        let hint: String
        if commands.isEmpty {
            hint = "reword \(them): a finding in this step's own text cannot be accepted"
        } else if commands.count < blocking.count {
            hint = "reword \(them); accept what may stay as it is (not a finding in this step's own text):\n" + commands.joined(separator: "\n")
        } else {
            hint = "reword \(them), or accept what may stay as it is:\n" + commands.joined(separator: "\n")
        }
        return EmbargoError(.refused, "\(blocking.count) unaccepted lint finding(s) in \(advisory):\n" + lines.joined(separator: "\n"),
                            hint: hint)
    }

    /// Accepted keys that match no finding: a typo, or a finding since reworded.
    public var unknownKeys: [String] { acceptedKeys.subtracting(findings.map(\.key)).sorted() }

    /// What a report on a bare message (`LeakLinter.lintMessage`) is about, in place of an advisory id.
    public static let messageSubject = "the message"

    /// A report on a bare commit message: the default vocabulary, no advisory.
    public static func message(_ text: String, accepting keys: Set<String> = [], strict: Bool = false) -> LintReport {
        LintReport(advisory: messageSubject, findings: LeakLinter.lintMessage(text), acceptedKeys: keys, strict: strict)
    }
}

/// A lint finding accepted on an advisory, and where and what it was then.
public struct AcceptedFinding: Codable, Sendable, Equatable {
    public var key: String
    public var location: String
    public var term: String
    public var acceptedAt: String
    public var acceptedBy: String

    enum CodingKeys: String, CodingKey {
        case key, location, term
        case acceptedAt = "accepted_at"
        case acceptedBy = "accepted_by"
    }
}

extension Workspace {
    /// Checks what an advisory's fix shows before publication for words that
    /// give the vulnerability away: every patch's message, the files the
    /// patches touch, the names of tests they add, and the project's local
    /// branches (other than its release branches), which someone may push.
    /// `texts` adds texts such as release notes and announcements.
    ///
    /// The vocabulary is `LintVocabulary.defaults` plus the advisory's own
    /// words (type, CWE names, private title, ids), less the words of file
    /// names already public on its branches.
    ///
    /// ```swift
    /// let findings = try workspace.lint("ADV-2026-001", texts: [LintSubject(location: "release notes", text: notes)])
    /// ```
    public func lint(_ id: String, texts: [LintSubject] = []) throws -> [LintFinding] {
        try Permissions.require(.read, by: member)
        let (advisory, project) = try advisoryAndProject(id)
        let releaseBranches = try self.project(named: project.name).branches
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        let records = try patches(advisory.id)

        var subjects: [LintSubject] = []
        var files: [String] = []
        var tests: [LeakLinter.TestName] = []
        var diffSubjects: [LintSubject] = []
        for record in records {
            subjects.append(LintSubject(location: "commit \(record.branch)#\(record.position) message", text: record.message,
                                        kind: .message, key: "commit-\(record.branch)-\(record.position)"))
            for file in record.files where !files.contains(file) { files.append(file) }
            for patch in try Mbox.parse(try store.blob(record.blob)) {
                for test in LeakLinter.testNames(in: patch.additions) where !tests.contains(test) { tests.append(test) }
                diffSubjects += LeakLinter.diffSubjects(patch.text, branch: record.branch, position: record.position)
            }
        }
        subjects += files.map { LintSubject(location: "file \($0)", text: $0, kind: .file, key: "file-\($0)") }
        subjects += tests.map { test in
            let shown = test.name.contains(where: \.isWhitespace) ? "'\(test.name)'" : test.name
            return LintSubject(location: "test \(shown) in \(test.file)", text: test.name, kind: .test, key: "test-\(test.name)")
        }
        let refs = try git.output(["for-each-ref", "--format=%(refname:short)", "refs/heads"])
        for branch in refs.split(whereSeparator: \.isNewline).map(String.init) where !releaseBranches.contains(branch) {
            subjects.append(LintSubject(location: "branch \(branch)", text: branch, kind: .branch, key: "branch-\(branch)"))
        }
        // Read after the names: the same leak in a test's name is reported there.
        subjects += diffSubjects
        subjects += texts

        let cweNames = advisory.cwes.map(CWENames.name)
        let candidates = LintVocabulary.advisoryWords(vulnerabilityType: advisory.vulnerabilityType, privateTitle: advisory.privateTitle,
                                                      cweNames: cweNames)
        let advisoryTerms = LintVocabulary.advisoryTerms(
            vulnerabilityType: advisory.vulnerabilityType, privateTitle: advisory.privateTitle,
            cweNames: cweNames, ids: [advisory.id, advisory.saID, advisory.cveID, advisory.ghsaID].compactMap { $0 },
            publicWords: try publicWords(among: candidates, git, branches: advisory.branches, remote: project.remote))
        return LeakLinter.lint(Self.uniqueKeys(subjects), vocabulary: LintVocabulary.defaults.adding(advisoryTerms))
    }

    /// `lint` with the findings accepted on the advisory. First records the
    /// acceptance of `accepting` and revokes `revoking` (keys), on the audit
    /// trail; a key that matches no finding (or no acceptance) is refused and
    /// nothing changes. With `recording` false (a dry run) the keys count for
    /// this report only. Without `strict`, strict when the project follows the
    /// `drupal` profile.
    public func lintReport(_ id: String, accepting keys: Set<String> = [], revoking: Set<String> = [], texts: [LintSubject] = [],
                           strict: Bool? = nil, recording: Bool = true) throws -> LintReport
    {
        let findings = try lint(id, texts: texts)
        let advisory = try advisory(id)
        if !keys.isEmpty || !revoking.isEmpty {
            try changeAcceptances(advisory.id, accepting: keys, revoking: revoking, findings: findings, recording: recording)
        }
        // A project without a profile list is linted at the default level.
        let strict = strict ?? ((try? profiles(of: advisory.project))?.contains(.drupal) ?? false)
        return LintReport(advisory: advisory.id, findings: findings, acceptedKeys: recording ? [] : keys, strict: strict,
                          accepted: try acceptedFindings(advisory.id))
    }

    /// For steps that make the fix public (pre-release, publish): refuses
    /// (exit 3) while a finding is not accepted. `step` is the step's own
    /// command (`embargo publish ID`), which accepts the findings of `texts`;
    /// the others are accepted with `embargo lint ID --accept-finding KEY`.
    @discardableResult
    public func requireCleanLint(_ id: String, accepting keys: Set<String>, texts: [LintSubject] = [], strict: Bool? = nil,
                                 step: String? = nil, recording: Bool = true) throws -> LintReport
    {
        let report = try lintReport(id, accepting: keys, texts: texts, strict: strict, recording: recording)
        let ownKeys = texts.map { $0.key + ":" }
        let refusal = report.refusal { finding in
            guard ownKeys.contains(where: finding.key.hasPrefix) else { return "embargo lint \(report.advisory) --accept-finding \(finding.key)" }
            return step.map { "\($0) --accept-finding \(finding.key)" }
        }
        if let refusal { throw refusal }
        return report
    }

    /// The lint findings accepted on an advisory, in the order they were accepted.
    public func acceptedFindings(_ id: String) throws -> [AcceptedFinding] {
        try store.read { db in
            let advisory = try Self.fetchAdvisory(db, id)
            return try Row.fetchAll(db, sql: "SELECT * FROM accepted_findings WHERE advisory = ? ORDER BY accepted_at, key",
                                    arguments: [advisory.id]).map {
                AcceptedFinding(key: $0["key"], location: $0["location"], term: $0["term"], acceptedAt: $0["accepted_at"],
                                acceptedBy: $0["accepted_by"])
            }
        }
    }

    private func changeAcceptances(_ id: String, accepting keys: Set<String>, revoking: Set<String>, findings: [LintFinding],
                                   recording: Bool) throws
    {
        try Permissions.require(anyOf: Permissions.acceptFinding, by: member)
        let stored = Set(try acceptedFindings(id).map(\.key))
        for key in keys.sorted() where !findings.contains(where: { $0.key == key }) {
            let close = Suggestion.closest(to: key, among: findings.map(\.key))
            throw EmbargoError(.usage, "no lint finding of \(id) has the key \(key)",
                               hint: (close.map { "did you mean '\($0)'? " } ?? "") + "run 'embargo lint \(id)' to see the findings and their keys")
        }
        for key in revoking.sorted() where !stored.contains(key) {
            let close = Suggestion.closest(to: key, among: Array(stored))
            throw EmbargoError(.usage, "no accepted lint finding of \(id) has the key \(key)",
                               hint: (close.map { "did you mean '\($0)'? " } ?? "") + "run 'embargo lint \(id)' to see the accepted ones")
        }
        let added = keys.subtracting(stored).subtracting(revoking).sorted()
        let removed = revoking.sorted()
        guard recording, !added.isEmpty || !removed.isEmpty else { return }
        var detail: [String] = []
        if !added.isEmpty { detail.append("accepted " + added.joined(separator: " ")) }
        if !removed.isEmpty { detail.append("revoked " + removed.joined(separator: " ")) }
        let stamp = now
        try audited("lint.accept", id, detail: detail.joined(separator: "; ")) { db in
            for key in removed {
                try db.execute(sql: "DELETE FROM accepted_findings WHERE advisory = ? AND key = ?", arguments: [id, key])
            }
            for key in added {
                guard let finding = findings.first(where: { $0.key == key }) else { continue }
                try db.execute(sql: """
                    INSERT INTO accepted_findings (advisory, key, location, term, accepted_at, accepted_by) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [id, key, finding.location, finding.term, stamp, member.name])
            }
        }
    }

    /// Which of `candidates` (lowercase words) are words of file names on the
    /// advisory's branches: public already. A project has 10,000s of paths and
    /// an advisory a handful of words, so each word is first looked for in all
    /// the names at once, and only the names that contain it are split into words.
    private func publicWords(among candidates: Set<String>, _ git: Git, branches: [String], remote: String) throws -> Set<String> {
        guard !candidates.isEmpty else { return [] }
        // Every path of every branch, each followed by a NUL.
        var names: [UInt8] = []
        let heads = try git.branchCommits(branches, remote: remote)
        for branch in branches {
            guard let head = heads[branch] else { continue }
            let listing = try git.run(["ls-tree", "-r", "-z", "--name-only", head])
            guard listing.status == 0 else {
                throw EmbargoError(.failure, "git ls-tree failed on \(branch): \(firstLine(listing.stderrText))")
            }
            names += listing.stdout
        }
        return Self.wordsOfNames(names, among: candidates)
    }

    /// The words of `candidates` that are words of a NUL-terminated name in `names`.
    static func wordsOfNames(_ names: [UInt8], among candidates: Set<String>) -> Set<String> {
        func name(around index: Int) -> Range<Int> {
            var start = index
            while start > 0, names[start - 1] != 0 { start -= 1 }
            var end = index
            while end < names.count, names[end] != 0 { end += 1 }
            return start..<end
        }
        func hasWord(_ range: Range<Int>, _ word: String) -> Bool {
            LeakLinter.words(String(decoding: names[range], as: UTF8.self)).contains(word)
        }
        // ASCII case folding finds an ASCII word in an ASCII name; names with other
        // bytes (whose letters may fold differently) are split into words one by one.
        let folded = names.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        var others: [Range<Int>] = []
        var start = 0
        var plain = true
        for (index, byte) in names.enumerated() {
            if byte == 0 {
                if !plain { others.append(start..<index) }
                start = index + 1
                plain = true
            } else if byte >= 0x80 {
                plain = false
            }
        }
        var found = Set<String>()
        for word in candidates {
            let needle = Array(word.utf8)
            if needle.allSatisfy({ $0 < 0x80 }) {
                var from = 0
                while let hit = Self.find(needle, in: folded, from: from) {
                    let range = name(around: hit)
                    if hasWord(range, word) {
                        found.insert(word)
                        break
                    }
                    from = range.upperBound
                }
            }
            if !found.contains(word), others.contains(where: { hasWord($0, word) }) { found.insert(word) }
        }
        return found
    }

    /// The first index at or after `from` where `needle` occurs in `haystack`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, from + needle.count <= haystack.count else { return nil }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                let base = hay.baseAddress!
                let last = hay.count - pin.count
                var index = from
                while index <= last {
                    guard let candidate = memchr(base + index, Int32(needle[0]), last - index + 1) else { return nil }
                    let at = base.distance(to: UnsafeRawPointer(candidate))
                    if memcmp(candidate, pin.baseAddress!, pin.count) == 0 { return at }
                    index = at + 1
                }
                return nil
            }
        }
    }

    /// Two subjects never share a key: a later one gets `-2`, `-3`, ...
    static func uniqueKeys(_ subjects: [LintSubject]) -> [LintSubject] {
        var result: [LintSubject] = []
        var used = Set<String>()
        for var subject in subjects where !result.contains(where: { $0.location == subject.location && $0.text == subject.text }) {
            let base = subject.key
            var n = 1
            while used.contains(subject.key) {
                n += 1
                subject.key = "\(base)-\(n)"
            }
            used.insert(subject.key)
            result.append(subject)
        }
        return result
    }
}

extension LeakLinter {
    /// A test a patch adds, and the file it is in.
    public struct TestName: Sendable, Equatable {
        public var name: String
        public var file: String
    }

    /// The names of tests declared in added lines: `function testX` (PHP, JS),
    /// `def test_x` (Python), `func testX`/`func TestX` (Swift, Go), `fn test_x`
    /// (Rust), `void testX`/`fun testX` (Java, Kotlin), Swift Testing's
    /// `@Test("...")` and `@Test func x`, and in test files `it('...')`,
    /// `test('...')` and `describe('...')`.
    public static func testNames(in additions: [AddedLine]) -> [TestName] {
        var names: [TestName] = []
        func add(_ name: Substring, _ file: String) {
            let name = name.trimmingCharacters(in: .whitespaces)
            let test = TestName(name: name, file: file)
            if !name.isEmpty, !names.contains(test) { names.append(test) }
        }
        for line in additions {
            for match in line.text.matches(of: /\b(?:function|def|func|fn|void|fun)\s+([Tt]est\w*)/) { add(match.1, line.file) }
            if line.text.contains("@Test") {
                if let match = line.text.firstMatch(of: /@Test\s*\(\s*"([^"]*)"/) { add(match.1, line.file) }
                if let match = line.text.firstMatch(of: /@Test\b.*\bfunc\s+(\w+)/), !match.1.lowercased().hasPrefix("test") {
                    add(match.1, line.file)
                }
            }
            // Only in test files: elsewhere `/x/.test("...")` and friends are ordinary calls.
            guard isTestFile(line.file) else { continue }
            for match in line.text.matches(of: /(?:^|[^.\w$])(?:it|test|describe)\s*\(\s*(?:'([^']*)'|"([^"]*)"|`([^`]*)`)/) {
                if let name = match.1 ?? match.2 ?? match.3 { add(name, line.file) }
            }
        }
        return names
    }

    /// Whether a path looks like a test file: under a `tests`/`test`/
    /// `__tests__`/`spec` directory, or named like `GreetingTest.php`,
    /// `test_greeting.py`, `greeting_test.go`, `greeting.test.js`, `greeting.spec.ts`.
    public static func isTestFile(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        guard let name = components.last else { return false }
        if components.dropLast().contains(where: { ["test", "tests", "__tests__", "spec", "specs"].contains($0.lowercased()) }) { return true }
        // Case matters in the first form: `GreetingTest.php` is a test, `Contest.php` is not.
        return name.wholeMatch(of: /.*Tests?\.(?:php|swift|java|kt|cs)/) != nil
            || name.wholeMatch(of: /(?:test_.*\.py|.*_test\.(?:py|go|rb|rs|c|cc|cpp))/) != nil
            || name.wholeMatch(of: /.*\.(?:test|spec)\.[cm]?[jt]sx?/) != nil
    }
}
