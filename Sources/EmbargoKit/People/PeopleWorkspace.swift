import EmbargoStore
import Foundation
import GRDB

extension Workspace {
    /// The people the team keeps credits for, by username.
    public func people() throws -> [CreditedPerson] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT username, organization, display_name FROM people ORDER BY key").map {
                CreditedPerson(username: $0["username"], organization: $0["organization"], displayName: $0["display_name"])
            }
        }
    }

    /// What an import changed.
    public struct PeopleImport: Sendable, Equatable {
        public var added: Int
        public var changed: Int
        public var unchanged: Int
    }

    /// Adds or updates every person of a credits file (`PeopleDirectory.parse`);
    /// people the file does not name stay as they are. `source` names the file
    /// on the audit trail.
    @discardableResult
    public func importPeople(_ text: String, source: String) throws -> PeopleImport {
        try Permissions.require(.manageProjects, by: member)
        let incoming = try PeopleDirectory.parse(text)
        guard !incoming.isEmpty else {
            throw EmbargoError(.failure, "the people file \(source) names nobody",
                               hint: "each line is 'username,organization[,display name]'")
        }
        let existing = PeopleDirectory(try people())
        let added = incoming.filter { existing.person($0.username) == nil }
        let changed = incoming.filter { person in existing.person(person.username).map { $0 != person } ?? false }
        let result = PeopleImport(added: added.count, changed: changed.count, unchanged: incoming.count - added.count - changed.count)
        guard !added.isEmpty || !changed.isEmpty else { return result }
        let stamp = now
        let name = member.name
        try audited("people.import", "people", detail: "\(added.count) added, \(changed.count) changed from \(source)") { db in
            for person in added + changed { try Self.save(db, person, at: stamp, by: name) }
        }
        return result
    }

    /// Sets a person's organization and/or display name; an empty value clears it.
    @discardableResult
    public func setPerson(_ username: String, organization: String?, displayName: String?) throws -> CreditedPerson {
        try Permissions.require(.manageProjects, by: member)
        guard organization != nil || displayName != nil else {
            throw EmbargoError(.usage, "nothing to change", hint: "pass --org ORG or --name NAME (an empty value clears it)")
        }
        var person = PeopleDirectory(try people()).person(username) ?? CreditedPerson(username: username)
        person.username = username
        if let organization { person.organization = organization.isEmpty ? nil : organization }
        if let displayName { person.displayName = displayName.isEmpty ? nil : displayName }
        try PeopleDirectory.validate(person)
        let stamp = now
        let name = member.name
        let final = person
        try audited("people.set", person.key, detail: "organization \(person.organization ?? "none")") { db in
            try Self.save(db, final, at: stamp, by: name)
        }
        return person
    }

    private static func save(_ db: Database, _ person: CreditedPerson, at stamp: String, by member: String) throws {
        try db.execute(sql: """
            INSERT INTO people (key, username, organization, display_name, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET username = excluded.username, organization = excluded.organization,
                display_name = excluded.display_name, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """, arguments: [person.key, person.username, person.organization, person.displayName, stamp, member])
    }
}
