import COpenSSL
import Foundation

/// Secret bytes that never print and are wiped with `OPENSSL_cleanse` when released.
///
/// ```swift
/// let key = try SecureBytes.random(count: 32)
/// let sealed = try AEAD.seal(.aes256gcm, key: key, nonce: nonce, plaintext: data)
/// ```
// Immutable after initialisation (the only mutation happens inside the
// initialiser), so sharing an instance between threads is safe.
public final class SecureBytes: @unchecked Sendable, ContiguousBytes, CustomStringConvertible,
    CustomDebugStringConvertible, Equatable
{
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes`; the caller stays responsible for its own copy.
    public init<Bytes: ContiguousBytes>(copying bytes: Bytes) {
        storage = bytes.withUnsafeBytes { source in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 16)
            if source.count > 0 { buffer.copyMemory(from: source) }
            return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<source.count])
        }
    }

    /// Creates `count` bytes filled by `body`.
    public init(count: Int, initializer body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        let view = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
        do {
            try body(view)
        } catch {
            emb_cleanse(buffer.baseAddress, buffer.count)
            buffer.deallocate()
            throw error
        }
        storage = view
    }

    /// `count` bytes from the operating system's CSPRNG (through OpenSSL).
    public static func random(count: Int) throws -> SecureBytes {
        try SecureBytes(count: count) { buffer in
            guard count == 0 || emb_random(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count) == 1 else {
                throw CryptoError.openSSL("random")
            }
        }
    }

    deinit {
        emb_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    public var count: Int { storage.count }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(storage))
    }

    /// A plain copy of the secret, for encoders that need an array. Prefer
    /// `withUnsafeBytes`; wipe the copy when done if it lives long.
    public func exposedBytes() -> [UInt8] { Array(UnsafeRawBufferPointer(storage)) }

    /// A new value holding `range` of these bytes.
    public func slice(_ range: Range<Int>) -> SecureBytes {
        withUnsafeBytes { SecureBytes(copying: UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    public var description: String { "SecureBytes(\(count) bytes, redacted)" }
    public var debugDescription: String { description }

    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        constantTimeEqual(lhs, rhs)
    }
}

/// Compares two byte strings in time independent of their content.
/// Strings of different length are unequal (the length is not secret).
public func constantTimeEqual<A: ContiguousBytes, B: ContiguousBytes>(_ a: A, _ b: B) -> Bool {
    a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in
            guard pa.count == pb.count else { return false }
            if pa.count == 0 { return true }
            return emb_const_time_equal(
                pa.baseAddress!.assumingMemoryBound(to: UInt8.self),
                pb.baseAddress!.assumingMemoryBound(to: UInt8.self), pa.count) == 1
        }
    }
}

/// Wipes a byte array in place.
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { emb_cleanse($0.baseAddress, $0.count) }
}

/// Random bytes from OpenSSL's CSPRNG.
public enum Random {
    public static func bytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 {
            guard emb_random(&out, count) == 1 else { throw CryptoError.openSSL("random") }
        }
        return out
    }
}

/// Errors raised by the primitives. Messages never contain key material.
public enum CryptoError: Error, Equatable, CustomStringConvertible {
    case openSSL(String)
    case invalidKey(String)
    case authenticationFailed
    case invalidInput(String)

    public var description: String {
        switch self {
        case .openSSL(let what): return "OpenSSL operation failed: \(what)"
        case .invalidKey(let what): return "invalid key: \(what)"
        case .authenticationFailed: return "authentication failed"
        case .invalidInput(let what): return "invalid input: \(what)"
        }
    }
}

@inline(__always)
func withBytePointer<D: ContiguousBytes, R>(_ data: D, _ body: (UnsafePointer<UInt8>?, Int) throws -> R) rethrows -> R {
    try data.withUnsafeBytes { raw in
        try body(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count)
    }
}
