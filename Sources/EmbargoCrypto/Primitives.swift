import COpenSSL
import Foundation

/// Hash functions: SHA-256, SHA-512 and BLAKE2b-512.
///
/// ```swift
/// let digest = Digest.sha256(Array("abc".utf8))
/// ```
public enum Digest {
    public enum Algorithm: Sendable {
        case sha256, sha512, blake2b512

        var code: Int32 {
            switch self {
            case .sha256: return EMB_DIGEST_SHA256
            case .sha512: return EMB_DIGEST_SHA512
            case .blake2b512: return EMB_DIGEST_BLAKE2B512
            }
        }

        public var size: Int { Int(emb_digest_size(code)) }
    }

    public static func hash<D: ContiguousBytes>(_ algorithm: Algorithm, _ data: D) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.size)
        let ok = withBytePointer(data) { ptr, len in
            emb_digest(algorithm.code, ptr, len, &out)
        }
        // Digest of in-memory data cannot fail short of memory exhaustion.
        precondition(ok == 1, "OpenSSL digest failed")
        return out
    }

    public static func sha256<D: ContiguousBytes>(_ data: D) -> [UInt8] { hash(.sha256, data) }
    public static func sha512<D: ContiguousBytes>(_ data: D) -> [UInt8] { hash(.sha512, data) }
    public static func blake2b512<D: ContiguousBytes>(_ data: D) -> [UInt8] { hash(.blake2b512, data) }
}

/// An incremental hash for data that arrives in pieces (files, streams).
public final class StreamingDigest {
    private let context: UnsafeMutableRawPointer
    private let algorithm: Digest.Algorithm

    public init(_ algorithm: Digest.Algorithm) {
        self.algorithm = algorithm
        guard let context = emb_digest_new(algorithm.code) else {
            fatalError("OpenSSL could not allocate a digest context")
        }
        self.context = context
    }

    deinit { emb_digest_free(context) }

    public func update<D: ContiguousBytes>(_ data: D) {
        let ok = withBytePointer(data) { ptr, len in emb_digest_update(context, ptr, len) }
        precondition(ok == 1, "OpenSSL digest update failed")
    }

    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.size)
        precondition(emb_digest_final(context, &out) == 1, "OpenSSL digest final failed")
        return out
    }
}

public enum HMAC {
    public static func sha256<K: ContiguousBytes, D: ContiguousBytes>(key: K, data: D) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = withBytePointer(key) { kp, kl in
            withBytePointer(data) { dp, dl in emb_hmac_sha256(kp, kl, dp, dl, &out) }
        }
        precondition(ok == 1, "OpenSSL HMAC failed")
        return out
    }
}

public enum HKDF {
    /// HKDF-SHA256 (RFC 5869). An empty salt means a salt of zeros, as the RFC says.
    public static func sha256<I: ContiguousBytes>(
        ikm: I, salt: [UInt8] = [], info: [UInt8], count: Int
    ) throws -> SecureBytes {
        try SecureBytes(count: count) { out in
            let ok = withBytePointer(ikm) { ip, il in
                emb_hkdf_sha256(
                    ip, il, salt, salt.count, info, info.count,
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), count)
            }
            guard ok == 1 else { throw CryptoError.openSSL("HKDF") }
        }
    }
}

public enum Scrypt {
    /// scrypt with N = 2^logN (RFC 7914).
    public static func derive<P: ContiguousBytes>(
        passphrase: P, salt: [UInt8], logN: Int, r: Int = 8, p: Int = 1, count: Int
    ) throws -> SecureBytes {
        guard logN > 0, logN < 64 else { throw CryptoError.invalidInput("scrypt work factor") }
        return try SecureBytes(count: count) { out in
            let ok = withBytePointer(passphrase) { pp, pl in
                emb_scrypt(
                    pp, pl, salt, salt.count, UInt64(1) << UInt64(logN), UInt64(r), UInt64(p),
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), count)
            }
            guard ok == 1 else { throw CryptoError.openSSL("scrypt") }
        }
    }
}

/// Authenticated encryption with a 256-bit key and 96-bit nonce; the 16-byte tag
/// is appended to the ciphertext.
public enum AEAD {
    public enum Algorithm: Sendable {
        case aes256gcm, chacha20poly1305

