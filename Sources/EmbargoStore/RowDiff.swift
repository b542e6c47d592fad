import Foundation
import GRDB

/// One SQLite value as the team log carries it.
public enum SyncValue: Hashable, Sendable, Codable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let int): self = .integer(int)
        case .double(let double): self = .real(double)
        case .string(let string): self = .text(string)
        case .blob(let data): self = .blob([UInt8](data))
        }
    }

    public var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let int): int.databaseValue
        case .real(let double): double.databaseValue
        case .text(let string): string.databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        }
    }

    public var text: String? {
        if case .text(let string) = self { return string }
        return nil
    }

    public var integer: Int64? {
        if case .integer(let int) = self { return int }
        return nil
    }

    public var description: String {
        switch self {
        case .null: "(none)"
        case .integer(let int): String(int)
        case .real(let double): String(double)
        case .text(let string): string
        case .blob(let bytes): "\(bytes.count) bytes"
        }
    }

    // JSON: null, a number for an integer, a string for text, {"real": x}, {"blob": base64}.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let int = try? container.decode(Int64.self) {
            self = .integer(int)
        } else if let string = try? container.decode(String.self) {
            self = .text(string)
        } else {
            let object = try container.decode([String: String].self)
            if let real = object["real"].flatMap(Double.init) {
                self = .real(real)
            } else if let blob = object["blob"].flatMap({ Data(base64Encoded: $0) }) {
                self = .blob([UInt8](blob))
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a sync value")
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .integer(let int): try container.encode(int)
        case .text(let string): try container.encode(string)
        case .real(let double): try container.encode(["real": String(double)])
        case .blob(let bytes): try container.encode(["blob": Data(bytes).base64EncodedString()])
        }
    }
}

/// A row that one state has and another has not, or has with other values.
///
/// `key` names the row by its primary key columns. An insert carries every
/// column in `new`; a delete every column in `old`; an update only the
/// columns that changed, with their values before (`old`) and after (`new`).
public struct RowChange: Codable, Sendable, Equatable {
    public enum Operation: String, Codable, Sendable {
        case insert, update, delete
    }

    public var table: String
    public var operation: Operation
    public var key: [String: SyncValue]
    public var old: [String: SyncValue]
    public var new: [String: SyncValue]

    public init(table: String, operation: Operation, key: [String: SyncValue],
                old: [String: SyncValue] = [:], new: [String: SyncValue] = [:]) {
        self.table = table
        self.operation = operation
        self.key = key
        self.old = old
        self.new = new
    }

    enum CodingKeys: String, CodingKey {
        case table, key, old, new
        case operation = "op"
    }
}

/// The shape of a table that syncs: its columns and the ones that name a row.
public struct TableShape: Sendable, Equatable {
    public var name: String
    public var columns: [String]
    /// The primary key; every column for a table without one.
    public var key: [String]

    /// Whether a change names this table's key and only its columns (names
    /// go into SQL, so a change from elsewhere must not bring others).
    public func admits(_ change: RowChange) -> Bool {
        let known = Set(columns)
        return Set(change.key.keys) == Set(key) && Set(change.old.keys).isSubset(of: known) && Set(change.new.keys).isSubset(of: known)
    }
}

/// The row-by-row difference between two states of one schema.
///
/// ```swift
/// let changes = try RowDiff.diff(from: base, to: local)
/// ```
public enum RowDiff {
    /// Tables that never travel: SQLite's and GRDB's bookkeeping, and the
    /// full-text index (rebuilt from the advisories wherever they change).
    public static func isLocal(_ table: String) -> Bool {
        table.hasPrefix("sqlite_") || table.hasPrefix("grdb_") || table.hasPrefix("advisory_search")
    }

    /// The tables that sync, in the order they were created: parents before
    /// the children that refer to them.
    public static func tables(_ db: Database) throws -> [TableShape] {
        let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
        return try names.filter { !isLocal($0) }.map { name in
            let columns = try Row.fetchAll(db, sql: "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
            let all: [String] = columns.map { $0["name"] }
            let key = columns.filter { ($0["pk"] as Int? ?? 0) > 0 }
                .sorted { ($0["pk"] as Int? ?? 0) < ($1["pk"] as Int? ?? 0) }
                .map { $0["name"] as String }
            return TableShape(name: name, columns: all, key: key.isEmpty ? all : key)
        }
    }

    /// Keys in a stable order: integers by value, the rest by text.
    static func ordered(_ a: [SyncValue], _ b: [SyncValue]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            switch (x, y) {
            case (.integer(let i), .integer(let j)): return i < j
            default: return x.description < y.description
            }
        }
        return a.count < b.count
    }

