import EmbargoStore
import GRDB

/// What each audit action may change, for the rows a team log entry brings.
///
/// Every command records what it did on the audit trail, signed and checked
/// against the signer's role (`Permissions.needed(forAudit:)`). A row that an
/// entry changes must be one a command of its author's would change: a signed
/// entry of the same author names the row's advisory, release, project or
/// person, and that entry's action writes the row's table that way. So a
/// member whose role only lets them read (an export) or record QA cannot move
/// a disclosure date, and only a pre-release adds a pre-release.
enum AuditedWrites {
    private static let any: Set<RowChange.Operation> = [.insert, .update, .delete]
    private static let added: Set<RowChange.Operation> = [.insert]
    private static let changed: Set<RowChange.Operation> = [.update]
    private static let deleted: Set<RowChange.Operation> = [.delete]

    /// An advisory's own fields and lists, with the search index rebuilt from them.
    private static let fields: [String: Set<RowChange.Operation>] = [
        "advisories": changed, "advisory_items": any, "timeline": added,
    ]
    /// What setting a pre-release and its approvals aside changes (a new pre-release, an edit, a revert).
    private static let setAside: [String: Set<RowChange.Operation>] = [
        "prereleases": changed, "approvals": changed, "advisories": changed, "timeline": added,
    ]

    /// A release's rows but its QA records.
    private static let releaseRows: [String: Set<RowChange.Operation>] = [
        "releases": any, "release_versions": any, "release_issues": any, "release_advisories": any,
    ]

    /// Action → table → the operations it makes there.
    static let tables: [String: [String: Set<RowChange.Operation>]] = [
        "advisory.create": ["advisories": added, "advisory_items": added, "timeline": added, "cve_duties": any],
        "advisory.import": ["advisories": any, "advisory_items": any, "timeline": added, "imported_osv": any, "imported_ranges": any,
                            "cve_duties": any],
        "advisory.edit": fields.merging(setAside) { $0.union($1) }.merging(["cve_duties": any]) { $0.union($1) },
        "advisory.amend": fields.merging(["advisory_revisions": added, "cve_duties": any]) { $0.union($1) },
        "advisory.status": ["advisories": changed, "timeline": added],
        "advisory.note": ["timeline": added],
        "advisory.schedule": ["advisories": changed, "timeline": added],
        "advisory.broken": ["advisories": changed, "timeline": added, "emergencies": any],
        "advisory.announce": ["advisories": changed, "timeline": added],
        "cve.request": ["cve_duties": any, "advisories": changed, "timeline": added],
        "cve.publish": ["cve_duties": any, "advisories": changed, "timeline": added],
        "patch.add": setAside.merging(["patches": any]) { $0.union($1) },
        "patch.replace": setAside.merging(["patches": any]) { $0.union($1) },
        "patch.remove": setAside.merging(["patches": any]) { $0.union($1) },
        "patch.verify": ["patch_checks": added, "advisories": changed, "timeline": added],
        "patch.checkout": ["timeline": added],
        "lint.accept": ["accepted_findings": any, "timeline": added],
        "advisory.prerelease": setAside.merging(["prereleases": any]) { $0.union($1) },
        "advisory.approve": ["approvals": added, "advisories": changed, "timeline": added],
        "advisory.publish": ["publication_steps": any, "advisories": changed, "timeline": added, "cve_duties": any],
        "advisory.revert": setAside.merging(["publication_steps": any]) { $0.union($1) },
        "advisory.export": [:],
        "guard.install": [:],
        "release.plan": releaseRows,
        // Dropping a release deletes it with what belongs to it, and changes nothing.
        "release.drop": ["releases": deleted, "release_versions": deleted, "release_issues": deleted, "release_advisories": deleted,
                         "release_qa": deleted],
        "release.tag": ["releases": changed, "release_versions": any],
        "release.revert": ["releases": changed, "release_versions": changed],
        "release.qa": ["release_qa": added],
        "release.published": ["releases": changed],
        "release.verify": [:],
        "project.add": ["projects": added, "project_branches": any, "project_blackouts": any],
        "project.set": ["projects": changed, "project_branches": any, "project_blackouts": any],
        "people.import": ["people": any],
        "people.set": ["people": any],
    ]

