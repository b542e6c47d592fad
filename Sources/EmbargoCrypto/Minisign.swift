import Foundation

// The minisign formats (https://jedisct1.github.io/minisign/), byte for byte as
// minisign 0.11 reads and writes them. Layouts, limits and the order of checks
// follow minisign's `src/minisign.c`; see section 5 of the project's
// reference/SOURCES.md for the line-by-line account.

// MARK: - Errors

/// Why a minisign key or signature was refused. Messages never contain key material.
public enum MinisignError: Error, Equatable, CustomStringConvertible {
    /// Not in minisign's format; the text says what and where, e.g.
    /// `"public key: expected 42 bytes, found 40"`.
    case malformed(String)
    /// The signature names another key id than the public key.
    case keyMismatch
    /// The signature over the data does not verify.
    case invalidSignature
    /// The signature over the trusted comment does not verify.
    case invalidGlobalSignature
    /// The passphrase does not decrypt the secret key, or an encrypted key was
    /// opened without one.
    /// Well formed, but an algorithm or parameter this implementation refuses.
    case unsupported(String)

    public var description: String {
        switch self {
        case .malformed(let what): return "malformed \(what)"
        case .keyMismatch: return "signature was made with a different key"
        case .invalidSignature: return "signature verification failed"
        case .invalidGlobalSignature: return "trusted comment signature verification failed"
        case .unsupported(let what): return "unsupported \(what)"
        }
    }
}

// MARK: - Public key

/// A minisign public key: an 8-byte key id and an Ed25519 public key.
///
/// ```swift
/// let key = try MinisignPublicKey(base64: "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3")
/// try key.verify(MinisignSignature(parsing: minisigText), for: fileBytes)
/// ```
public struct MinisignPublicKey: Sendable, Hashable {
    public let keyID: [UInt8]
    public let publicKey: [UInt8]

    public init(keyID: [UInt8], publicKey: [UInt8]) throws {
        guard keyID.count == MinisignFormat.keyIDSize else {
            throw MinisignError.malformed("public key: key id must be 8 bytes")
        }
        guard publicKey.count == 32 else {
            throw MinisignError.malformed("public key: Ed25519 key must be 32 bytes")
        }
        self.keyID = keyID
        self.publicKey = publicKey
    }

    /// The base64 line alone, as `minisign -P` takes it. Surrounding white space
    /// (a pasted newline) is ignored.
    public init(base64: String) throws {
        let line = base64.trimmingCharacters(in: .whitespacesAndNewlines)
        try self.init(line: Array(line.utf8))
    }

    /// A `minisign.pub` file: a comment line, then the base64 line. Like minisign,
    /// the comment line is not interpreted.
    public init(fileContents: String) throws {
        let lines = try MinisignFormat.lines(fileContents, what: "public key file")
        guard lines.count == 2 else {
            throw MinisignError.malformed("public key file: expected 2 lines (comment, key), found \(lines.count)")
        }
        try self.init(line: lines[1])
    }

    private init(line: [UInt8]) throws {
        let raw = try MinisignFormat.decodeBase64(line, count: 42, what: "public key")
        guard Array(raw[0..<2]) == MinisignFormat.legacyAlgorithm else {
            throw MinisignError.unsupported("public key algorithm \(MinisignFormat.printable(raw[0..<2]))")
        }
        try self.init(keyID: Array(raw[2..<10]), publicKey: Array(raw[10..<42]))
    }

    /// The base64 line: `"Ed" || key id || public key`.
    public var base64: String {
        Data(MinisignFormat.legacyAlgorithm + keyID + publicKey).base64EncodedString()
    }

    /// The key id as minisign prints it: the 8 bytes read as a little-endian
    /// integer, in 16 upper-case hex digits.
    public var keyIDHex: String { MinisignFormat.keyIDHex(keyID) }

    /// The text of a `minisign.pub` file.
    public func fileContents() -> String {
        "untrusted comment: minisign public key \(keyIDHex)\n\(base64)\n"
    }

