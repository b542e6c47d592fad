import CStoreImage
import EmbargoCrypto
import Foundation
import GRDB
import GRDBSQLite

/// The decrypted database of one store state, held in memory only: SQLite's
/// own in-memory database (`sqlite3_deserialize`) on the image's connection,
/// in memory that `CStoreImage` gives SQLite (wiped or unmapped when freed,
/// kept out of core dumps).
///
/// ```swift
/// let (header, image) = try SealedFile.openImage(sealed, dataKey: key)
/// let queue = try image.openQueue(configuration)
/// ```
// Not Sendable: one store uses it from one thread at a time.
final class DatabaseImage {
    /// The database, until `openQueue` hands it to SQLite.
    private var pending: (block: UnsafeMutableRawPointer, size: Int, capacity: Int)?
    private var queue: DatabaseQueue?

    /// Room before the database in a buffer, for the allocator's header.
    static let blockHeader = Int(EMB_MEMORY_HEADER)

    /// Takes ownership of `buffer` (from `Buffer.allocate`): the database is
    /// `size` bytes starting `offset` (at least `blockHeader`) bytes in.
    init(adopting buffer: Buffer, offset: Int, size: Int) throws {
        defer { buffer.free() }
        try Self.configureMemory()
        guard let block = emb_memory_adopt(buffer.pointer, buffer.capacity, offset) else {
            throw EmbargoError(.failure, "cannot load the store database (no room before it in its buffer)")
        }
        buffer.adopted()
        pending = (block, size, buffer.capacity - offset)
    }

    /// An image holding a copy of `bytes`.
    convenience init<Bytes: ContiguousBytes>(copying bytes: Bytes) throws {
        let count = bytes.withUnsafeBytes(\.count)
        let buffer = try Buffer.allocate(capacity: Self.blockHeader + Self.capacity(holding: count))
        bytes.withUnsafeBytes { source in
            if count > 0 { (buffer.pointer + Self.blockHeader).update(from: source.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count) }
        }
        try self.init(adopting: buffer, offset: Self.blockHeader, size: count)
    }

    deinit {
        if let pending { sqlite3_free(pending.block) }
    }

    /// A buffer size for a database of `count` bytes, with room to grow
    /// before the buffer has to move.
    static func capacity(holding count: Int) -> Int {
        count + count / 8 + (256 << 10)
    }

    private static let memoryConfigured = emb_memory_configure()

    /// SQLite allocates from `CStoreImage` in this process, before its first use.
    static func configureMemory() throws {
        guard memoryConfigured == SQLITE_OK else {
            throw EmbargoError(.failure, "cannot set up the memory of the store database (SQLite code \(memoryConfigured))")
        }
    }

    /// The connection on the image (made on first use). Its journal is checked
    /// to be in memory before anything is written, so that nothing of the
    /// database can ever end up in a file.
    func openQueue(_ configuration: Configuration) throws -> DatabaseQueue {
        if let queue { return queue }
        guard let pending else { throw EmbargoError(.failure, "the store database is gone") }
        self.pending = nil
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration)
        } catch let error as DatabaseError {
            sqlite3_free(pending.block)
            throw EmbargoError(.failure, "cannot open the in-memory store database (SQLite code \(error.extendedResultCode.rawValue))")
        }
        try queue.inDatabase { db in
            // SQLite owns the block from here on, also when this fails.
            let result = sqlite3_deserialize(db.sqliteConnection, "main", pending.block.assumingMemoryBound(to: UInt8.self),
                                             Int64(pending.size), Int64(pending.capacity),
                                             UInt32(SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE))
            guard result == SQLITE_OK else {
                throw EmbargoError(.failure, "cannot load the store database (SQLite code \(result))")
            }
            db.clearSchemaCache()
            try Self.checkInMemory(db, schema: "main")
        }
        self.queue = queue
        return queue
    }

    /// Runs `body` with `schema` of `db` holding this image's database,
    /// read-only and without a copy, detached afterwards. The image must not
    /// change meanwhile.
    func attached<R>(to db: Database, as schema: String, _ body: () throws -> R) throws -> R {
        try withBytes { bytes in
            try db.execute(sql: "ATTACH DATABASE ':memory:' AS \(schema)")
            defer { try? db.execute(sql: "DETACH DATABASE \(schema)") }
            let result = sqlite3_deserialize(db.sqliteConnection, schema, UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)),
                                             Int64(bytes.count), Int64(bytes.count), UInt32(SQLITE_DESERIALIZE_READONLY))
            guard result == SQLITE_OK else {
                throw EmbargoError(.failure, "cannot compare two states of the store (SQLite code \(result))")
            }
            try Self.checkInMemory(db, schema: schema)
            return try body()
        }
    }

    /// A database opened in SQLite's memory VFS keeps its rollback journal in
    /// memory too; any other VFS or journal would reach the disk.
    private static func checkInMemory(_ db: Database, schema: String) throws {
        var pointer: UnsafeMutablePointer<CChar>?
        let vfs: String? = sqlite3_file_control(db.sqliteConnection, schema, SQLITE_FCNTL_VFSNAME, &pointer) == SQLITE_OK
            ? pointer.map { String(cString: $0) } : nil
        if let pointer { sqlite3_free(pointer) }
        let journal = try String.fetchOne(db, sql: "PRAGMA \(schema).journal_mode = MEMORY")
        guard vfs == "memdb" || vfs?.hasPrefix("memdb(") == true, journal == "memory" else {
            throw EmbargoError(.failure, "the store database did not open in memory (VFS \(vfs ?? "unknown"), journal \(journal ?? "unknown"))")
        }
    }

    var size: Int { withBytes(\.count) }

    /// The database bytes, valid inside `body` while no connection writes.
    /// Not from inside an access to the image's own queue.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let pending { return try body(UnsafeRawBufferPointer(start: pending.block, count: pending.size)) }
        guard let queue else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try queue.inDatabase { db in
            var count: sqlite3_int64 = 0
            let bytes = sqlite3_serialize(db.sqliteConnection, "main", &count, UInt32(SQLITE_SERIALIZE_NOCOPY))
            return try body(UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : Int(count)))
        }
    }

    /// A copy of the database bytes.
    func snapshot() -> SecureBytes {
        withBytes { SecureBytes(copying: $0) }
    }

    /// Memory for an image: a mapping out of core dumps, unmapped when freed
    /// unless an image adopted it.
    // Not Sendable: a raw buffer handed from the loader to the image on one thread.
    final class Buffer {
        let pointer: UnsafeMutablePointer<UInt8>
        let capacity: Int
        private var owned = true

        private init(pointer: UnsafeMutablePointer<UInt8>, capacity: Int) {
            self.pointer = pointer
            self.capacity = capacity
        }

        /// A buffer for a sealed file of `count` bytes, decrypted in place.
        static func allocate(capacity: Int) throws -> Buffer {
            var granted = 0
            guard let pointer = emb_memory_map(max(capacity, 1), &granted) else {
                throw EmbargoError(.failure, "cannot load the store database (out of memory)")
            }
            return Buffer(pointer: pointer, capacity: granted)
        }

        var raw: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: pointer, count: capacity) }

        fileprivate func adopted() { owned = false }

        func free() {
            guard owned else { return }
            owned = false
            emb_memory_unmap(pointer, capacity)
        }

        deinit { free() }
    }
}
