import EmbargoCrypto
import EmbargoStore

// A fixed data key; the seeds in Fuzz/corpus/store-header are sealed with it
// (32 bytes of 0x42), so mutations of them pass the key id check.
let dataKey = try! DataKey(SecureBytes(copying: [UInt8](repeating: 0x42, count: 32)))

/// A valid header (format 1, generation 7, our key id, zero nonce) for the
/// second half of the target, which reaches the code after authentication.
let validHeader: [UInt8] = SealedFile.magic + [0, 1] + [0, 0, 0, 0, 0, 0, 0, 7] + dataKey.id
    + [UInt8](repeating: 0, count: AEAD.nonceSize)

/// A journal entry header (generation 8, our key id, following the zero nonce,
/// its own nonce 1...12) for the journal half of the target.
let entryHeader: [UInt8] = JournalEntry.magic + [0, 0, 0, 0, 0, 0, 0, 8] + dataKey.id
    + [UInt8](repeating: 0, count: AEAD.nonceSize) + Array(1...12)

/// A new store's database (every table, no rows) for entries to change.
let database = try! Store.emptyDatabase().withUnsafeBytes { Array($0) }

/// A store file or journal entry either opens or throws a verification error;
/// a trap or a sanitizer report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The file as read from disk: header, then authentication.
    _ = try? SealedFile.header(of: bytes)
    _ = try? SealedFile.open(bytes, dataKey: dataKey)
    // The input as the authenticated plaintext (length field, database,
    // padding): sealed properly, so open() gets past the tag to the framing.
    let nonce = Array(validHeader.suffix(AEAD.nonceSize))
    if let body = try? AEAD.seal(.aes256gcm, key: dataKey.key, nonce: nonce, plaintext: bytes, aad: validHeader) {
        if let (header, plaintext) = try? SealedFile.open(validHeader + body, dataKey: dataKey) {
            precondition(header.generation == 7 && plaintext.count <= bytes.count - 8)
        }
    }
    // The same for a journal entry: as read from disk, then as its authenticated
    // plaintext (an SQLite patchset) replayed onto a database.
    let previous = [UInt8](repeating: 0, count: AEAD.nonceSize)
    _ = try? JournalEntry.replay(bytes, onto: database, generation: 8, previousNonce: previous, dataKey: dataKey)
    if let body = try? AEAD.seal(.aes256gcm, key: dataKey.key, nonce: Array(entryHeader.suffix(AEAD.nonceSize)), plaintext: bytes,
                                 aad: entryHeader),
       let replayed = try? JournalEntry.replay(entryHeader + body, onto: database, generation: 8, previousNonce: previous, dataKey: dataKey)
    {
        // A patchset that applied leaves a database.
        precondition(replayed.count >= database.count / 2)
    }
    return 0
}
