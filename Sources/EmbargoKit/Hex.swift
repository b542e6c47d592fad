/// Lowercase hex of `bytes`, digit by table. Audit entry hashes and identity
/// digests are computed on every store open; `String(format: "%02x")` per byte
/// took longer than the SHA-256 itself.
func lowercaseHex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
}