    /// The columns an update may change, where an action's right is narrower
    /// than its table (table → action → columns; an action not listed may
    /// change any column). Setting a pre-release or an approval aside flips
    /// one flag; a step of the release's life sets its status and who and when;
    /// actions without the right to edit an advisory only move its status.
    static let updatedColumns: [String: [String: Set<String>]] = [
        "prereleases": ["*": ["superseded"]],
        "approvals": ["*": ["void"]],
        "advisories": [
            "advisory.status": ["status", "updated_at"],
            // Marking it published dates it (an early publication to when it happened).
            "advisory.publish": ["status", "disclosure_at", "updated_at"],
            "advisory.prerelease": ["updated_at"], "advisory.approve": ["updated_at"], "advisory.revert": ["updated_at"],
            "patch.add": ["updated_at"], "patch.replace": ["updated_at"], "patch.remove": ["updated_at"], "patch.verify": ["updated_at"],
        ],
        "releases": [
            // Planning makes releases and their versions; it changes no release.
            "release.plan": [],
            "release.tag": ["status", "tagged_at", "tagged_by"],
            "release.revert": ["status", "tagged_at", "tagged_by"],
            "release.published": ["status", "published_at", "published_by", "node_url", "sa_url"],
        ],
        "release_versions": ["release.revert": ["tag_commit", "tag_object"]],
    ]

    /// The move of a release's status each action makes.
    static let releaseSteps: [String: (from: String, to: String)] = [
        "release.tag": ("planned", "tagged"), "release.revert": ("tagged", "planned"), "release.published": ("tagged", "published"),
    ]

    /// Timeline events that mark a step of the embargo, which policy and
    /// people read as fact (the pre-release lead time is counted from the
    /// `prereleased` events): only the command that takes the step records one.
    static let stepEvents: [String: Set<String>] = [
        "prereleased": ["advisory.prerelease"], "approved": ["advisory.approve"], "published": ["advisory.publish"],
        "reverted": ["advisory.revert"], "scheduled": ["advisory.schedule"], "violation-allowed": ["advisory.schedule"],
        "embargo-broken": ["advisory.broken"], "pre-announced": ["advisory.announce"],
        "cve-requested": ["cve.request"], "cve-published": ["cve.publish"],
    ]

    /// The step an event kind would pass for (`Prereleased ` is `prereleased`), or nil for an ordinary event.
    static func step(_ kind: String) -> String? {
        let step = kind.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return stepEvents[step] == nil ? nil : step
    }

    /// The step a timeline row that `change` inserts marks, or nil.
    static func step(of change: RowChange) -> String? {
        change.table == "timeline" ? change.new["kind"]?.text.flatMap(step) : nil
    }

    /// The columns that name the member who did what a row records: always
    /// the member who signed the entry (approvals are checked by their ledger).
    static let memberColumns: [String: [String]] = [
        "advisories": ["created_by"], "timeline": ["actor"], "patches": ["added_by"], "prereleases": ["created_by"],
        "releases": ["created_by", "tagged_by", "published_by"], "release_qa": ["by"], "advisory_revisions": ["by"],
        "emergencies": ["by"], "accepted_findings": ["accepted_by"], "people": ["updated_by"],
    ]

    /// Whether an audit entry for `action` may make `change` (its columns aside).
    static func allows(_ action: String, _ change: RowChange) -> Bool {
        if action == "store.restore" { return true }
        if action.hasPrefix("publish.") { return change.table == "publication_steps" }
        if let step = step(of: change), stepEvents[step]?.contains(action) != true { return false }
        return tables[action]?[change.table]?.contains(change.operation) ?? false
    }

    /// The first member column `change` sets to someone other than `author`, with that name.
    static func misattributed(_ change: RowChange, author: String) -> (column: String, name: String)? {
        guard change.operation != .delete else { return nil }
        for column in memberColumns[change.table] ?? [] {
            if let name = change.new[column]?.text, name != author { return (column, name) }
        }
        return nil
    }

    /// Whether the entries for `actions` together may change the columns an update `change` sets.
    static func coversColumns(_ actions: [String], _ change: RowChange) -> Bool {
        guard change.operation == .update, let rules = updatedColumns[change.table] else { return true }
        var allowed: Set<String> = []
        for action in actions {
            guard let columns = rules[action] ?? rules["*"] else { return true }
            allowed.formUnion(columns)
        }
        // A publication marks the advisory published: its date moves with that only.
        if change.table == "advisories", change.new["disclosure_at"] != nil, change.new["status"]?.text != "published",
           !actions.contains(where: { rules[$0] == nil }) {
            allowed.remove("disclosure_at")
        }
        return Set(change.new.keys).isSubset(of: allowed)
    }

