import EmbargoStore
import Foundation
import GRDB

/// Two members changed the same field of the same row to different values
/// (or one removed what the other changed): named, never guessed.
public struct SyncConflict: Codable, Sendable, Equatable {
    /// What `--keep mine|theirs` names: `ADV-2026-001.description`,
    /// `ADV-2026-001.cve_duties.state`, `members:carol.role`.
    public var field: String
    public var mine: String
    public var theirs: String
    public var mineBy: String
    public var mineAt: String
    public var theirsBy: String
    public var theirsAt: String

    enum CodingKeys: String, CodingKey {
        case field, mine, theirs
        case mineBy = "mine_by"
        case mineAt = "mine_at"
        case theirsBy = "theirs_by"
        case theirsAt = "theirs_at"
    }
}

/// Who settles a conflict: this machine's value or the team's.
public enum SyncSide: String, Sendable, CaseIterable {
    case mine, theirs
}

/// Replays this machine's changes (the difference between the last synced
/// state and the local one) on top of what the team pushed meanwhile.
///
/// Rows are merged field by field. Rows both sides create independently get
/// numbers of their own: an advisory created offline whose id the team took
/// meanwhile is renumbered, and so is a release; timeline events, checks, pre-releases and
/// approvals get the next free number; a patch the next free position. This
/// machine's audit entries are appended after the team's and signed again
/// (they are re-chained). A field both sides changed to different values is
/// a conflict unless a `resolution` names it.
struct TeamMerge {
    let member: Member
    let identity: EmbargoIdentity
    /// Base to the team's state, by row: who changed it, and when.
    let theirs: [String: (change: RowChange, author: String, at: String)]
    let resolutions: [String: SyncSide]

    private(set) var advisoryRenames: [String: String] = [:]
    /// Releases planned offline whose id the team took meanwhile, as advisories.
    private(set) var releaseRenames: [String: String] = [:]
    private(set) var numberRenames: [String: [Int64: Int64]] = [:]
    private(set) var conflicts: [SyncConflict] = []
    /// Rows of the team's state that stood for one of this machine's rows
    /// (pushed before a stop), and rows this merge added: never matched twice.
    private var matched: [String: Set<Int64>] = [:]
    /// The highest number of each numbered table (and the audit trail) in the
    /// last synced state: only rows after it can be this machine's, pushed.
    var baseMaxima: [String: Int64] = [:]

    /// Tables whose rows are numbered by an integer `seq` that only this store hands out.
    static let numbered: Set<String> = ["timeline", "patch_checks", "prereleases", "approvals"]
    /// Tables no command updates or deletes from: their rows are only ever added.
    static let appendOnly = ["audit_log": "seq", "timeline": "seq", "patch_checks": "seq"]
    /// Columns that hold a pre-release's number.
    static let prereleaseReferences: Set<String> = ["prerelease"]
    /// Columns that hold a JSON list: merged element by element, so two
    /// members who each add a path keep both. (An advisory's lists are rows of
    /// `advisory_items`, which merge as rows.)
    static let lists: [String: Set<String>] = [
        "projects": ["required_paths"],
    ]
    /// Columns where the team's value stands, without a conflict, when both
    /// sides set one: a list element's position (two credits added on two
    /// machines may share one; the item name breaks the tie), and when and how
    /// a publication step was done (two publishers who claimed at once: the
    /// first claim in the remote's order wins, and the other is refused by
    /// name, see `publicationClaimant`).
    static let teamWins: [String: Set<String>] = ["advisory_items": ["position"], "publication_steps": ["done_at", "detail"]]

    init(member: Member, identity: EmbargoIdentity, theirs: [String: (change: RowChange, author: String, at: String)],
         resolutions: [String: SyncSide]) {
        self.member = member
        self.identity = identity
        self.theirs = theirs
        self.resolutions = resolutions
    }