    /// Checks, in minisign's order, the key id, the signature over the data and
    /// the signature over the trusted comment. Throws ``MinisignError`` on failure.
    public func verify<D: ContiguousBytes>(_ signature: MinisignSignature, for message: D) throws {
        guard signature.keyID == keyID else { throw MinisignError.keyMismatch }
        let dataSigned = signature.isPrehashed
            ? Ed25519.isValidSignature(signature.signature, for: Digest.blake2b512(message), publicKey: publicKey)
            : Ed25519.isValidSignature(signature.signature, for: message, publicKey: publicKey)
        guard dataSigned else { throw MinisignError.invalidSignature }
        try verifyGlobalSignature(signature)
    }

    /// Verifies a prehashed (`"ED"`) signature given the BLAKE2b-512 digest of the
    /// data, for files hashed in pieces with `StreamingDigest(.blake2b512)`.
    public func verify(_ signature: MinisignSignature, blake2b512Digest digest: [UInt8]) throws {
        guard signature.keyID == keyID else { throw MinisignError.keyMismatch }
        guard signature.isPrehashed else {
            throw MinisignError.unsupported("legacy signature: it covers the data itself, not a digest")
        }
        guard digest.count == 64,
            Ed25519.isValidSignature(signature.signature, for: digest, publicKey: publicKey)
        else { throw MinisignError.invalidSignature }
        try verifyGlobalSignature(signature)
    }

    private func verifyGlobalSignature(_ signature: MinisignSignature) throws {
        let signed = signature.signature + Array(signature.trustedComment.utf8)
        guard Ed25519.isValidSignature(signature.globalSignature, for: signed, publicKey: publicKey) else {
            throw MinisignError.invalidGlobalSignature
        }
    }
}

// MARK: - Signature

/// A `.minisig` file: the signature of some data plus a signed trusted comment.
///
/// ```swift
/// let signature = try MinisignSignature(parsing: String(decoding: sigBytes, as: UTF8.self))
/// print(signature.trustedComment)   // only meaningful after `verify` succeeded
/// ```
public struct MinisignSignature: Sendable, Equatable {
    /// `"ED"` (the data's BLAKE2b-512 digest was signed) or `"Ed"` (legacy: the
    /// data itself was signed; verified, never produced).
    public let algorithm: String
    public let keyID: [UInt8]
    public let signature: [UInt8]
    /// Covered by the global signature; printable, no line breaks.
    public let trustedComment: String
    public let globalSignature: [UInt8]
    /// Not authenticated: anyone can change it without breaking the signature.
    public let untrustedComment: String

    init(
        algorithm: String, keyID: [UInt8], signature: [UInt8], trustedComment: String,
        globalSignature: [UInt8], untrustedComment: String
    ) {
        self.algorithm = algorithm
        self.keyID = keyID
        self.signature = signature
        self.trustedComment = trustedComment
        self.globalSignature = globalSignature
        self.untrustedComment = untrustedComment
    }

    /// Parses the four lines of a `.minisig` file. Checks the format only; call
    /// ``MinisignPublicKey/verify(_:for:)`` before trusting anything in it.
    public init(parsing text: String) throws {
        let lines = try MinisignFormat.lines(text, what: "signature")
        guard lines.count == 4 else {
            throw MinisignError.malformed("signature: expected 4 lines, found \(lines.count)")
        }
        guard let untrusted = MinisignFormat.dropPrefix(MinisignFormat.commentPrefix, from: lines[0]) else {
            throw MinisignError.malformed("signature: first line must start with \"untrusted comment: \"")
        }
        let sigStruct = try MinisignFormat.decodeBase64(lines[1], count: 74, what: "signature")
        let algorithm = Array(sigStruct[0..<2])
        guard algorithm == MinisignFormat.prehashedAlgorithm || algorithm == MinisignFormat.legacyAlgorithm else {
            throw MinisignError.unsupported("signature algorithm \(MinisignFormat.printable(sigStruct[0..<2]))")
        }
        guard let trusted = MinisignFormat.dropPrefix(MinisignFormat.trustedCommentPrefix, from: lines[2]) else {
            throw MinisignError.malformed("signature: third line must start with \"trusted comment: \"")
        }
        let trustedComment = String(decoding: trusted, as: UTF8.self)
        try MinisignFormat.checkTrustedComment(trustedComment)
        let global = try MinisignFormat.decodeBase64(lines[3], count: 64, what: "global signature")
        self.init(
            algorithm: String(decoding: algorithm, as: UTF8.self), keyID: Array(sigStruct[2..<10]),
            signature: Array(sigStruct[10..<74]), trustedComment: trustedComment, globalSignature: global,
            untrustedComment: String(decoding: untrusted, as: UTF8.self))
    }

