import CStoreImage
import EmbargoCrypto
import Foundation
import GRDB
import GRDBSQLite

/// The decrypted database of one store state, held in memory only and served
/// to SQLite by the `embargo-memory` VFS.
///
/// ```swift
/// let (header, image) = try SealedFile.openImage(sealed, dataKey: key)
/// let queue = try image.openQueue(configuration)
/// ```
// Not Sendable: it owns a C handle that one store uses from one thread at a time.
final class DatabaseImage {
    fileprivate let handle: OpaquePointer
    let name: String

    /// Takes ownership of `buffer` (from `Buffer.allocate`): the database is
    /// `size` bytes starting `offset` bytes in.
    init(adopting buffer: Buffer, offset: Int, size: Int) throws {
        let name = "/embargo-\(getpid())-\(UUID().uuidString.lowercased())"
        guard emb_image_vfs_register() == SQLITE_OK else {
            buffer.free()
            throw EmbargoError(.failure, "cannot set up the in-memory database")
        }
        let adopted = emb_image_adopt(name, buffer.pointer, buffer.capacity, offset, size)
        buffer.adopted()  // the image owns the buffer even when adopting failed
        guard let handle = adopted else {
            throw EmbargoError(.failure, "cannot load the store database (out of memory)")
        }
        self.handle = handle
        self.name = name
    }

    /// An image holding a copy of `bytes`.
    convenience init<Bytes: ContiguousBytes>(copying bytes: Bytes) throws {
        let count = bytes.withUnsafeBytes(\.count)
        let buffer = try Buffer.allocate(capacity: Self.capacity(holding: count))
        bytes.withUnsafeBytes { source in
            if count > 0 { buffer.pointer.update(from: source.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count) }
        }
        try self.init(adopting: buffer, offset: 0, size: count)
    }

    deinit { emb_image_release(handle) }

    /// A buffer size for a database of `count` bytes, with room to grow
    /// before the buffer has to move.
    static func capacity(holding count: Int) -> Int {
        count + count / 8 + (256 << 10)
    }

    /// Opens a connection on the image. The VFS is checked before anything is
    /// written, so that a database can never end up in a file by mistake.
    func openQueue(_ configuration: Configuration) throws -> DatabaseQueue {
        let uri = "file:\(name)?vfs=\(String(cString: emb_image_vfs_name()))"
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: uri, configuration: configuration)
        } catch let error as DatabaseError {
            throw EmbargoError(.failure, "cannot open the in-memory store database (SQLite code \(error.extendedResultCode.rawValue))")
        }
        let vfs = queue.inDatabase { db -> String? in
            var pointer: UnsafeMutablePointer<CChar>?
            guard sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_VFSNAME, &pointer) == SQLITE_OK,
                  let pointer
            else { return nil }
            defer { sqlite3_free(pointer) }
            return String(cString: pointer)
        }
        guard vfs == String(cString: emb_image_vfs_name()) else {
            throw EmbargoError(.failure, "the store database did not open in memory (VFS \(vfs ?? "unknown"))")
        }
        return queue
    }

    var size: Int {
        var count = 0
        _ = emb_image_bytes(handle, &count)
        return count
    }

    /// The database bytes, valid inside `body` while no connection writes.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var count = 0
        let pointer = emb_image_bytes(handle, &count)
        return try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// A copy of the database bytes.
    func snapshot() -> SecureBytes {
        withBytes { SecureBytes(copying: $0) }
    }

    /// Memory for an image (unmapped when released); owned by the image once adopted.
    // Not Sendable: a raw buffer handed from the loader to the image on one thread.
    final class Buffer {
        let pointer: UnsafeMutablePointer<UInt8>
        let capacity: Int
        private var owned = true

        private init(pointer: UnsafeMutablePointer<UInt8>, capacity: Int) {
            self.pointer = pointer
            self.capacity = capacity
        }

        static func allocate(capacity: Int) throws -> Buffer {
            var granted = 0
            guard let pointer = emb_image_buffer_alloc(max(capacity, 1), &granted) else {
                throw EmbargoError(.failure, "cannot load the store database (out of memory)")
            }
            return Buffer(pointer: pointer, capacity: granted)
        }

        var raw: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: pointer, count: capacity) }

        fileprivate func adopted() { owned = false }

        func free() {
            guard owned else { return }
            owned = false
            emb_image_buffer_free(pointer, capacity)
        }

        deinit { free() }
    }
}