    /// This machine may send only audit entries of its own, new ones: anything
    /// else on the trail (a restored backup, a hand edit) would be refused by
    /// every other machine.
    static func checkOwn(_ changes: [RowChange], member: Member, identity: EmbargoIdentity) throws {
        for change in changes where change.table == "audit_log" {
            guard change.operation == .insert else {
                throw EmbargoError(.verification, "this machine's store changed or lost audit entries the team holds (a restored backup?)",
                                   hint: "keep this store aside and clone the team store again with 'embargo store clone URL'")
            }
            guard change.new["member"]?.text == member.name, change.new["signing_key"]?.text == identity.signingKey else {
                throw EmbargoError(.verification, "this machine's store holds an audit entry that another member signed and the team does not have",
                                   hint: "only the member who made an entry can sync it; run 'embargo store sync' as that member")
            }
        }
    }

    /// `baseMaxima` of a state.
    static func maxima(_ db: Database) throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for table in numbered.union(["audit_log"]) {
            result[table] = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM \"\(table)\"") ?? 0
        }
        return result
    }

    static func rowID(_ table: String, _ key: [String: SyncValue]) -> String {
        table + "|" + key.keys.sorted().map { "\($0)=\(key[$0]!.description)" }.joined(separator: "|")
    }

    /// The name a conflict on `column` of this row goes by.
    static func field(_ table: String, _ key: [String: SyncValue], row: [String: SyncValue], column: String) -> String {
        if table == "advisories", let id = (key["id"] ?? row["id"])?.text { return "\(id).\(column)" }
        if table == "advisory_items", let advisory = key["advisory"]?.text, let list = key["list"]?.text, let item = key["item"]?.text {
            // ADV-2026-001.credits[Ann Analyst].type
            return "\(advisory).\(list)[\(item)]" + (column == "row" ? "" : ".\(column)")
        }
        if let advisory = (key["advisory"] ?? row["advisory"])?.text { return "\(advisory).\(table).\(column)" }
        return "\(table):\(key.keys.sorted().map { key[$0]!.description }.joined(separator: "/")).\(column)"
    }

    mutating func apply(_ changes: [RowChange], to db: Database) throws {
        let shapes = Dictionary(uniqueKeysWithValues: try RowDiff.tables(db).map { ($0.name, $0) })
        try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
        var audit: [[String: SyncValue]] = []
        for original in changes {
            guard let shape = shapes[original.table], shape.admits(original) else {
                throw EmbargoError(.verification, "this machine's store has a table or column the team's has not",
                                   hint: "update embargo on every machine to the same version")
            }
            if original.table == "audit_log" {
                guard original.operation == .insert else {
                    throw EmbargoError(.verification, "this machine's store changed or lost audit entries the team holds (a restored backup?)",
                                       hint: "keep this store aside and clone the team store again with 'embargo store clone URL'")
                }
                audit.append(original.new)
                continue
            }
            let change = renamed(original)
            switch change.operation {
            case .insert: try insert(change, shape, db)
            case .update: try update(change, shape, db)
            case .delete: try delete(change, shape, db)
            }
        }
        try checkLifecycle(changes)
        guard conflicts.isEmpty else { return }
        for entry in audit.sorted(by: { ($0["seq"]?.integer ?? 0) < ($1["seq"]?.integer ?? 0) }) {
            try rechain(entry, db)
        }
        try TeamMerge.reindex(db, TeamMerge.advisoriesChanged(changes).map { advisoryRenames[$0] ?? $0 })
    }

    /// The change with this merge's new numbers and ids in place of the old.
    private func renamed(_ change: RowChange) -> RowChange {
        var change = change
        let table = change.table
        func map(_ values: inout [String: SyncValue]) {
            for (column, value) in values {
                if column == "advisory" || (table == "advisories" && column == "id"), let id = value.text, let new = advisoryRenames[id] {
                    values[column] = .text(new)
                }
                if column == "release" || (table == "releases" && column == "id"), let id = value.text, let new = releaseRenames[id] {
                    values[column] = .text(new)
                }
                if Self.prereleaseReferences.contains(column) || (table == "prereleases" && column == "seq"),
                   let number = value.integer, let new = numberRenames["prereleases"]?[number] {
                    values[column] = .integer(new)
                }
                if Self.numbered.contains(table), table != "prereleases", column == "seq",
                   let number = value.integer, let new = numberRenames[table]?[number] {
                    values[column] = .integer(new)
                }
            }
        }
        map(&change.key)
        map(&change.old)
        map(&change.new)
        return change
    }

    private mutating func insert(_ change: RowChange, _ shape: TableShape, _ db: Database) throws {
        var values = change.new
        if Self.numbered.contains(change.table), let number = values["seq"]?.integer {
            // The same row may be there already (this machine pushed it, then was
            // stopped before it could record that): keep that one.
            let others = shape.columns.filter { $0 != "seq" }
            let condition = others.map { "\"\($0)\" IS ?" }.joined(separator: " AND ")
            let same = try Int64.fetchAll(db, sql: "SELECT seq FROM \"\(change.table)\" WHERE seq > ? AND \(condition) ORDER BY seq",
                                          arguments: StatementArguments([baseMaxima[change.table] ?? 0] + others.map { (values[$0] ?? .null).databaseValue }))
            if let existing = same.first(where: { !(matched[change.table]?.contains($0) ?? false) }) {
                matched[change.table, default: []].insert(existing)
                if existing != number { numberRenames[change.table, default: [:]][number] = existing }
                return
            }
            // The team may have used the number: take the next free one.
            let next = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM \"\(change.table)\"") ?? 0) + 1
            let taken = try RowDiff.row(db, shape, key: ["seq": .integer(number)]) != nil
            if next > number || taken {
                let assigned = max(next, number)
                numberRenames[change.table, default: [:]][number] = assigned
                values["seq"] = .integer(assigned)
            }
            try RowDiff.insert(db, shape, values)
            matched[change.table, default: []].insert(values["seq"]?.integer ?? number)
            return
        }
        let key = Dictionary(uniqueKeysWithValues: shape.key.map { ($0, values[$0] ?? .null) })
        guard let existing = try RowDiff.row(db, shape, key: key) else {
            try RowDiff.insert(db, shape, values)
            return
        }
        if existing == values { return }
        switch change.table {
        case "advisories", "releases":
            // Numbered per year (ADV-2026-004, REL-2026-002): the next free number of that year.
            guard let id = values["id"]?.text, let year = values["year"]?.integer else { break }
            let seq = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM \"\(change.table)\" WHERE year = ?", arguments: [year]) ?? 0) + 1
            let renamed = String(id.prefix(4)) + String(format: "%04d-%03d", year, seq)
            if change.table == "advisories" { advisoryRenames[id] = renamed } else { releaseRenames[id] = renamed }
            values["id"] = .text(renamed)
            values["seq"] = .integer(seq)
            try RowDiff.insert(db, shape, values)
            return
        case "patches":
            guard let advisory = values["advisory"]?.text, let branch = values["branch"]?.text else { break }
            let position = (try Int64.fetchOne(db, sql: "SELECT MAX(position) FROM patches WHERE advisory = ? AND branch = ?",
                                               arguments: [advisory, branch]) ?? 0) + 1
            values["position"] = .integer(position)
            try RowDiff.insert(db, shape, values)
            return
        default:
            break
        }
        // The same row made on both sides: merge it field by field, as if both had started empty.
        var set: [String: SyncValue] = [:]
        for column in shape.columns where existing[column] != values[column] {
            if Self.teamWins[change.table]?.contains(column) == true { continue }
            if settle(change.table, key, existing, column: column, mine: values[column] ?? .null, theirs: existing[column] ?? .null) {
                set[column] = values[column]
            }
        }
        try RowDiff.update(db, shape, key: key, set: set)
    }

    private mutating func update(_ change: RowChange, _ shape: TableShape, _ db: Database) throws {
        guard let current = try RowDiff.row(db, shape, key: change.key) else {
            let field = Self.field(change.table, change.key, row: change.old, column: change.new.keys.sorted().first ?? "row")
            if resolutions[field] != .theirs {
                note(field, change.table, change.key, mine: "changed", theirs: "removed")
            }
            return
        }
        var set: [String: SyncValue] = [:]
        for (column, value) in change.new {
            let before = change.old[column] ?? .null
            let now = current[column] ?? .null
            if now == before { set[column] = value; continue }
            if now == value { continue }
            if column == "updated_at" {
                if value.description > now.description { set[column] = value }
                continue
            }
            if Self.teamWins[change.table]?.contains(column) == true { continue }
            if Self.lists[change.table]?.contains(column) == true,
               let merged = Self.mergeLists(base: before, mine: value, theirs: now) {
                set[column] = merged
                continue
            }
            if settle(change.table, change.key, current, column: column, mine: value, theirs: now, at: change.new["updated_at"]) {
                set[column] = value
            }
        }
        try RowDiff.update(db, shape, key: change.key, set: set)
    }

    private mutating func delete(_ change: RowChange, _ shape: TableShape, _ db: Database) throws {
        guard let current = try RowDiff.row(db, shape, key: change.key) else { return }
        if current == change.old {
            try RowDiff.delete(db, shape, key: change.key)
            return
        }
        let field = Self.field(change.table, change.key, row: current, column: "row")
        switch resolutions[field] {
        case .mine?: try RowDiff.delete(db, shape, key: change.key)
        case .theirs?: break
        case nil: note(field, change.table, change.key, mine: "removed", theirs: "changed")
        }
    }

    /// Whether this machine's value wins: when a resolution says so; without
    /// one, the field is a conflict.
    private mutating func settle(_ table: String, _ key: [String: SyncValue], _ row: [String: SyncValue], column: String,
                                 mine: SyncValue, theirs: SyncValue, at: SyncValue? = nil) -> Bool {
        let field = Self.field(table, key, row: row, column: column)
        switch resolutions[field] {
        case .mine?: return true
        case .theirs?: return false
        case nil:
            note(field, table, key, mine: mine.description, theirs: theirs.description, at: at)
            return false
        }
    }

    private mutating func note(_ field: String, _ table: String, _ key: [String: SyncValue], mine: String, theirs: String,
                               at: SyncValue? = nil) {
        let other = self.theirs[Self.rowID(table, key)]
        conflicts.append(SyncConflict(field: field, mine: Self.short(mine), theirs: Self.short(theirs),
                                      mineBy: member.name, mineAt: at?.text ?? "not yet synced",
                                      theirsBy: other?.author ?? "the team", theirsAt: other?.at ?? "earlier"))
    }

    /// The team's list with this machine's additions appended and its
    /// removals taken out; nil when a value is not a JSON list.
    static func mergeLists(base: SyncValue, mine: SyncValue, theirs: SyncValue) -> SyncValue? {
        func elements(_ value: SyncValue) -> [String]? {
            guard let text = value.text, let data = text.data(using: .utf8),
                  let array = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [Any]
            else { return nil }
            return array.compactMap { element in
                (try? JSONSerialization.data(withJSONObject: element, options: [.sortedKeys, .fragmentsAllowed]))
                    .map { String(decoding: $0, as: UTF8.self) }
            }
        }
        guard let old = elements(base), let ours = elements(mine), var result = elements(theirs) else { return nil }
        let added = ours.filter { !old.contains($0) }
        let removed = Set(old.filter { !ours.contains($0) })
        result.removeAll { removed.contains($0) }
        for element in added where !result.contains(element) { result.append(element) }
        return .text("[" + result.joined(separator: ",") + "]")
    }

    static func short(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.count > 60 ? String(line.prefix(57)) + "..." : line
    }

    /// A withdrawal on one side and any change of the same advisory on the
    /// other is a conflict, whichever side withdrew: the lifecycle allows no
    /// work on a withdrawn advisory.
    private mutating func checkLifecycle(_ changes: [RowChange]) throws {
        // Whether a side changed more of the advisory than its time of change: a field or a list.
        func touched(_ id: String, _ rows: [RowChange]) -> Bool {
            rows.contains { row in
                row.table == "advisory_items" ? row.key["advisory"]?.text == id
                    : row.table == "advisories" && row.key["id"]?.text == id && row.new.keys.contains { $0 != "updated_at" }
            }
        }
        let theirsRows = theirs.values.map(\.change)
        for change in changes where change.table == "advisories" && change.operation == .update {
            guard let id = change.key["id"]?.text else { continue }
            let theirsChange = theirs[Self.rowID("advisories", change.key)]?.change
            guard let theirsChange, theirsChange.operation == .update else { continue }
            let mineWithdrew = change.new["status"]?.text == AdvisoryStatus.withdrawn.rawValue
            let theirsWithdrew = theirsChange.new["status"]?.text == AdvisoryStatus.withdrawn.rawValue
            let mineTouched = touched(id, changes)
            let theirsTouched = touched(id, theirsRows)
            let field = "\(id).status"
            if (mineWithdrew && theirsTouched && !theirsWithdrew) || (theirsWithdrew && mineTouched && !mineWithdrew),
               resolutions[field] == nil, !conflicts.contains(where: { $0.field == field }) {
                note(field, "advisories", change.key, mine: mineWithdrew ? "withdrawn" : "changed",
                     theirs: theirsWithdrew ? "withdrawn" : "changed")
            }
        }
    }

    /// Appends one of this machine's audit entries after the team's, signed again.
    private mutating func rechain(_ values: [String: SyncValue], _ db: Database) throws {
        // An entry the team holds as it is (brought in by a sync that stopped before it said so).
        if let hash = values["hash"]?.text,
           try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE hash = ?", arguments: [hash]) ?? 0 > 0 {
            return
        }
        guard values["member"]?.text == member.name, values["signing_key"]?.text == identity.signingKey,
              let at = values["at"]?.text, let action = values["action"]?.text, var object = values["object"]?.text
        else {
            throw EmbargoError(.verification, "this machine's store holds an audit entry that another member signed and the team does not have",
                               hint: "only the member who made an entry can sync it; run 'embargo store sync' as that member")
        }
        var detail = values["detail"]?.text ?? ""
        if let renamed = advisoryRenames[object] ?? releaseRenames[object] { object = renamed }
        for (old, new) in advisoryRenames.merging(releaseRenames, uniquingKeysWith: { $1 }) { detail = detail.replacingOccurrences(of: old, with: new) }
        // Pushed already (a sync stopped after its push): the team has it.
        let same = try Int64.fetchAll(db, sql: """
            SELECT seq FROM audit_log WHERE seq > ? AND member = ? AND signing_key = ? AND at = ? AND action = ? AND object = ? AND detail = ? ORDER BY seq
            """, arguments: [baseMaxima["audit_log"] ?? 0, member.name, identity.signingKey, at, action, object, detail])
        if let existing = same.first(where: { !(matched["audit_log"]?.contains($0) ?? false) }) {
            matched["audit_log", default: []].insert(existing)
            return
        }
        try AuditTrail.append(db, identity: identity, member: member.name, at: at, action: action, object: object, detail: detail)
        if let seq = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_log") { matched["audit_log", default: []].insert(seq) }
    }

    /// The advisories whose own row or lists `changes` change.
    static func advisoriesChanged(_ changes: [RowChange]) -> [String] {
        changes.compactMap { change in
            switch change.table {
            case "advisories": change.key["id"]?.text
            case "advisory_items": change.key["advisory"]?.text
            default: nil
            }
        }
    }

    /// Brings the full-text index, which does not travel, up to the advisories `ids`.
    static func reindex(_ db: Database, _ ids: [String]) throws {
        for id in Set(ids) {
            if let advisory = try Advisory.fetchOne(db, key: id) {
                try Workspace.index(db, advisory)
            } else {
                try db.execute(sql: "DELETE FROM advisory_search WHERE id = ?", arguments: [id])
            }
        }
    }
}
