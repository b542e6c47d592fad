import EmbargoCrypto
@testable import EmbargoStore
import Foundation
import GRDB
import Testing
import TestSupport

@Suite("store journal")
struct JournalTests {
    /// Every commit to the journal until `entries` are there, then whole.
    static func policy(entries: Int = 1000) -> JournalPolicy {
        JournalPolicy(minimumDatabaseSize: 0, maximumEntries: entries, sizeDivisor: 1, minimumBudget: 0)
    }

    func makeStore(_ dir: TempDir, policy: JournalPolicy = JournalTests.policy()) throws -> (Store, AgeX25519Identity) {
        let identity = try AgeX25519Identity()
        let store = try Store.create(at: dir.url.appendingPathComponent("s"), recipients: [identity.recipient]) { db in
            try db.execute(sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        }
        store.journalPolicy = policy
        return (store, identity)
    }

    /// What another process finds on disk (the store file and the journal,
    /// replayed): every row of every table, and the generation.
    func loadedElsewhere(_ store: Store, _ identity: AgeX25519Identity) throws -> ([String], UInt64) {
        let other = try Store.open(at: store.directory, identity: identity)
        return (try Self.rows(other), try other.generation())
    }

    /// Every row of every table (SQLite's own and the full-text index's included), in order.
    /// A project `p` and draft advisories ADV-2026-001, -002, ... with these titles.
    static func insertAdvisories(_ db: Database, titles: [String]) throws {
        try db.execute(sql: "INSERT INTO projects (name, repo_path, remote, package_name, created_at) VALUES ('p', '/r', 'origin', 'p', 't')")
        for (index, title) in titles.enumerated() {
            try db.execute(sql: """
                INSERT INTO advisories (id, year, seq, project, status, private_title, created_at, created_by, updated_at)
                VALUES (?, 2026, ?, 'p', 'draft', ?, 't', 'alice', 't')
                """, arguments: [String(format: "ADV-2026-%03d", index + 1), index + 1, title])
        }
    }

    static func rows(_ store: Store) throws -> [String] {
        try store.read(rows)
    }

    static func rows(_ db: Database) throws -> [String] {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
        return try tables.flatMap { table in
            try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map { "\(table): \($0)" }.sorted()
        }
    }

    func entries(_ store: Store) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.journalDirectory.path)) ?? []).sorted()
    }

    @Test func replayingTheJournalGivesTheWritersRows() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try makeStore(dir)
        var random = SeededGenerator(seed: 2026)
        var journaled = 0
        var whole = 0
        for step in 0..<80 {
            try store.write { db in
                for _ in 0..<Int.random(in: 1...6, using: &random) {
                    // Small rows, rows that overflow a page, updates and deletes.
                    let size = Bool.random(using: &random) ? Int.random(in: 1...300, using: &random) : Int.random(in: 3000...40000, using: &random)
                    let body = (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
                    switch Int.random(in: 0..<10, using: &random) {
                    case 0..<6: try db.execute(sql: "INSERT INTO items (body) VALUES (?)", arguments: [Data(body)])
                    case 6..<8: try db.execute(sql: "UPDATE items SET body = ? WHERE id = (SELECT id FROM items ORDER BY random() LIMIT 1)", arguments: [Data(body)])
                    default: try db.execute(sql: "DELETE FROM items WHERE id IN (SELECT id FROM items ORDER BY random() LIMIT 3)")
                    }
                }
            }
            // Both kinds of commit happen: the rows outgrow the journal's budget now and then.
            if entries(store).isEmpty { whole += 1 } else { journaled += 1 }
            let (elsewhere, generation) = try loadedElsewhere(store, identity)
            #expect(try Self.rows(store) == elsewhere, "after write \(step)")
            #expect(generation == UInt64(step + 2))
        }
        #expect(try store.verify().journalEntries == entries(store).count)
        #expect(journaled >= 40 && whole >= 2, "\(journaled) journal commits, \(whole) whole")
    }

    @Test func theJournalFoldsIntoANewStoreFileWhenFull() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try makeStore(dir, policy: JournalTests.policy(entries: 3))
        for i in 0..<3 {
            try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES (?)", arguments: [Data("row \(i)".utf8)]) }
        }
        #expect(entries(store) == ["entry.000000000002.embargo", "entry.000000000003.embargo", "entry.000000000004.embargo"])
        #expect(try SealedFile.header(of: try #require(try SafeFile.read(store.storeFile))).generation == 1)
        try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES ('row 3')") }
        #expect(entries(store).isEmpty)
        #expect(try SealedFile.header(of: try #require(try SafeFile.read(store.storeFile))).generation == 5)
        // The store file it replaced is a backup.
        #expect(try store.backupFiles().map(\.lastPathComponent) == ["store.000000000001.embargo"])
        let (elsewhere, generation) = try loadedElsewhere(store, identity)
        #expect(try generation == 5 && elsewhere == Self.rows(store))
        let reopened = try Store.open(at: store.directory, identity: identity)
        #expect(try reopened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items") } == 4)
    }

    @Test func aSmallDatabaseIsSealedWholeUnderTheStandardPolicy() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, _) = try makeStore(dir, policy: .standard)
        for _ in 0..<3 { try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES (x'00')") } }
        #expect(entries(store).isEmpty)
        #expect(try store.backupFiles().count == 3)
        #expect(JournalPolicy.standard.budget(forDatabaseOf: 72 << 20) == 9 << 20)
        #expect(JournalPolicy.standard.budget(forDatabaseOf: 4 << 20) == 512 << 10)
        #expect(JournalPolicy.standard.budget(forDatabaseOf: 100 << 10) == 256 << 10)
    }

    func storeWithJournal(_ dir: TempDir) throws -> (Store, AgeX25519Identity) {
        let (store, identity) = try makeStore(dir)
        for i in 0..<4 {
            try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES (?)", arguments: [Data(repeating: UInt8(i), count: 5000)]) }
        }
        return (store, identity)
    }

    func expectVerificationFailure(_ store: Store, _ identity: AgeX25519Identity, _ what: String, message: String? = nil) {
        do {
            let reopened = try Store.open(at: store.directory, identity: identity)
            _ = try reopened.read { _ in 0 }
            Issue.record("\(what) was not detected")
        } catch let error as EmbargoError {
            #expect(error.kind == .verification, "\(what): \(error)")
            if let message { #expect(error.message.contains(message), "\(what): \(error.message)") }
        } catch {
            Issue.record("\(what): \(error)")
        }
    }

    @Test func everySingleByteFlipInAJournalEntryIsDetected() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try storeWithJournal(dir)
        let file = store.journalDirectory.appendingPathComponent("entry.000000000003.embargo")
        let original = try #require(try SafeFile.read(file))
        let positions = Array(0..<JournalEntry.headerSize) + Array(stride(from: JournalEntry.headerSize, to: original.count, by: 61)) + [original.count - 1]
        for position in positions {
            var damaged = original
            damaged[position] ^= 0x01
            try Data(damaged).write(to: file)
            expectVerificationFailure(store, identity, "flip at \(position)")
        }
        try Data(original).write(to: file)
        #expect(try loadedElsewhere(store, identity).1 == 5)
    }

    @Test func aMissingReorderedOrForeignEntryIsDetected() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try storeWithJournal(dir)
        let journal = store.journalDirectory
        func entry(_ generation: UInt64) -> URL { journal.appendingPathComponent(JournalEntry.fileName(generation)) }

        // A copy of the store that went another way after generation 3 (same data key).
        let fork = dir.url.appendingPathComponent("fork")
        try FileManager.default.copyItem(at: store.directory, to: fork)
        let forked = try Store.open(at: fork, identity: identity)
        forked.journalPolicy = JournalTests.policy()
        try FileManager.default.removeItem(at: fork.appendingPathComponent("journal/entry.000000000004.embargo"))
        try FileManager.default.removeItem(at: fork.appendingPathComponent("journal/entry.000000000005.embargo"))
        try forked.write { db in try db.execute(sql: "DELETE FROM items") }

        let saved = try Data(contentsOf: entry(3))
        try FileManager.default.removeItem(at: entry(3))
        expectVerificationFailure(store, identity, "a missing entry", message: "missing generation 3")
        try saved.write(to: entry(3))

        let fourth = try Data(contentsOf: entry(4))
        try saved.write(to: entry(4))
        expectVerificationFailure(store, identity, "an entry under another generation's name", message: "holds generation 3, not 4")
        try fourth.write(to: entry(4))

        try Data(contentsOf: fork.appendingPathComponent("journal/entry.000000000004.embargo")).write(to: entry(4))
        expectVerificationFailure(store, identity, "an entry from another history", message: "does not follow the state before it")
        try fourth.write(to: entry(4))

        try FileManager.default.removeItem(at: store.storeFile)
        try FileManager.default.copyItem(at: dir.url.appendingPathComponent("fork/store.embargo"), to: store.storeFile)
        #expect(try loadedElsewhere(store, identity).1 == 5)
    }

    @Test func entriesTheStoreFileAlreadyHoldsAreIgnored() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try makeStore(dir, policy: JournalTests.policy(entries: 2))
        try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES ('a')") }
        let stale = try Data(contentsOf: store.journalDirectory.appendingPathComponent("entry.000000000002.embargo"))
        try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES ('b')") }
        try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES ('c')") }
        #expect(entries(store).isEmpty)
        // As if a crash came between writing the new store file and removing the journal.
        try stale.write(to: store.journalDirectory.appendingPathComponent("entry.000000000002.embargo"))
        let (elsewhere, generation) = try loadedElsewhere(store, identity)
        #expect(try generation == 4 && elsewhere == Self.rows(store))
        try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES ('d')") }
        #expect(entries(store) == ["entry.000000000005.embargo"])
    }

    @Test func backupRestoreAndRotationKeepTheJournalsState() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, alice) = try storeWithJournal(dir)
        let saved = dir.url.appendingPathComponent("saved.embargo")
        #expect(try store.exportBackup(to: saved) == 5)
        #expect(try store.readBackup(saved, Self.rows) == Self.rows(store))

        try store.write { db in try db.execute(sql: "DELETE FROM items") }
        let beforeRestore = try Self.rows(store)
        #expect(try store.restore(from: saved) == (5, 7))
        #expect(entries(store).isEmpty)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items") } == 4)
        // The replaced state (store file and journal) was kept whole.
        #expect(try store.readBackup(store.backupFile(6), Self.rows) == beforeRestore)

        try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES ('after')") }
        let bob = try AgeX25519Identity()
        try store.writeUpdatingKeyring { _ in [alice.recipient, bob.recipient] }
        try store.writeRotatingKey { _ in [alice.recipient] }
        #expect(entries(store).isEmpty)
        #expect(throws: EmbargoError.self) { _ = try Store.open(at: store.directory, identity: bob) }
        let reopened = try Store.open(at: store.directory, identity: alice)
        #expect(try reopened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items") } == 5)
        #expect(try reopened.verify().backups.allSatisfy(\.ok))
    }

    @Test func aReadInsideAWriteSeesTheCommittedState() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, _) = try makeStore(dir)
        try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES ('committed')") }
        let seen = try store.write { db -> Int in
            try db.execute(sql: "INSERT INTO items (body) VALUES ('pending')")
            return try store.read { other in try Int.fetchOne(other, sql: "SELECT count(*) FROM items") ?? -1 }
        }
        #expect(seen == 1)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items") } == 2)
    }
}

