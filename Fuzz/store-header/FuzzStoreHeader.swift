import EmbargoCrypto
import EmbargoStore

// A fixed data key; the seeds in Fuzz/corpus/store-header are sealed with it
// (32 bytes of 0x42), so mutations of them pass the key id check.
let dataKey = try! DataKey(SecureBytes(copying: [UInt8](repeating: 0x42, count: 32)))

/// A valid header (format 1, generation 7, our key id, zero nonce) for the
/// second half of the target, which reaches the code after authentication.
let validHeader: [UInt8] = SealedFile.magic + [0, 1] + [0, 0, 0, 0, 0, 0, 0, 7] + dataKey.id
    + [UInt8](repeating: 0, count: AEAD.nonceSize)

/// A store file either opens or throws a verification error; a trap or a
/// sanitizer report is a bug.
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
    return 0
}
