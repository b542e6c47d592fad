import EmbargoStore
import Foundation

/// Validation and application of user input to an advisory's fields.
enum AdvisoryFields {
    /// Applies `input` to `advisory`; returns the names of the fields it changed.
    static func apply(_ input: AdvisoryInput, to advisory: inout Advisory, projectBranches: [String]) throws -> [String] {
        try Limits.check(input)
        var changed: [String] = []
        func set<T: Equatable>(_ keyPath: WritableKeyPath<Advisory, T>, _ value: T, _ name: String) {
            if advisory[keyPath: keyPath] != value {
                advisory[keyPath: keyPath] = value
                changed.append(name)
            }
        }
        if let title = input.privateTitle {
            guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw EmbargoError(.usage, "the title is empty") }
            set(\.privateTitle, title, "title")
        }
        if let value = input.publicTitle { set(\.publicTitle, value.nilIfEmpty, "public title") }
        if let value = input.vulnerabilityType { set(\.vulnerabilityType, value.nilIfEmpty, "vulnerability type") }
        if let value = input.description { set(\.description, value.nilIfEmpty, "description") }
        if let value = input.solution { set(\.solution, value.nilIfEmpty, "solution") }
        if let branches = input.branches {
            guard !branches.isEmpty else { throw EmbargoError(.usage, "an advisory affects at least one branch") }
            for branch in branches where !projectBranches.contains(branch) {
                throw EmbargoError(.failure, "branch \(branch) is not a release branch of project \(advisory.project)",
                                   hint: "the project's branches: \(projectBranches.joined(separator: ", "))")
            }
            guard Set(branches).count == branches.count else { throw EmbargoError(.usage, "a branch is given twice") }
            // Keep the project's order, so exports list branches consistently.
            set(\.branches, projectBranches.filter(branches.contains), "branches")
        }
        if let cwes = input.cwes { set(\.cwes, try cwes.map(parseCWE), "CWE") }
        if let people = input.reporters { set(\.reporters, try parsePeople(people, "reporter"), "reporters") }
        if let when = input.reportedAt { set(\.reportedAt, when.isEmpty ? nil : try parseTime(when, field: "--reported-at"), "reported at") }
        if let people = input.fixers { set(\.fixers, try parsePeople(people, "fixer"), "fixers") }
        if let people = input.coordinators { set(\.coordinators, try parsePeople(people, "coordinator"), "coordinators") }
        if let people = input.credits { set(\.credits, try people.map(parseCredit), "credits") }
        if let value = input.saID { set(\.saID, try validated(value, SAID.pattern, "SA id", example: "SA-CONTRIB-2026-001"), "SA id") }
        if let value = input.cveID { set(\.cveID, try validated(value, #"^CVE-[0-9]{4}-[0-9]{4,}$"#, "CVE id", example: "CVE-2026-12345"), "CVE id") }
        if let value = input.ghsaID {
            set(\.ghsaID, try validated(value, #"^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$"#, "GHSA id", example: "GHSA-9v2f-6vcg-3hgv"), "GHSA id")
        }
        if let value = input.affectedFrom {
            guard value.isEmpty || ReleaseVersion(value) != nil else {
                throw EmbargoError(.usage, "the first affected version '\(EmbargoError.quoted(value))' is not a release version", hint: "give the first affected release, e.g. --affected-from 1.2.0 (or 8.x-1.5)")
            }
            set(\.affectedFrom, value.nilIfEmpty, "affected from")
        }
        if let urls = input.references { set(\.references, try urls.map(parseURL), "references") }
        if let vector = input.riskVector {
            set(\.riskVector, vector.isEmpty ? nil : try SeverityInput.normalizedRisk(vector), "risk")
        }
        if let vectors = input.cvssVectors {
            for vector in vectors {
                switch try SeverityInput.normalizedCVSS(vector) {
                case .v3(let text): set(\.cvss31Vector, text, "CVSS v3")
                case .v40(let text): set(\.cvss40Vector, text, "CVSS v4.0")
                }
            }
        }
        return changed
    }

    static func parseCWE(_ text: String) throws -> Int {
        let digits = text.uppercased().hasPrefix("CWE-") ? String(text.dropFirst(4)) : text
        guard let number = Int(digits), number > 0, String(number) == digits else {
            throw EmbargoError(.usage, "'\(text)' is not a CWE id", hint: "write it as CWE-79 or 79")
        }
        return number
    }

    static func parsePeople(_ texts: [String], _ what: String) throws -> [Person] {
        try texts.map { text in
            let person = Person.parse(text)
            guard !person.name.isEmpty else { throw EmbargoError(.usage, "a \(what) needs a name", hint: "write 'Name' or 'Name <contact>'") }
            return person
        }
    }

    static let creditTypes = ["FINDER", "REPORTER", "ANALYST", "COORDINATOR", "REMEDIATION_DEVELOPER",
                              "REMEDIATION_REVIEWER", "REMEDIATION_VERIFIER", "TOOL", "SPONSOR", "OTHER"]

    /// `Name`, `Name <contact>`, optionally followed by `:TYPE` (an OSV credit type).
    static func parseCredit(_ text: String) throws -> Person {
        var body = text
        var type: String?
        if let colon = text.lastIndex(of: ":"), creditTypes.contains(text[text.index(after: colon)...].uppercased()) {
            type = text[text.index(after: colon)...].uppercased()
            body = String(text[..<colon])
        }
        var person = Person.parse(body)
        guard !person.name.isEmpty else { throw EmbargoError(.usage, "a credit needs a name") }
        person.type = type ?? "OTHER"
        return person
    }

    static func parseURL(_ text: String) throws -> String {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw EmbargoError(.usage, "'\(text)' is not an http(s) URL")
        }
        return text
    }

    /// Accepts `2026-11-25`, `2026-11-25T10:00:00Z` or with an offset; stores UTC.
    static func parseTime(_ text: String, field: String) throws -> String {
        if let match = text.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})/) {
            try LocalTime.checkCalendar(text, year: Int(match.1)!, month: Int(match.2)!, day: Int(match.3)!)
            return Timestamp.string(try LocalTime.parse(text + "T00:00Z", zone: TimeZone(identifier: "UTC")!))
        }
        if text.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})/) != nil {
            return Timestamp.string(try LocalTime.parse(text, zone: TimeZone(identifier: "UTC")!))
        }
        throw EmbargoError(.usage, "\(field): '\(text)' is not a date or time",
                           hint: "use 2026-11-25 or 2026-11-25T16:00:00Z (ISO 8601)")
    }

    static func validated(_ value: String, _ pattern: String, _ what: String, example: String) throws -> String? {
        if value.isEmpty { return nil }
        let upper = what == "GHSA id" ? "GHSA" + value.dropFirst(4).lowercased() : value.uppercased()
        guard upper.range(of: pattern, options: .regularExpression) != nil else {
            throw EmbargoError(.usage, "'\(EmbargoError.quoted(value))' is not a valid \(what)", hint: "for example \(example)")
        }
        return upper
    }
}