@Suite("database image")
struct DatabaseImageTests {
    @Test func aDatabaseOpensOnlyInMemory() throws {
        let image = try DatabaseImage(copying: [UInt8]())
        let queue = try image.openQueue(Configuration())
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath))
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (x)")
            try db.execute(sql: "INSERT INTO t VALUES ('kept in memory')")
        }
        #expect(image.size > 0)
        let (vfs, journal) = try queue.read { db in
            (try String.fetchOne(db, sql: "SELECT file FROM pragma_database_list WHERE name = 'main'"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        #expect(vfs == "" || vfs == "x", "no file behind the database: \(vfs ?? "none")")
        #expect(journal == "memory")
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath))
        #expect(after == before, "nothing was written beside: \(after.subtracting(before))")
    }

    /// A database that outgrows its buffer moves to a larger one, and what
    /// `withBytes` gives is the whole database, which opens again.
    @Test func aDatabaseGrowsPastItsBufferAndCopiesWhole() throws {
        let image = try DatabaseImage(copying: [UInt8]())
        let queue = try image.openQueue(Configuration())
        let row = String(repeating: "x", count: 4000)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (x)")
            for _ in 0..<2000 { try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [row]) }
        }
        #expect(image.size > DatabaseImage.capacity(holding: 0))
        let copy = try DatabaseImage(copying: image.snapshot().exposedBytes())
        #expect(copy.withBytes { Array($0.prefix(15)) } == Array("SQLite format 3".utf8))
        let count = try copy.openQueue(Configuration()).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM t") }
        #expect(count == 2000)
        // The database's memory is a mapping kept out of core dumps (VmFlags "dd").
        let address = UInt(bitPattern: image.withBytes { $0.baseAddress })
        let flags = try Self.mappingFlags(containing: address)
        #expect(flags?.contains("dd") == true, "VmFlags of the database's memory at \(String(address, radix: 16)): \(flags ?? [])")
        // Attached to another connection without a copy, read-only.
        let other = try DatabaseImage(copying: [UInt8]()).openQueue(Configuration())
        try other.writeWithoutTransaction { db in
            try image.attached(to: db, as: "previous") { () throws -> Void in
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM previous.t") == 2000)
                #expect(throws: (any Error).self) { try db.execute(sql: "INSERT INTO previous.t VALUES (1)") }
            }
        }
    }

    /// The VmFlags of the mapping of this process that holds `address`.
    static func mappingFlags(containing address: UInt) throws -> [String]? {
        var inside = false
        // A file of /proc has no size to read up to: read it to its end.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/smaps") else { return nil }
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = bounds.count == 2 && bounds[0] <= address && address < bounds[1]
            } else if inside, fields.first == "VmFlags:" {
                return fields.dropFirst().map(String.init)
            }
        }
        return nil
    }
}