        var code: Int32 {
            switch self {
            case .aes256gcm: return EMB_AEAD_AES256GCM
            case .chacha20poly1305: return EMB_AEAD_CHACHA20POLY1305
            }
        }
    }

    public static let tagSize = 16
    public static let nonceSize = 12
    public static let keySize = 32

    public static func seal<K: ContiguousBytes, P: ContiguousBytes>(
        _ algorithm: Algorithm, key: K, nonce: [UInt8], plaintext: P, aad: [UInt8] = []
    ) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { part in
            try [UInt8](unsafeUninitializedCapacity: part.count + tagSize) { out, initialized in
                try seal(algorithm, key: key, nonce: nonce, parts: [part], aad: aad, into: UnsafeMutableRawBufferPointer(out))
                initialized = part.count + tagSize
            }
        }
    }

    /// Decrypts `ciphertext || tag`; throws `authenticationFailed` on any change.
    public static func open<K: ContiguousBytes, C: ContiguousBytes>(
        _ algorithm: Algorithm, key: K, nonce: [UInt8], ciphertext: C, aad: [UInt8] = []
    ) throws -> [UInt8] {
        try ciphertext.withUnsafeBytes { sealed in
            let bodyLength = max(sealed.count - tagSize, 0)
            return try [UInt8](unsafeUninitializedCapacity: max(bodyLength, 1)) { out, initialized in
                try open(algorithm, key: key, nonce: nonce, ciphertext: sealed, aad: aad, into: out.baseAddress!)
                initialized = bodyLength
            }
        }
    }

    /// Seals the concatenation of `parts` into `output` (their total length,
    /// then the tag) without joining them first: for large buffers.
    public static func seal<K: ContiguousBytes>(
        _ algorithm: Algorithm, key: K, nonce: [UInt8], parts: [UnsafeRawBufferPointer], aad: [UInt8] = [],
        into output: UnsafeMutableRawBufferPointer
    ) throws {
        try checkSizes(key: key, nonce: nonce)
        let total = parts.reduce(0) { $0 + $1.count }
        guard output.count >= total + tagSize, let out = output.baseAddress else {
            throw CryptoError.invalidInput("AEAD output buffer too small")
        }
        var pointers = parts.map { $0.baseAddress.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) } }
        var lengths = parts.map(\.count)
        let ok = withBytePointer(key) { kp, _ in
            pointers.withUnsafeMutableBufferPointer { pp in
                lengths.withUnsafeMutableBufferPointer { lp in
                    emb_aead_seal_parts(algorithm.code, kp, nonce, aad, aad.count, pp.baseAddress, lp.baseAddress, parts.count,
                                        out.assumingMemoryBound(to: UInt8.self), out.assumingMemoryBound(to: UInt8.self) + total)
                }
            }
        }
        guard ok == 1 else { throw CryptoError.openSSL("AEAD seal") }
    }

    /// Decrypts `ciphertext || tag` into `output`, which may be the ciphertext
    /// itself (decryption in place). On any change it wipes `output` and throws
    /// `authenticationFailed`.
    public static func open<K: ContiguousBytes>(
        _ algorithm: Algorithm, key: K, nonce: [UInt8], ciphertext: UnsafeRawBufferPointer, aad: [UInt8] = [],
        into output: UnsafeMutableRawPointer
    ) throws {
        try checkSizes(key: key, nonce: nonce)
        guard ciphertext.count >= tagSize, let cp = ciphertext.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw CryptoError.authenticationFailed
        }
        let bodyLength = ciphertext.count - tagSize
        let ok = withBytePointer(key) { kp, _ in
            // The tag is copied before decryption starts, so the output may overwrite it.
            emb_aead_open(algorithm.code, kp, nonce, aad, aad.count, cp, bodyLength, cp + bodyLength, output.assumingMemoryBound(to: UInt8.self))
        }
        guard ok == 1 else { throw CryptoError.authenticationFailed }
    }

    /// What `openFile` found.
    public enum FileOutcome: Sendable, Equatable {
        case authentic
        case forged
        /// The file could not be read in full: the errno, or 0 if it was shorter than expected.
        case unreadable(Int32)
    }

    /// Reads `count` bytes of the open file `descriptor` into `buffer` on a
    /// second thread while decrypting in place what has arrived: the first
    /// `aadCount` bytes are the associated data, the last 16 the tag. On
    /// anything but `.authentic` the plaintext is wiped.
    public static func openFile<K: ContiguousBytes>(
        _ algorithm: Algorithm, key: K, nonce: [UInt8], descriptor: Int32, into buffer: UnsafeMutableRawPointer, count: Int,
        aadCount: Int
    ) throws -> FileOutcome {
        try checkSizes(key: key, nonce: nonce)
        var readError: Int32 = 0
        let result = withBytePointer(key) { kp, _ in
            emb_aead_open_file(algorithm.code, kp, nonce, descriptor, buffer.assumingMemoryBound(to: UInt8.self), count, aadCount, &readError)
        }
        switch result {
        case 1: return .authentic
        case 0: return .forged
        default: return .unreadable(readError)
        }
    }

    private static func checkSizes<K: ContiguousBytes>(key: K, nonce: [UInt8]) throws {
        guard key.withUnsafeBytes({ $0.count }) == keySize else { throw CryptoError.invalidKey("AEAD key must be 32 bytes") }
        guard nonce.count == nonceSize else { throw CryptoError.invalidInput("AEAD nonce must be 12 bytes") }
    }
}