    // MARK: Applying

    /// The row `key` names in `table`, or nil.
    public static func row(_ db: Database, _ shape: TableShape, key: [String: SyncValue]) throws -> [String: SyncValue]? {
        let list = shape.columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let condition = shape.key.map { "\"\($0)\" IS ?" }.joined(separator: " AND ")
        guard let row = try Row.fetchOne(db, sql: "SELECT \(list) FROM \"\(shape.name)\" WHERE \(condition) LIMIT 1",
                                         arguments: StatementArguments(shape.key.map { (key[$0] ?? .null).databaseValue }))
        else { return nil }
        var values: [String: SyncValue] = [:]
        for (index, column) in shape.columns.enumerated() { values[column] = SyncValue(row[index] as DatabaseValue) }
        return values
    }

    public static func insert(_ db: Database, _ shape: TableShape, _ values: [String: SyncValue]) throws {
        let columns = shape.columns.filter { values[$0] != nil }
        try db.execute(
            sql: "INSERT INTO \"\(shape.name)\" (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
            arguments: StatementArguments(columns.map { values[$0]!.databaseValue }))
    }

    public static func update(_ db: Database, _ shape: TableShape, key: [String: SyncValue], set values: [String: SyncValue]) throws {
        guard !values.isEmpty else { return }
        let columns = values.keys.sorted()
        let condition = shape.key.map { "\"\($0)\" IS ?" }.joined(separator: " AND ")
        try db.execute(
            sql: "UPDATE \"\(shape.name)\" SET \(columns.map { "\"\($0)\" = ?" }.joined(separator: ", ")) WHERE \(condition)",
            arguments: StatementArguments(columns.map { values[$0]!.databaseValue } + shape.key.map { (key[$0] ?? .null).databaseValue }))
    }

    public static func delete(_ db: Database, _ shape: TableShape, key: [String: SyncValue]) throws {
        let condition = shape.key.map { "\"\($0)\" IS ?" }.joined(separator: " AND ")
        // A primary key names one row (and a table WITHOUT ROWID has one); without one,
        // the key is every column, and of identical rows only one goes.
        let sql = shape.key != shape.columns ? "DELETE FROM \"\(shape.name)\" WHERE \(condition)"
            : "DELETE FROM \"\(shape.name)\" WHERE rowid IN (SELECT rowid FROM \"\(shape.name)\" WHERE \(condition) LIMIT 1)"
        try db.execute(sql: sql, arguments: StatementArguments(shape.key.map { (key[$0] ?? .null).databaseValue }))
    }

    /// Applies changes made on exactly this state (an entry of the team log
    /// on the state before it): every row must be as the change expects.
    /// Returns nil when they applied, else why not.
    public static func applyExactly(_ db: Database, _ changes: [RowChange]) throws -> String? {
        let shapes = Dictionary(uniqueKeysWithValues: try tables(db).map { ($0.name, $0) })
        try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
        for change in changes {
            guard let shape = shapes[change.table] else { return "it changes an unknown table \(change.table.prefix(40))" }
            guard shape.admits(change) else { return "it names unknown columns of \(change.table)" }
            let current = try row(db, shape, key: change.key)
            switch change.operation {
            case .insert:
                guard current == nil else { return "it inserts a row of \(change.table) that exists" }
                try insert(db, shape, change.new)
            case .update:
                guard let current else { return "it updates a row of \(change.table) that does not exist" }
                for (column, value) in change.old where current[column] != value {
                    return "it updates \(change.table).\(column) from a value it does not have"
                }
                try update(db, shape, key: change.key, set: change.new)
            case .delete:
                guard let current, current == change.old else { return "it deletes a row of \(change.table) that differs or does not exist" }
                try delete(db, shape, key: change.key)
            }
        }
        return nil
    }
}