    /// True for `"ED"` signatures, made over the data's BLAKE2b-512 digest.
    public var isPrehashed: Bool { algorithm == "ED" }

    /// The `.minisig` file text.
    public var encoded: String {
        let sigStruct = Array(algorithm.utf8) + keyID + signature
        return MinisignFormat.commentPrefix + untrustedComment + "\n"
            + Data(sigStruct).base64EncodedString() + "\n"
            + MinisignFormat.trustedCommentPrefix + trustedComment + "\n"
            + Data(globalSignature).base64EncodedString() + "\n"
    }
}

// MARK: - Secret key

/// A minisign secret key: key id plus Ed25519 signing key, and its key file.
///
/// ```swift
/// let key = try MinisignSecretKey.generate()
/// let sig = try key.sign(fileBytes, trustedComment: "timestamp:1700000000\tfile:release.tar.gz")
/// try key.publicKey.verify(sig, for: fileBytes)
/// ```
public struct MinisignSecretKey: Sendable {
    public let keyID: [UInt8]
    public let signingKey: Ed25519PrivateKey

    public init(signingKey: Ed25519PrivateKey, keyID: [UInt8]) throws {
        guard keyID.count == MinisignFormat.keyIDSize else {
            throw MinisignError.malformed("secret key: key id must be 8 bytes")
        }
        self.signingKey = signingKey
        self.keyID = keyID
    }

    /// A new key with a random key id.
    public static func generate() throws -> MinisignSecretKey {
        try MinisignSecretKey(signingKey: Ed25519PrivateKey(), keyID: Random.bytes(MinisignFormat.keyIDSize))
    }

    public var publicKey: MinisignPublicKey {
        // Both lengths are guaranteed by the initialisers of the two types.
        try! MinisignPublicKey(keyID: keyID, publicKey: signingKey.publicKey)
    }

    /// Signs the BLAKE2b-512 digest of `message` (`"ED"`, minisign's default).
    /// The trusted comment must be printable, without line breaks, at most 8173
    /// bytes; the untrusted comment without line breaks, at most 1003 bytes.
    public func sign<D: ContiguousBytes>(
        _ message: D, trustedComment: String,
        untrustedComment: String = "signature from minisign secret key"
    ) throws -> MinisignSignature {
        try sign(
            blake2b512Digest: Digest.blake2b512(message), trustedComment: trustedComment,
            untrustedComment: untrustedComment)
    }

    /// Like ``sign(_:trustedComment:untrustedComment:)`` for a digest computed in
    /// pieces with `StreamingDigest(.blake2b512)`.
    public func sign(
        blake2b512Digest digest: [UInt8], trustedComment: String,
        untrustedComment: String = "signature from minisign secret key"
    ) throws -> MinisignSignature {
        guard digest.count == 64 else { throw MinisignError.malformed("digest: BLAKE2b-512 digest must be 64 bytes") }
        try MinisignFormat.checkTrustedComment(trustedComment)
        try MinisignFormat.checkUntrustedComment(untrustedComment)
        let signature = try signingKey.signature(for: digest)
        let globalSignature = try signingKey.signature(for: signature + Array(trustedComment.utf8))
        return MinisignSignature(
            algorithm: "ED", keyID: keyID, signature: signature, trustedComment: trustedComment,
            globalSignature: globalSignature, untrustedComment: untrustedComment)
    }
}

// MARK: - Format helpers

enum MinisignFormat {
    static let legacyAlgorithm: [UInt8] = Array("Ed".utf8)
    static let prehashedAlgorithm: [UInt8] = Array("ED".utf8)
    static let keyIDSize = 8
    static let commentPrefix = "untrusted comment: "
    static let trustedCommentPrefix = "trusted comment: "
    // minisign reads each line with fgets into COMMENTMAXBYTES (1024) and
    // TRUSTEDCOMMENTMAXBYTES (8192) buffers: prefix, text, newline and NUL must fit.
    static let maxUntrustedCommentBytes = 1024 - 19 - 2
    static let maxTrustedCommentBytes = 8192 - 17 - 2