extension JournalTests {
    /// A store an older embargo wrote (here: one from before the advisory lists
    /// became rows) is migrated by the first open and kept so: the next open
    /// finds nothing to migrate and commits nothing.
    @Test func anOlderStoreIsMigratedOnceAndKeptSo() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try makeStore(dir)
        try store.write { db in
            try Self.insertAdvisories(db, titles: ["Title"])
            // Back to the schema before m0008: the lists as JSON columns.
            try db.execute(sql: "DROP TABLE advisory_items")
            for column in ["branches", "cwes", "reporters", "fixers", "coordinators", "credits", "reference_urls"] {
                try db.execute(sql: "ALTER TABLE advisories ADD COLUMN \(column) TEXT NOT NULL DEFAULT '[]'")
            }
            try db.execute(sql: #"UPDATE advisories SET branches = '["1.0.x","1.1.x"]', credits = '[{"name":"Ann","type":"FINDER"}]'"#)
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'm0008_advisory_lists'")
        }
        let before = try store.generation()
        let first = try Store.open(at: store.directory, identity: identity)
        #expect(try first.generation() == before + 1, "the first open keeps the migrated state")
        let items = try first.read { db in try String.fetchAll(db, sql: "SELECT list || ':' || item FROM advisory_items ORDER BY list, position") }
        #expect(items == ["branches:1.0.x", "branches:1.1.x", "credits:Ann"])
        let second = try Store.open(at: store.directory, identity: identity)
        #expect(try second.generation() == before + 1, "nothing left to migrate, nothing committed")
    }
}