/// Drupal security advisory ids.
enum SAID {
    static let pattern = #"^(SA-(CONTRIB|CORE)-[0-9]{4}-[0-9]{3,}|PSA-[0-9]{4}-[0-9]{2}-[0-9]{2})$"#
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// What a field may hold (README, "Limits"): one-line fields are at most
/// `titleLength` characters without control characters; texts at most
/// `textBytes` without NUL; a patch at most `patchBytes`.
public enum Limits {
    public static let titleLength = 200
    public static let lineLength = 1000
    public static let textBytes = 64 * 1024
    public static let patchBytes = 8 * 1024 * 1024

    static func check(_ input: AdvisoryInput) throws {
        try line(input.privateTitle, "the title", maximum: titleLength)
        try line(input.publicTitle, "the public title", maximum: titleLength)
        try line(input.vulnerabilityType, "the vulnerability type", maximum: titleLength)
        for (values, what) in [(input.reporters, "a reporter"), (input.fixers, "a fixer"), (input.coordinators, "a coordinator"),
                               (input.credits, "a credit"), (input.references, "a reference"), (input.cwes, "a CWE id"),
                               (input.branches, "a branch")] {
            for value in values ?? [] { try line(value, what, maximum: lineLength) }
        }
        for (value, what) in [(input.saID, "the SA id"), (input.cveID, "the CVE id"), (input.ghsaID, "the GHSA id"),
                              (input.riskVector, "the risk vector"), (input.reportedAt, "the report time"),
                              (input.affectedFrom, "the first affected version")] {
            try line(value, what, maximum: lineLength)
        }
        for vector in input.cvssVectors ?? [] { try line(vector, "a CVSS vector", maximum: lineLength) }
        try text(input.description, "the description")
        try text(input.solution, "the solution")
    }

    /// One line of text: no control character, at most `maximum` characters.
    public static func line(_ value: String?, _ what: String, maximum: Int) throws {
        guard let value else { return }
        if let bad = value.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            throw EmbargoError(.usage, "\(what) holds a control character (U+\(String(format: "%04X", bad.value))); it is one line of text",
                               hint: "remove it; longer texts go in --description or --description-file")
        }
        if value.count > maximum {
            throw EmbargoError(.usage, "\(what) is \(value.count) characters long; at most \(maximum) are kept",
                               hint: "shorten it; longer texts go in --description or --description-file")
        }
    }

    /// A text of several lines: no NUL, at most `textBytes` bytes.
    public static func text(_ value: String?, _ what: String) throws {
        guard let value else { return }
        if value.unicodeScalars.contains("\u{0}") {
            throw EmbargoError(.usage, "\(what) holds a NUL character", hint: "is it a text file?")
        }
        if value.utf8.count > textBytes {
            throw EmbargoError(.usage, "\(what) is \(value.utf8.count) bytes; at most \(textBytes) are kept",
                               hint: "link to a longer text with --reference instead")
        }
    }
}