    /// Why a change `change` of advisory `owner` (a new one is a draft, but an
    /// import's) moves its status or its disclosure time in a way the owner's
    /// entries `entries` of the same log entry do not take, or nil. Every move of the status is a signed
    /// `advisory.status` step ("A -> B") the lifecycle allows, from the status
    /// the store holds (`stored`) to the new one; the statuses a step produces
    /// come with that step's own entry (only a publication publishes); the
    /// disclosure time moves by scheduling, or with the publication that dates it.
    static func advisoryStepProblem(_ change: RowChange, _ owner: String, _ entries: [(action: String, object: String, detail: String)],
                                    stored: [String: SyncValue]?) -> String? {
        let actions = Set(entries.map(\.action))
        let what = "advisory \(owner.prefix(40))"
        // A new advisory starts as a draft (an import may bring one in at any step), and
        // moves on by the steps of the same entry, as one made offline and taken further.
        if change.operation == .insert, actions.contains("advisory.import") { return nil }
        let stored = change.operation == .insert ? ["status": SyncValue.text(AdvisoryStatus.draft.rawValue)] : stored
        // Scheduling moves it, and a publication (which `coversColumns` lets date only the advisory it publishes).
        if let moved = change.new["disclosure_at"], moved != stored?["disclosure_at"] ?? .null,
           actions.isDisjoint(with: ["advisory.schedule", "advisory.publish"]) {
            return "\(what)'s disclosure time without a signed schedule or publication"
        }
        guard let target = change.new["status"]?.text, let from = stored?["status"]?.text, target != from else { return nil }
        var steps: [(from: String, to: String)] = entries.filter { $0.action == "advisory.status" }.compactMap { entry in
            let parts = entry.detail.components(separatedBy: " -> ")
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
        var at = from
        while at != target {
            guard let index = steps.firstIndex(where: { $0.from == at }),
                  let a = AdvisoryStatus(rawValue: steps[index].from), let b = AdvisoryStatus(rawValue: steps[index].to), Lifecycle.allows(a, b)
            else { return "\(what)'s status from \(from.prefix(20)) to \(target.prefix(20)) without the signed steps that move it there" }
            at = steps.remove(at: index).to
            let producers: Set<String> = switch b {
            case .published: ["advisory.publish"]
            case .approved: ["advisory.approve"]
            // A new pre-release, or an edit that voids the approval of the one there is.
            case .prereleased: ["advisory.prerelease", "advisory.edit"]
            default: []
            }
            if !producers.isEmpty, producers.isDisjoint(with: actions) {
                return "\(what)'s status to \(b.rawValue) without a signed \(producers.sorted().joined(separator: " or "))"
            }
        }
        return nil
    }

    /// Why a change `change` of release `owner` moves its status otherwise
    /// than one step at a time by the owner's entries `entries`, in their
    /// order (a release made offline may be tagged and published before it
    /// syncs), from the status the store holds (`stored`; a new release is
    /// planned), or nil.
    static func releaseStepProblem(_ change: RowChange, _ owner: String, _ entries: [(action: String, object: String, detail: String)],
                                   stored: [String: SyncValue]?) -> String? {
        guard let target = change.new["status"]?.text else { return nil }
        let from = change.operation == .insert ? "planned" : stored?["status"]?.text ?? "?"
        let reached = entries.compactMap { releaseSteps[$0.action] }.reduce(from) { at, step in step.from == at ? step.to : at }
        return reached == target ? nil
            : "release \(owner.prefix(40))'s status from \(from.prefix(20)) to \(target.prefix(20)) without the signed step that moves it there"
    }

    /// The column that names what a row of `table` belongs to (an advisory, a
    /// release, a project, a person), or nil for a table that is not any one's.
    static func ownerColumn(_ table: String) -> String? {
        switch table {
        case "members", "former_members", "former_members_keyed", "store_meta", "audit_log": nil
        case "advisories", "releases": "id"
        case "projects": "name"
        case "people": "key"
        case "release_versions", "release_issues", "release_qa", "release_advisories": "release"
        case "project_branches", "project_blackouts": "project"
        default: "advisory"
        }
    }

    /// What the first change of `changes` that no audit entry among them
    /// accounts for changes, and why (`advisory ADV-2026-001 without ...`), or nil. `stored` reads a row as the store holds it
    /// before the changes (an update or a delete names its row by its key only).
    /// Member changes are checked against the membership chain by the audit
    /// verification itself.
    static func unaccounted(_ changes: [RowChange], stored: (RowChange) throws -> [String: SyncValue]?) rethrows -> String? {
        let audit = changes.filter { $0.table == "audit_log" }.map {
            (action: $0.new["action"]?.text ?? "", object: $0.new["object"]?.text ?? "", detail: $0.new["detail"]?.text ?? "")
        }
        let actions = Set(audit.map(\.action))
        let rotation = actions.contains("member.remove")
        let author = changes.first { $0.table == "audit_log" }?.new["member"]?.text
        // The status the store holds of each advisory the changes touch, read once each.
        var statuses: [String: String?] = [:]
        func storedStatus(_ advisory: String) throws -> String? {
            if let known = statuses[advisory] { return known }
            let status = try stored(RowChange(table: "advisories", operation: .update, key: ["id": .text(advisory)]))?["status"]?.text
            statuses[advisory] = status
            return status
        }
        for change in changes where change.table != "audit_log" {
            switch change.table {
            case "members", "former_members", "former_members_keyed":
                continue
            case "store_meta":
                // The blob naming key and its renames change with a key rotation, the
                // naming key with the first patch or the team remote; the rest at init.
                if rotation || actions.contains("store.remote") || actions.contains("store.restore") { continue }
                if change.operation == .insert, actions.contains(where: { $0.hasPrefix("patch.") }) { continue }
                return "the store's settings without a signed audit entry for it"
            default:
                guard let column = ownerColumn(change.table) else { return "table \(change.table.prefix(40)) without a signed audit entry for it" }
                // Whose row it is: as the store holds it (an update or a delete names it by its key
                // only), and, when the change moves it to another, whose it becomes too.
                var owners: [String] = []
                if let named = (change.key[column] ?? change.old[column])?.text ?? (change.operation == .insert ? change.new[column]?.text : nil) {
                    owners.append(named)
                } else if change.operation != .insert, let held = try stored(change)?[column]?.text {
                    owners.append(held)
                }
                if change.operation == .update, let moved = change.new[column]?.text, !owners.contains(moved) { owners.append(moved) }
                guard !owners.isEmpty else { return "table \(change.table.prefix(40)) without a signed audit entry for it" }
                // A key rotation renames every patch's blob, under the removal's entry.
                if rotation, change.table == "patches", change.operation == .update, Set(change.new.keys) == ["blob"] { continue }
                // A pre-release event comes with the pre-release it records (the lead time counts from it).
                if change.operation == .insert, step(of: change) == "prereleased",
                   !changes.contains(where: { $0.table == "prereleases" && $0.operation == .insert && $0.new["advisory"] == change.new["advisory"] }) {
                    return "advisory \((change.new["advisory"]?.text ?? "?").prefix(40)) with a prereleased event and no pre-release"
                }
                // Who did it is who signed it (a restore brings back rows of the whole team).
                if let author, !actions.contains("store.restore"), let wrong = misattributed(change, author: author) {
                    return "\(change.table.prefix(40)) naming \(wrong.name.prefix(40)) as \(wrong.column), although \(author.prefix(40)) signed it"
                }
                // An import is one entry for the whole file; a single change names the person.
                if change.table == "people", actions.contains("people.import") { continue }
                // A published advisory changes by amendment only (a new revision of the public advisory).
                let published = try ["advisories", "advisory_items", "timeline"].contains(change.table)
                    && owners.first.map(storedStatus) == AdvisoryStatus.published.rawValue
                // The owner's entries whose action makes this change; together they must cover its columns.
                func covering(_ owner: String) -> [String] {
                    audit.filter { $0.object == owner && allows($0.action, change) && !(published && $0.action == "advisory.edit") }.map(\.action)
                }
                guard let owner = owners.first(where: { covering($0).isEmpty || !coversColumns(covering($0), change) }) else {
                    // Entries that may write the row: they must also take the steps it records.
                    if change.table == "advisories", change.operation != .delete, !actions.contains("store.restore"), let owner = owners.first,
                       let problem = try advisoryStepProblem(change, owner, audit.filter { $0.object == owner },
                                                             stored: change.operation == .update ? try stored(change) : nil) {
                        return problem
                    }
                    if change.table == "releases", change.operation != .delete, !actions.contains("store.restore"), let owner = owners.first,
                       let problem = releaseStepProblem(change, owner, audit.filter { $0.object == owner },
                                                        stored: change.operation == .update ? try stored(change) : nil) {
                        return problem
                    }
                    continue
                }
                let what = switch column {
                case "key": "person"
                case "name", "project": "project"
                case "release": "release"
                default: change.table == "releases" ? "release" : "advisory"
                }
                let how = if let step = step(of: change), audit.contains(where: { $0.object == owner }) {
                    ", none whose action records \(step.prefix(40)) events"
                } else if !covering(owner).isEmpty {
                    ", none that may change \(change.new.keys.sorted().joined(separator: ", ").prefix(80)) of \(change.table.prefix(40))"
                } else if audit.contains(where: { $0.object == owner }) {
                    ", none that may \(change.operation.rawValue) rows of \(change.table.prefix(40))"
                } else {
                    ""
                }
                return "\(what) \(owner.prefix(40)) without a signed audit entry for it\(how)"
            }
        }
        return nil
    }
}

#if DEBUG
extension AuditedWrites {
    /// In debug builds (the tests), every write that appends audit entries
    /// checks that those entries' actions account for the tables it changed,
    /// as every other machine of a team checks: a command that writes a table
    /// its action does not list fails here, not in a team's sync.
    final class Recorder: TransactionObserver {
        private struct Change: Hashable {
            var table: String
            var operation: RowChange.Operation
        }