    /// Splits text into lines as minisign's `fgets` and `trim` see them: `\n`
    /// ends a line, one `\r` before it is dropped, any other `\r` is refused.
    /// Blank lines at the end are dropped. Works on UTF-8 bytes because Swift
    /// treats "\r\n" as one `Character`.
    static func lines(_ text: String, what: String) throws -> [[UInt8]] {
        var result: [[UInt8]] = []
        for piece in Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false) {
            var line = Array(piece)
            if line.last == 0x0D { line.removeLast() }
            guard !line.contains(0x0D) else { throw MinisignError.malformed("\(what): carriage return inside a line") }
            result.append(line)
        }
        while result.last?.isEmpty == true { result.removeLast() }
        return result
    }

    static func dropPrefix(_ prefix: String, from line: [UInt8]) -> [UInt8]? {
        let prefixBytes = Array(prefix.utf8)
        guard line.starts(with: prefixBytes) else { return nil }
        return Array(line[prefixBytes.count...])
    }

    /// Strict base64 as libsodium's `sodium_base642bin` (original alphabet,
    /// padding required, nothing ignored) accepts it: exact length, and the
    /// unused low bits of the last character must be zero.
    static func decodeBase64(_ line: [UInt8], count: Int, what: String) throws -> [UInt8] {
        let invalid = MinisignError.malformed("\(what): invalid base64")
        guard line.count == (count + 2) / 3 * 4 else {
            throw MinisignError.malformed("\(what): expected \(count) bytes of base64, found \(line.count) characters")
        }
        guard var data = Data(base64Encoded: Data(line)) else { throw invalid }
        defer { data.resetBytes(in: 0..<data.count) }
        guard data.count == count else { throw invalid }
        let unusedBitsMask: UInt8 = [0, 0x0F, 0x03][count % 3]
        if unusedBitsMask != 0 {
            let lastDataCharacter = line[line.count - (count % 3 == 1 ? 3 : 2)]
            guard let value = base64Value(lastDataCharacter), value & unusedBitsMask == 0 else { throw invalid }
        }
        return [UInt8](data)
    }

    private static func base64Value(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }

    /// minisign's rule (`is_printable`): TAB, 0x20–0x7E, or any other Unicode
    /// scalar that is not a C0/C1 control or DEL. No CR or LF, bounded length.
    static func checkTrustedComment(_ comment: String) throws {
        guard comment.utf8.count <= maxTrustedCommentBytes else {
            throw MinisignError.malformed("trusted comment: longer than \(maxTrustedCommentBytes) bytes")
        }
        for scalar in comment.unicodeScalars {
            let value = scalar.value
            if value == 0x0A || value == 0x0D {
                throw MinisignError.malformed("trusted comment: line breaks are not allowed")
            }
            guard value == 0x09 || (0x20...0x7E).contains(value) || value >= 0xA0 else {
                throw MinisignError.malformed(
                    "trusted comment: control character U+\(String(format: "%04X", value)) is not allowed")
            }
        }
    }

    static func checkUntrustedComment(_ comment: String) throws {
        guard comment.utf8.count <= maxUntrustedCommentBytes else {
            throw MinisignError.malformed("untrusted comment: longer than \(maxUntrustedCommentBytes) bytes")
        }
        guard !comment.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) else {
            throw MinisignError.malformed("untrusted comment: line breaks and NUL are not allowed")
        }
    }

    static func keyIDHex(_ keyID: [UInt8]) -> String {
        keyID.reversed().map { String(format: "%02X", $0) }.joined()
    }

    /// A two-byte algorithm tag for an error message, NUL and binary shown as hex.
    static func printable(_ tag: ArraySlice<UInt8>) -> String {
        if tag.allSatisfy({ (0x21...0x7E).contains($0) }) { return "\"\(String(decoding: tag, as: UTF8.self))\"" }
        return "0x" + tag.map { String(format: "%02x", $0) }.joined()
    }

    static func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    static func loadLittleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(0) { ($0 << 8) | UInt64($1) }
    }
}
