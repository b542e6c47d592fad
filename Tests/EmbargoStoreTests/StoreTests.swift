import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB
import Testing

/// A temporary store directory, removed by `defer`.
struct TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("embargo-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

@Suite("sealed store file")
struct SealedFileTests {
    @Test func roundTripAndHeader() throws {
        let key = try DataKey.generate()
        let plaintext = SecureBytes(copying: Array("hello database".utf8))
        let sealed = try SealedFile.seal(plaintext, generation: 42, dataKey: key)
        #expect(sealed.count % 1024 == (SealedFile.headerSize + 16) % 1024)
        let header = try SealedFile.header(of: sealed)
        #expect(header.generation == 42)
        #expect(header.keyID == key.id)
        let (_, opened) = try SealedFile.open(sealed, dataKey: key)
        #expect(opened.exposedBytes() == Array("hello database".utf8))
    }

    @Test func everySingleByteFlipIsDetected() throws {
        let key = try DataKey.generate()
        let sealed = try SealedFile.seal(SecureBytes(copying: [UInt8](repeating: 7, count: 3000)), generation: 1, dataKey: key)
        var detected = 0
        // Every header byte, then a stride through the body and the tag.
        let positions = Array(0..<SealedFile.headerSize) + Array(stride(from: SealedFile.headerSize, to: sealed.count, by: 97)) + [sealed.count - 1]
        for position in positions {
            var damaged = sealed
            damaged[position] ^= 0x80
            do {
                _ = try SealedFile.open(damaged, dataKey: key)
                Issue.record("flip at \(position) not detected")
            } catch let error as EmbargoError {
                #expect(error.kind == .verification, "flip at \(position): \(error)")
                detected += 1
            }
        }
        #expect(detected == positions.count)
    }

    @Test func wrongKeyAndTruncationAreVerificationFailures() throws {
        let sealed = try SealedFile.seal(SecureBytes(copying: [1, 2, 3]), generation: 1, dataKey: try DataKey.generate())
        #expect(throws: EmbargoError.self) { try SealedFile.open(sealed, dataKey: try DataKey.generate()) }
        for length in [0, 5, SealedFile.headerSize, sealed.count - 1] {
            do {
                _ = try SealedFile.open(Array(sealed.prefix(length)), dataKey: try DataKey.generate())
                Issue.record("truncation to \(length) not detected")
            } catch let error as EmbargoError {
                #expect(error.kind == .verification)
            }
        }
    }
}

@Suite("encrypted store")
struct StoreTests {
    func makeStore(_ dir: TempDir) throws -> (Store, AgeX25519Identity) {
        let identity = try AgeX25519Identity()
        let store = try Store.create(at: dir.url.appendingPathComponent("s"), recipients: [identity.recipient]) { db in
            try db.execute(sql: "INSERT INTO store_meta (key, value) VALUES ('test', 'yes')")
        }
        return (store, identity)
    }

    @Test func writesCommitNewGenerationsAndKeepTenBackups() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try makeStore(dir)
        #expect(try store.generation() == 1)
        for i in 0..<14 {
            try store.write { db in
                try db.execute(sql: "INSERT INTO store_meta (key, value) VALUES (?, 'v')", arguments: ["k\(i)"])
            }
        }
        #expect(try store.generation() == 15)
        let backups = try store.backupFiles()
        #expect(backups.count == Store.backupLimit)
        #expect(backups.first?.lastPathComponent == "store.000000000005.embargo")

        let reopened = try Store.open(at: store.directory, identity: identity)
        let count = try reopened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM store_meta") }
        #expect(count == 15)
        let report = try reopened.verify()
        #expect(report.backups.count == 10 && report.backups.allSatisfy(\.ok))
    }

    @Test func failedWriteChangesNothing() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, _) = try makeStore(dir)
        let before = try Data(contentsOf: store.storeFile)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.write { db in
                try db.execute(sql: "INSERT INTO store_meta (key, value) VALUES ('half', 'done')")
                throw Boom()
            }
        }
        #expect(try Data(contentsOf: store.storeFile) == before)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM store_meta WHERE key = 'half'") } == 0)
    }

    @Test func newerSchemaIsRefused() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, identity) = try makeStore(dir)
        try store.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('m9999_from_the_future')")
        }
        // As the next command (a process of this version) finds the store: refused when opened.
        do {
            let reopened = try Store.open(at: store.directory, identity: identity)
            _ = try reopened.read { _ in 0 }
            Issue.record("a store from a newer schema opened")
        } catch let error as EmbargoError {
            #expect(error.message == "the store was written by a newer embargo (schema m9999_from_the_future)")
            #expect(error.hint == "upgrade embargo to a version that knows this schema")
        }
    }

    @Test func foreignIdentityIsAccessDenied() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, _) = try makeStore(dir)
        do {
            _ = try Store.open(at: store.directory, identity: try AgeX25519Identity())
            Issue.record("a foreign identity opened the store")
        } catch let error as EmbargoError {
            #expect(error.kind == .accessDenied)
        }
    }

    @Test func restoreBringsBackAnOlderState() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, _) = try makeStore(dir)
        let saved = dir.url.appendingPathComponent("saved.embargo")
        #expect(try store.exportBackup(to: saved) == 1)
        try store.write { db in try db.execute(sql: "DELETE FROM store_meta") }
        let result = try store.restore(from: saved)
        #expect(result.restored == 1 && result.generation == 3)
        #expect(try store.read { db in try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'test'") } == "yes")
    }

    @Test func rotationReSealsEverythingForTheRemainingRecipients() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let (store, alice) = try makeStore(dir)
        let bob = try AgeX25519Identity()
        try store.writeUpdatingKeyring { _ in [alice.recipient, bob.recipient] }
        _ = try Store.open(at: store.directory, identity: bob)
        try store.writeRotatingKey { _ in [alice.recipient] }
        #expect(throws: EmbargoError.self) { _ = try Store.open(at: store.directory, identity: bob) }
        let reopened = try Store.open(at: store.directory, identity: alice)
        let report = try reopened.verify()
        #expect(report.backups.count == 2 && report.backups.allSatisfy(\.ok))
    }
}