        private var changes: Set<Change> = []
        private var audit: [Int64] = []
        /// Rows inserted in tables with a member column (an update writes the whole row
        /// back, and its changed columns are checked on receipt). SQLite tells observers
        /// nothing of WITHOUT ROWID tables (release_qa, people, ...): those are checked
        /// on receipt only.
        private var written: [String: Set<Int64>] = [:]
        private let member: String

        init(member: String) {
            self.member = member
        }

        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }

        func databaseDidChange(with event: DatabaseEvent) {
            let operation: RowChange.Operation = switch event.kind {
            case .insert: .insert
            case .update: .update
            case .delete: .delete
            }
            if event.tableName == "audit_log", operation == .insert { audit.append(event.rowID) }
            if operation == .insert, memberColumns[event.tableName] != nil { written[event.tableName, default: []].insert(event.rowID) }
            changes.insert(Change(table: event.tableName, operation: operation))
        }

        func databaseDidCommit(_ db: Database) {}
        func databaseDidRollback(_ db: Database) {}

        func check(_ db: Database) throws {
            let actions = try audit.compactMap { try String.fetchOne(db, sql: "SELECT action FROM audit_log WHERE rowid = ?", arguments: [$0]) }
            guard !actions.isEmpty, !actions.contains("store.init"), !actions.contains("store.restore") else { return }
            // Member and store-wide rows are checked by the membership chain and by name.
            for change in changes where !RowDiff.isLocal(change.table) && ownerColumn(change.table) != nil {
                let row = RowChange(table: change.table, operation: change.operation, key: [:])
                if !actions.contains(where: { allows($0, row) }) {
                    throw EmbargoError(.failure, "\(actions.joined(separator: ", ")) made \(change.operation.rawValue)s in \(change.table), which AuditedWrites does not list for them: every other machine of a team would refuse the change")
                }
            }
            for (table, rows) in written {
                let columns = memberColumns[table] ?? []
                for rowID in rows {
                    guard let row = try Row.fetchOne(db, sql: "SELECT * FROM \(table) WHERE rowid = ?", arguments: [rowID]) else { continue }
                    for column in columns {
                        if let name: String = row[column], name != member {
                            throw EmbargoError(.failure, "\(actions.joined(separator: ", ")) wrote \(name) into \(table).\(column) for \(member): every other machine of a team would refuse the change")
                        }
                    }
                    if table == "timeline", let kind: String = row["kind"], let step = step(kind), let steps = stepEvents[step], steps.isDisjoint(with: actions) {
                        throw EmbargoError(.failure, "\(actions.joined(separator: ", ")) recorded a \(kind) event, which only \(steps.sorted().joined(separator: ", ")) records: every other machine of a team would refuse the change")
                    }
                }
            }
        }
    }
}
#endif

extension Workspace {
    /// `store.write` for a body that appends audit entries (in debug builds
    /// checked by `AuditedWrites.Recorder`).
    func signedWrite<T>(_ body: (Database) throws -> T) throws -> T {
        try store.write { db in
            #if DEBUG
            let recorder = AuditedWrites.Recorder(member: member.name)
            db.add(transactionObserver: recorder, extent: .nextTransaction)
            let result = try body(db)
            try recorder.check(db)
            return result
            #else
            try body(db)
            #endif
        }
    }
}