extension RowDiff {
    /// What turns `old` into `new`, computed by SQLite itself: `old` is
    /// attached to `new`'s connection (without a copy) and each table compared,
    /// so that only the rows that differ ever reach Swift.
    ///
    /// Tables in `appendOnly` (name: the integer key) only ever gain rows: when
    /// both states hold the same rows up to the older one's highest key, only
    /// the rows after it are compared.
    public static func diff(from old: StoreState, to new: StoreState, appendOnly: [String: String] = [:]) throws -> [RowChange] {
        try new.queue.writeWithoutTransaction { db in try old.image.attached(to: db, as: "previous") {
            let shapes = try tables(db)
            let previous = Set(try String.fetchAll(db, sql: "SELECT name FROM previous.sqlite_master WHERE type = 'table'"))
            var upserts: [RowChange] = []
            var deletes: [RowChange] = []
            for shape in shapes {
                let list = shape.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                // A row of `from` that `other` lacks or holds with other values: one look-up by the
                // primary key each (NOT EXISTS of an identical row), where EXCEPT would sort both
                // tables whole; EXCEPT for a table without a key.
                let identical = shape.columns.map { "b.\"\($0)\" IS a.\"\($0)\"" }.joined(separator: " AND ")
                let aliased = shape.columns.map { "a.\"\($0)\"" }.joined(separator: ", ")
                func differing(_ from: String, _ other: String?, after start: (String, Int64)? = nil) throws -> [[SyncValue]: [String: SyncValue]] {
                    var sql: String
                    if let other, shape.key != shape.columns {
                        sql = "SELECT \(aliased) FROM \(from).\"\(shape.name)\" AS a WHERE NOT EXISTS (SELECT 1 FROM \(other).\"\(shape.name)\" AS b WHERE \(identical))"
                    } else {
                        sql = other.map { "SELECT \(list) FROM \(from).\"\(shape.name)\" EXCEPT SELECT \(list) FROM \($0).\"\(shape.name)\"" }
                            ?? "SELECT \(list) FROM \(from).\"\(shape.name)\""
                    }
                    if let (key, high) = start { sql += " WHERE \"\(key)\" > \(high)" }
                    var result: [[SyncValue]: [String: SyncValue]] = [:]
                    let cursor = try Row.fetchCursor(db, sql: sql)
                    while let row = try cursor.next() {
                        var values: [String: SyncValue] = [:]
                        for (index, column) in shape.columns.enumerated() { values[column] = SyncValue(row[index] as DatabaseValue) }
                        result[shape.key.map { values[$0] ?? .null }] = values
                    }
                    return result
                }
                let known = previous.contains(shape.name)
                var after: [[SyncValue]: [String: SyncValue]]
                var before: [[SyncValue]: [String: SyncValue]] = [:]
                if known, let key = appendOnly[shape.name],
                   let range = try Row.fetchOne(db, sql: "SELECT MAX(\"\(key)\") AS high, COUNT(*) AS count FROM previous.\"\(shape.name)\""),
                   let high = range["high"] as Int64?,
                   try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM main.\"\(shape.name)\" WHERE \"\(key)\" <= ?", arguments: [high]) == range["count"],
                   try Int64.fetchOne(db, sql: "SELECT MAX(\"\(key)\") FROM main.\"\(shape.name)\" WHERE \"\(key)\" <= ?", arguments: [high]) == high
                {
                    after = try differing("main", nil, after: (key, high))
                } else {
                    after = try differing("main", known ? "previous" : nil)
                    before = known ? try differing("previous", "main") : [:]
                }
                collect(shape, before: before, after: after, upserts: &upserts, deletes: &deletes)
            }
            return upserts + deletes
        } }
    }

    /// Inserts and updates from the rows of `after` that differ from `before`,
    /// deletes for the rows `before` has alone; both hold only differing rows.
    static func collect(_ shape: TableShape, before: [[SyncValue]: [String: SyncValue]], after: [[SyncValue]: [String: SyncValue]],
                        upserts: inout [RowChange], deletes: inout [RowChange]) {
        for key in after.keys.sorted(by: ordered) {
            let row = after[key]!
            let keyed = Dictionary(uniqueKeysWithValues: zip(shape.key, key))
            guard let previous = before[key] else {
                upserts.append(RowChange(table: shape.name, operation: .insert, key: keyed, new: row))
                continue
            }
            var oldValues: [String: SyncValue] = [:]
            var newValues: [String: SyncValue] = [:]
            for column in shape.columns where previous[column] != row[column] {
                oldValues[column] = previous[column] ?? .null
                newValues[column] = row[column] ?? .null
            }
            if !newValues.isEmpty {
                upserts.append(RowChange(table: shape.name, operation: .update, key: keyed, old: oldValues, new: newValues))
            }
        }
        var gone: [RowChange] = []
        for key in before.keys.sorted(by: ordered) where after[key] == nil {
            gone.append(RowChange(table: shape.name, operation: .delete,
                                  key: Dictionary(uniqueKeysWithValues: zip(shape.key, key)), old: before[key]!))
        }
        deletes.insert(contentsOf: gone, at: 0)
    }
}