/// An X25519 private key (RFC 7748).
public struct X25519PrivateKey: Sendable {
    public let rawRepresentation: SecureBytes
    public let publicKey: [UInt8]

    public init() throws {
        try self.init(rawRepresentation: SecureBytes.random(count: 32))
    }

    public init(rawRepresentation: SecureBytes) throws {
        guard rawRepresentation.count == 32 else { throw CryptoError.invalidKey("X25519 key must be 32 bytes") }
        var pub = [UInt8](repeating: 0, count: 32)
        let ok = rawRepresentation.withUnsafeBytes { emb_x25519_public($0.baseAddress!.assumingMemoryBound(to: UInt8.self), &pub) }
        guard ok == 1 else { throw CryptoError.openSSL("X25519 public key") }
        self.rawRepresentation = rawRepresentation
        self.publicKey = pub
    }

    /// The shared secret with `peer`; rejects an all-zero result (low-order point).
    public func sharedSecret(with peer: [UInt8]) throws -> SecureBytes {
        guard peer.count == 32 else { throw CryptoError.invalidKey("X25519 public key must be 32 bytes") }
        let shared = try SecureBytes(count: 32) { out in
            let ok = rawRepresentation.withUnsafeBytes {
                emb_x25519($0.baseAddress!.assumingMemoryBound(to: UInt8.self), peer,
                           out.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            guard ok == 1 else { throw CryptoError.invalidKey("X25519 key agreement failed") }
        }
        if constantTimeEqual(shared, [UInt8](repeating: 0, count: 32)) {
            throw CryptoError.invalidKey("X25519 shared secret is zero")
        }
        return shared
    }
}

/// An Ed25519 signing key (RFC 8032), kept as its 32-byte seed.
public struct Ed25519PrivateKey: Sendable {
    public let seed: SecureBytes
    public let publicKey: [UInt8]

    public init() throws {
        try self.init(seed: SecureBytes.random(count: 32))
    }

    public init(seed: SecureBytes) throws {
        guard seed.count == 32 else { throw CryptoError.invalidKey("Ed25519 seed must be 32 bytes") }
        var pub = [UInt8](repeating: 0, count: 32)
        let ok = seed.withUnsafeBytes { emb_ed25519_public($0.baseAddress!.assumingMemoryBound(to: UInt8.self), &pub) }
        guard ok == 1 else { throw CryptoError.openSSL("Ed25519 public key") }
        self.seed = seed
        self.publicKey = pub
    }

    public func signature<D: ContiguousBytes>(for message: D) throws -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: 64)
        let ok = seed.withUnsafeBytes { sp in
            withBytePointer(message) { mp, ml in
                emb_ed25519_sign(sp.baseAddress!.assumingMemoryBound(to: UInt8.self), mp, ml, &sig)
            }
        }
        guard ok == 1 else { throw CryptoError.openSSL("Ed25519 sign") }
        return sig
    }
}

public enum Ed25519 {
    public static func isValidSignature<D: ContiguousBytes>(_ signature: [UInt8], for message: D, publicKey: [UInt8]) -> Bool {
        guard signature.count == 64, publicKey.count == 32 else { return false }
        return withBytePointer(message) { mp, ml in
            emb_ed25519_verify(publicKey, mp, ml, signature)
        } == 1
    }
}
