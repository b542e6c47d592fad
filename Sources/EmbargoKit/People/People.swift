import EmbargoStore
import Foundation

/// A person credited in release notes: their drupal.org username, the
/// organization their credits go to, and optionally the name they commit
/// under (so a commit credited to its author finds them).
public struct CreditedPerson: Sendable, Equatable, Codable {
    public var username: String
    public var organization: String?
    public var displayName: String?

    public init(username: String, organization: String? = nil, displayName: String? = nil) {
        self.username = username
        self.organization = organization
        self.displayName = displayName
    }

    /// drupal.org usernames are case-insensitive; the store keys people by this.
    var key: String { username.lowercased() }

    enum CodingKeys: String, CodingKey {
        case username, organization
        case displayName = "display_name"
    }

    /// Every key, null when unset (the JSON of `people list` is a contract).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(username, forKey: .username)
        try container.encode(organization, forKey: .organization)
        try container.encode(displayName, forKey: .displayName)
    }
}

/// The people the team keeps credits for, looked up by username.
public struct PeopleDirectory: Sendable, Equatable {
    public let people: [CreditedPerson]
    private let byKey: [String: CreditedPerson]
    private let byDisplayName: [String: CreditedPerson]

    public init(_ people: [CreditedPerson]) {
        self.people = people
        byKey = Dictionary(people.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        byDisplayName = Dictionary(people.compactMap { person in person.displayName.map { ($0.lowercased(), person) } },
                                   uniquingKeysWith: { first, _ in first })
    }

    public static func == (lhs: PeopleDirectory, rhs: PeopleDirectory) -> Bool { lhs.people == rhs.people }

    /// The person with this username (any case, with or without a leading `@`).
    public func person(_ username: String) -> CreditedPerson? {
        byKey[(username.hasPrefix("@") ? String(username.dropFirst()) : username).lowercased()]
    }

    /// A commit author's username: the person whose display name it is, else the author as written.
    func username(forAuthor author: String) -> String {
        person(author)?.username ?? byDisplayName[author.lowercased()]?.username ?? author
    }

    /// Reads the credits file the team keeps: one person a line,
    /// `username,organization[,display name]` in CSV (a field holding a comma
    /// or a quote is quoted, `"Acme, Inc."`). An empty organization means
    /// none; blank lines, lines starting with `#` and a first line
    /// `username,organization...` (a header) are skipped.
    ///
    /// ```
    /// # username,organization,display name
    /// longwave,Acme,Dave Long
    /// catch,"Example, Ltd."
    /// ```
    public static func parse(_ text: String) throws -> [CreditedPerson] {
        var people: [CreditedPerson] = []
        var seen: [String: Int] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            let number = index + 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = try csvFields(line, line: number)
            if people.isEmpty, seen.isEmpty, fields.first?.lowercased() == "username" { continue }
            guard (2...3).contains(fields.count) else {
                throw EmbargoError(.failure, "line \(number) of the people file has \(fields.count) field\(fields.count == 1 ? "" : "s")",
                                   hint: "each line is 'username,organization[,display name]'; quote a field that holds a comma")
            }
            let person = CreditedPerson(username: fields[0], organization: fields[1].isEmpty ? nil : fields[1],
                                displayName: fields.count > 2 && !fields[2].isEmpty ? fields[2] : nil)
            try validate(person, line: number)
            if let earlier = seen[person.key] {
                throw EmbargoError(.failure, "line \(number) of the people file names \(person.username) again (first on line \(earlier))")
            }
            seen[person.key] = number
            people.append(person)
        }
        return people
    }

    static func validate(_ person: CreditedPerson, line: Int? = nil) throws {
        let place = line.map { "line \($0) of the people file: " } ?? ""
        func check(_ value: String, _ what: String, limit: Int) throws {
            guard !value.isEmpty, value.count <= limit, !value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
            else {
                throw EmbargoError(.usage, "\(place)\(what) '\(value.prefix(80))' is empty, longer than \(limit) characters or has control characters")
            }
        }
        // 60 is drupal.org's own limit on usernames.
        try check(person.username, "the username", limit: 60)
        if person.username.hasPrefix("@") || person.username != person.username.trimmingCharacters(in: .whitespaces) {
            throw EmbargoError(.usage, "\(place)the username '\(person.username.prefix(80))' starts with '@' or a space",
                               hint: "write the drupal.org username as it is, without '@'")
        }
        if let organization = person.organization { try check(organization, "the organization", limit: 255) }
        if let name = person.displayName { try check(name, "the display name", limit: 255) }
    }

    /// The fields of one CSV line (RFC 4180 quoting, no line breaks in fields).
    static func csvFields(_ line: String, line number: Int) throws -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var wasQuoted = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            if quoted {
                if character == "\"" {
                    // A doubled quote is a quote; a single one ends the field.
                    var lookahead = characters
                    if lookahead.next() == "\"" {
                        field.append("\"")
                        characters = lookahead
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "," {
                fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
                field = ""
                wasQuoted = false
            } else if character == "\"", field.trimmingCharacters(in: .whitespaces).isEmpty, !wasQuoted {
                field = ""
                quoted = true
                wasQuoted = true
            } else if wasQuoted {
                if !character.isWhitespace {
                    throw EmbargoError(.failure, "line \(number) of the people file has text after a closing quote")
                }
            } else {
                field.append(character)
            }
        }
        if quoted { throw EmbargoError(.failure, "line \(number) of the people file has a quote that is not closed") }
        fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