extension JournalTests {
    /// A cascade (the advisory's lists go with it) and the full-text index
    /// (rows SQLite's FTS5 keeps in tables of its own) replay exactly.
    @Test func cascadesAndTheSearchIndexReplay() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try makeStore(dir)
        try store.write { db in
            try Self.insertAdvisories(db, titles: (1...3).map { "Title \($0)" })
            for number in 1...3 {
                let id = "ADV-2026-00\(number)"
                try db.execute(sql: "INSERT INTO advisory_items (advisory, list, position, item) VALUES (?, 'branches', 0, '1.0.x')", arguments: [id])
                try db.execute(sql: "INSERT INTO advisory_search (id, private_title, description) VALUES (?, ?, ?)",
                               arguments: [id, "Title \(number)", "word\(number) shared"])
            }
        }
        try store.write { db in
            try db.execute(sql: "DELETE FROM advisories WHERE id = 'ADV-2026-002'")
            try db.execute(sql: "DELETE FROM advisory_search WHERE id = 'ADV-2026-002'")
            try db.execute(sql: "UPDATE advisory_search SET description = 'changed words' WHERE id = 'ADV-2026-003'")
        }
        #expect(entries(store).count == 2)
        let (elsewhere, _) = try loadedElsewhere(store, identity)
        #expect(try elsewhere == Self.rows(store))
        let other = try Store.open(at: store.directory, identity: identity)
        let found = try other.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM advisory_search WHERE advisory_search MATCH ? ORDER BY id", arguments: ["shared OR changed"])
        }
        #expect(found == ["ADV-2026-001", "ADV-2026-003"])
        #expect(try other.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM advisory_items") } == 2)
        #expect(try other.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
    }

    /// A patchset holds rows, not the schema: a commit that changes the
    /// schema is sealed whole.
    @Test func aCommitThatChangesTheSchemaIsSealedWhole() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try makeStore(dir)
        try store.write { db in try db.execute(sql: "INSERT INTO items (body) VALUES ('a')") }
        #expect(entries(store).count == 1)
        try store.write { db in
            try db.execute(sql: "CREATE TABLE extra (id INTEGER PRIMARY KEY, note TEXT)")
            try db.execute(sql: "INSERT INTO extra (note) VALUES ('kept')")
        }
        #expect(entries(store).isEmpty)
        #expect(try SealedFile.header(of: try #require(try SafeFile.read(store.storeFile))).generation == 3)
        let other = try Store.open(at: store.directory, identity: identity)
        #expect(try other.read { db in try String.fetchOne(db, sql: "SELECT note FROM extra") } == "kept")
    }

    /// The session extension records only tables with a primary key: every
    /// table of the store's schema has one, or its rows would be left out of
    /// the journal.
    @Test func everyTableOfTheStoreHasAPrimaryKey() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, _) = try makeStore(dir)
        let unkeyed = try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT m.name FROM sqlite_master m
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.sql NOT LIKE 'CREATE VIRTUAL%'
                  AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE pk > 0)
                """)
        }
        #expect(unkeyed == [])
    }

    /// Entries of 4 KiB chunks, which development versions wrote, are named
    /// as such (not as damage), and nothing is changed.
    @Test func aChunkEntryOfADevelopmentVersionIsNamed() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try storeWithJournal(dir)
        let file = store.journalDirectory.appendingPathComponent(JournalEntry.fileName(6))
        try Data(Array("EMBJRNL1".utf8) + [UInt8](repeating: 0, count: 120)).write(to: file)
        #expect {
            _ = try Store.open(at: store.directory, identity: identity)
        } throws: { error in
            (error as? EmbargoError).map { $0.kind == .failure && $0.message.contains("development version") } ?? false
        }
        try FileManager.default.removeItem(at: file)
        #expect(try loadedElsewhere(store, identity).1 == 5)
    }
}

extension JournalTests {
    /// An authentic entry whose patchset is cut short (only a holder of the
    /// data key could write one) is refused as malformed; the system SQLite
    /// alone would loop forever on some of these.
    @Test func anAuthenticEntryWithATruncatedChangesetIsRefused() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try storeWithJournal(dir)
        let last = try JournalEntry.header(of: try #require(try SafeFile.read(store.journalDirectory.appendingPathComponent(JournalEntry.fileName(5)))),
                                           file: "5")
        let cut = Array("PORE".utf8) + [0, 1, 0, 0, 0]  // a table header for 79 columns, then nothing
        let sealed = try JournalEntry.seal(SecureBytes(copying: cut), generation: 6, previousNonce: last.nonce, dataKey: store.dataKey)
        try Data(sealed).write(to: store.journalDirectory.appendingPathComponent(JournalEntry.fileName(6)))
        expectVerificationFailure(store, identity, "a truncated patchset", message: "entry.000000000006.embargo is malformed")
    }
}
