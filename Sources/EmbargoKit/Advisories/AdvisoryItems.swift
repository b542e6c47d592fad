import EmbargoStore
import Foundation
import GRDB

/// An advisory's lists, kept one element a row in `advisory_items` so that
/// two members who each add a credit (a branch, a CWE, a reference) on their
/// own machine both keep it after a team sync.
///
/// Reading needs nothing of the caller: `Advisory.databaseSelection` has
/// SQLite build each list as the JSON array the advisory decodes (JSONDecoder),
/// and a list of advisories reads them all in one pass (`all`). Writing
/// follows every insert and update of an advisory (`aroundSave`), and changes
/// only the rows whose element changed, so that a sync sends just those.
enum AdvisoryItems {
    enum Kind {
        case text, number, person
    }

    /// Each list: its name in `advisory_items.list` (also the column name the
    /// advisory decodes it from) and what its elements are.
    static let lists: [(name: String, kind: Kind)] = [
        ("branches", .text), ("cwes", .number), ("reporters", .person), ("fixers", .person),
        ("coordinators", .person), ("credits", .person), ("reference_urls", .text),
    ]

    /// The stored name of a list (`reference_urls` is `references` in the table).
    static func stored(_ list: String) -> String {
        list == "reference_urls" ? "references" : list
    }

    /// The selection that reads every list of an advisory as a JSON array.
    static var selection: [any SQLSelectable] { selectionSQL.map { SQL(sql: $0) } }

    private static let selectionSQL: [String] = lists.map { list in
        let element = switch list.kind {
        case .text: "item"
        case .number: "CAST(item AS INTEGER)"
        // A person's absent contact or type is left out, as the advisory's encoder leaves it out.
        // (An object loses its JSON type on its way out of the inner query: json() gives it back.)
        case .person: """
            CASE WHEN contact IS NULL AND type IS NULL THEN json_object('name', item) \
            WHEN type IS NULL THEN json_object('name', item, 'contact', contact) \
            WHEN contact IS NULL THEN json_object('name', item, 'type', type) \
            ELSE json_object('name', item, 'contact', contact, 'type', type) END
            """
        }
        return """
            (SELECT json_group_array(\(list.kind == .person ? "json(element)" : "element")) FROM (SELECT \(element) AS element FROM advisory_items \
            WHERE advisory = advisories.id AND list = '\(stored(list.name))' ORDER BY position, item)) AS \(list.name)
            """
    }

    /// An advisory's lists, as `selection` builds them.
    struct Lists {
        var branches: [String] = [], cwes: [Int] = [], references: [String] = []
        var reporters: [Person] = [], fixers: [Person] = [], coordinators: [Person] = [], credits: [Person] = []
    }

    /// Every advisory's lists by advisory id, in one pass over the table: what
    /// `selection` builds for each advisory, in the same order, without JSON in
    /// between. For lists of advisories, where one JSONDecoder per list and
    /// advisory cost more than fetching the rows.
    static func all(_ db: Database) throws -> [String: Lists] {
        var result: [String: Lists] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT advisory, list, item, CAST(item AS INTEGER), contact, type FROM advisory_items
            ORDER BY advisory, list, position, item
            """)
        while let row = try rows.next() {
            let advisory: String = row[0]
            let list: String = row[1]
            let item: String = row[2]
            var person: Person { Person(name: item, contact: row[4], type: row[5]) }
            switch list {
            case "branches": result[advisory, default: Lists()].branches.append(item)
            case "cwes": result[advisory, default: Lists()].cwes.append(row[3])
            case "references": result[advisory, default: Lists()].references.append(item)
            case "reporters": result[advisory, default: Lists()].reporters.append(person)
            case "fixers": result[advisory, default: Lists()].fixers.append(person)
            case "coordinators": result[advisory, default: Lists()].coordinators.append(person)
            case "credits": result[advisory, default: Lists()].credits.append(person)
            default: break
            }
        }
        return result
    }

    struct Element: Equatable {
        var position: Int64
        var contact: String?
        var type: String?
    }

    /// What the advisory's lists say, by (list, item).
    static func elements(of advisory: Advisory) throws -> [String: [String: Element]] {
        var result: [String: [String: Element]] = [:]
        func add(_ list: String, _ item: String, _ element: Element, person: Bool) throws {
            if let known = result[list]?[item] {
                // The same branch, CWE or URL twice is the same element; a person twice with
                // another contact or credit type cannot be kept as one.
                if !person || (known.contact == element.contact && known.type == element.type) { return }
                throw EmbargoError(.usage, "\(list) names \(item.prefix(80)) twice, with different details",
                                   hint: "name each person once in \(list)")
            }
            result[list, default: [:]][item] = element
        }
        func texts(_ list: String, _ values: [String]) throws {
            for (index, value) in values.enumerated() where !value.isEmpty {
                try add(list, value, Element(position: Int64(index)), person: false)
            }
        }
        func people(_ list: String, _ values: [Person]) throws {
            for (index, person) in values.enumerated() where !person.name.isEmpty {
                try add(list, person.name, Element(position: Int64(index), contact: person.contact, type: person.type), person: true)
            }
        }
        try texts("branches", advisory.branches)
        try texts("cwes", advisory.cwes.map(String.init))
        try people("reporters", advisory.reporters)
        try people("fixers", advisory.fixers)
        try people("coordinators", advisory.coordinators)
        try people("credits", advisory.credits)
        try texts("references", advisory.references)
        return result
    }

    /// Makes the rows of `advisory` say what its lists say, changing only the
    /// rows that differ.
    static func write(_ advisory: Advisory, _ db: Database) throws {
        let wanted = try elements(of: advisory)
        var stored: [String: [String: Element]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT list, item, position, contact, type FROM advisory_items WHERE advisory = ?",
                                    arguments: [advisory.id]) {
            stored[row["list"], default: [:]][row["item"]] = Element(position: row["position"], contact: row["contact"], type: row["type"])
        }
        for (list, items) in stored {
            for item in items.keys where wanted[list]?[item] == nil {
                try db.execute(sql: "DELETE FROM advisory_items WHERE advisory = ? AND list = ? AND item = ?",
                               arguments: [advisory.id, list, item])
            }
        }
        for (list, items) in wanted {
            for (item, element) in items {
                guard let known = stored[list]?[item] else {
                    try db.execute(sql: "INSERT INTO advisory_items (advisory, list, item, position, contact, type) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [advisory.id, list, item, element.position, element.contact, element.type])
                    continue
                }
                if known != element {
                    try db.execute(sql: "UPDATE advisory_items SET position = ?, contact = ?, type = ? WHERE advisory = ? AND list = ? AND item = ?",
                                   arguments: [element.position, element.contact, element.type, advisory.id, list, item])
                }
            }
        }
    }
}
