import Foundation

/// Something a file can be encrypted to: it wraps the file key into stanzas.
public protocol AgeRecipient {
    func wrap(fileKey: SecureBytes) throws -> [AgeStanza]
}

/// Something that can open a file: it unwraps the file key from the stanzas.
/// Returns nil when no stanza is addressed to it. Throws when a stanza of its
/// own type is malformed, which makes the whole file invalid.
public protocol AgeIdentity {
    func unwrap(stanzas: [AgeStanza]) throws -> SecureBytes?
}

/// Why an age file could not be opened. The cases follow the failure kinds of
/// the age test vectors (C2SP/CCTV). Messages are short and never hold key
/// material or plaintext.
public enum AgeError: Error, Equatable, CustomStringConvertible {
    /// The header is valid but none of the identities can unwrap the file key.
    case noMatch
    /// A file key was unwrapped but the header MAC does not match: the header
    /// was changed.
    case hmacFailure
    /// The header is malformed.
    case headerFailure(String)
    /// The encrypted payload is damaged, truncated or extended.
    case payloadFailure(String)
    /// The ASCII armor is malformed.
    case armorFailure(String)
    /// A feature this implementation does not provide, or a request age forbids.
    case unsupported(String)

    public var description: String {
        switch self {
        case .noMatch: return "no identity matches any recipient of the file"
        case .hmacFailure: return "header mac mismatch: the header was modified"
        case .headerFailure(let detail): return "invalid header: \(detail)"
        case .payloadFailure(let detail): return "invalid payload: \(detail)"
        case .armorFailure(let detail): return "invalid armor: \(detail)"
        case .unsupported(let detail): return "unsupported: \(detail)"
        }
    }
}

/// Encryption and decryption of the age v1 file format
/// (https://age-encryption.org/v1), interoperable with the `age` command.
///
/// ```swift
/// let identity = try AgeX25519Identity()
/// let sealed = try Age.encrypt(Array("hello".utf8), to: [identity.recipient], armor: true)
/// let opened = try Age.decrypt(sealed, identities: [identity])
/// ```
public enum Age {
    static let fileKeySize = 16
    static let payloadNonceSize = 16
    static let zeroNonce = [UInt8](repeating: 0, count: AEAD.nonceSize)
    static let headerLabel = Array("header".utf8)
    static let payloadLabel = Array("payload".utf8)

    // MARK: In memory

    public static func encrypt<D: ContiguousBytes>(
        _ plaintext: D, to recipients: [any AgeRecipient], armor: Bool = false
    ) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { raw in
            let chunks = raw.count / AgeStream.chunkSize + 1
            var estimate = raw.count + chunks * AgeStream.tagSize + payloadNonceSize + 128 + 160 * recipients.count
            if armor { estimate = estimate / 48 * 65 + 130 }
            let sink = ArraySink(reserving: estimate)
            try encrypt(recipients: recipients, armor: armor, source: RawBufferSource(raw), sink: sink)
            return sink.bytes
        }
    }

    /// Decrypts a binary or armored file. On any error nothing is returned; use
    /// the streaming form to receive the chunks that authenticated before it.
    public static func decrypt<D: ContiguousBytes>(_ data: D, identities: [any AgeIdentity]) throws -> [UInt8] {
        try data.withUnsafeBytes { raw in
            let sink = ArraySink(reserving: raw.count)
            do {
                try decrypt(identities: identities, source: RawBufferSource(raw), sink: sink)
            } catch {
                sink.discard()
                throw error
            }
            return sink.bytes
        }
    }

    // MARK: Streaming

    /// Encrypts what `read` produces, in bounded memory. `read(n)` returns up to
    /// `n` bytes and an empty array at the end; `write` receives the output in
    /// pieces.
    public static func encrypt(
        recipients: [any AgeRecipient], armor: Bool,
        read: (Int) throws -> [UInt8], write: ([UInt8]) throws -> Void
    ) throws {
        try withoutActuallyEscaping(read) { read in
            try withoutActuallyEscaping(write) { write in
                try encrypt(recipients: recipients, armor: armor, source: ClosureSource(read), sink: ClosureSink(write))
            }
        }
    }

    /// Decrypts in bounded memory. Plaintext goes to `write` one 64 KiB chunk at
    /// a time, each only after it authenticated; if an error is thrown later, the
    /// chunks already written are genuine but the file is incomplete.
    public static func decrypt(
        identities: [any AgeIdentity],
        read: (Int) throws -> [UInt8], write: ([UInt8]) throws -> Void
    ) throws {
        try withoutActuallyEscaping(read) { read in
            try withoutActuallyEscaping(write) { write in
                try decrypt(identities: identities, source: ClosureSource(read), sink: ClosureSink(write))
            }
        }
    }

    // MARK: Files

    /// Encrypts the file at `input` into `output`. The output appears (mode 0600)
    /// only once complete; a failure leaves no partial file behind.
    public static func encryptFile(
        at input: URL, to output: URL, recipients: [any AgeRecipient], armor: Bool = false
    ) throws {
        let fd = try openForReading(input)
        defer { close(fd) }
        try writeAtomically(to: output) { sink in
            try encrypt(recipients: recipients, armor: armor, source: FileDescriptorSource(fd: fd), sink: sink)
        }
    }

    /// Decrypts the file at `input` (binary or armored) into `output`. The output
    /// appears (mode 0600) only if the whole file authenticated; on failure no
    /// plaintext is left on disk.
    public static func decryptFile(at input: URL, to output: URL, identities: [any AgeIdentity]) throws {
        let fd = try openForReading(input)
        defer { close(fd) }
        try writeAtomically(to: output) { sink in
            try decrypt(identities: identities, source: FileDescriptorSource(fd: fd), sink: sink)
        }
    }

    // MARK: Core

    static func encrypt(
        recipients: [any AgeRecipient], armor: Bool, source: any ByteSource, sink: any ByteSink
    ) throws {
        guard !recipients.isEmpty else { throw AgeError.unsupported("no recipients") }
        let fileKey = try SecureBytes.random(count: fileKeySize)
        var stanzas: [AgeStanza] = []
        for recipient in recipients { stanzas += try recipient.wrap(fileKey: fileKey) }
        if stanzas.contains(where: { $0.type == AgeScryptRecipient.stanzaType }) && stanzas.count != 1 {
            throw AgeError.unsupported("a passphrase cannot be combined with other recipients")
        }
        var header = try AgeHeader.encodeWithoutMAC(stanzas)
        let macKey = try HKDF.sha256(ikm: fileKey, info: headerLabel, count: 32)
        header += [0x20] + AgeBase64.encode(HMAC.sha256(key: macKey, data: header)) + [0x0A]

        let nonce = try Random.bytes(payloadNonceSize)
        let payloadKey = try HKDF.sha256(ikm: fileKey, salt: nonce, info: payloadLabel, count: 32)
        let armorer = armor ? ArmorEncoder(sink) : nil
        let out: any ByteSink = armorer ?? sink
        try (header + nonce).withUnsafeBytes { try out.write($0) }
        try AgeStream(key: payloadKey).encrypt(from: source, to: out)
        try armorer?.finish()
    }

    static func decrypt(identities: [any AgeIdentity], source: any ByteSource, sink: any ByteSink) throws {
        let raw = BufferedReader(source)
        let reader = try isBinary(raw) ? raw : BufferedReader(ArmorDecoder(raw))
        let header = try AgeHeader.parse(reader)
        if header.stanzas.contains(where: { $0.type == AgeScryptRecipient.stanzaType }) && header.stanzas.count != 1 {
            throw AgeError.headerFailure("scrypt stanza must be the only stanza")
        }

        var unwrapped: SecureBytes?
        for identity in identities {
            unwrapped = try identity.unwrap(stanzas: header.stanzas)
            if unwrapped != nil { break }
        }
        guard let fileKey = unwrapped else { throw AgeError.noMatch }
        guard fileKey.count == fileKeySize else { throw AgeError.headerFailure("file key must be 16 bytes") }

        let macKey = try HKDF.sha256(ikm: fileKey, info: headerLabel, count: 32)
        guard constantTimeEqual(HMAC.sha256(key: macKey, data: header.macInput), header.mac) else {
            throw AgeError.hmacFailure
        }

        var nonce = [UInt8](repeating: 0, count: payloadNonceSize)
        guard try nonce.withUnsafeMutableBytes({ try reader.read(into: $0) }) == payloadNonceSize else {
            throw AgeError.headerFailure("payload nonce is missing")
        }
        let payloadKey = try HKDF.sha256(ikm: fileKey, salt: nonce, info: payloadLabel, count: 32)
        try AgeStream(key: payloadKey).decrypt(from: reader, to: sink)
    }

    /// A binary file starts with "age-encryption.org/"; anything else, including
    /// whitespace before an armor block or garbage before it, goes to the armor
    /// decoder, which reports what is wrong with it. An empty input counts as
    /// binary so that it fails as an empty header.
    static func isBinary(_ reader: BufferedReader) throws -> Bool {
        let prefix = try reader.peek(AgeHeader.versionPrefix.count)
        return prefix.elementsEqual(AgeHeader.versionPrefix.prefix(prefix.count))
    }

    /// Opens a stanza body sealed under `key` with the all-zero nonce; nil if it
    /// does not authenticate.
    static func unseal(_ body: [UInt8], key: SecureBytes) -> SecureBytes? {
        guard var fileKey = try? AEAD.open(.chacha20poly1305, key: key, nonce: zeroNonce, ciphertext: body) else {
            return nil
        }
        defer { wipe(&fileKey) }
        return SecureBytes(copying: fileKey)
    }

    private static func openForReading(_ url: URL) throws -> Int32 {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError.current() }
        return fd
    }

    /// Writes through a temporary file in the same directory, renamed over
    /// `url` only on success.
    private static func writeAtomically(to url: URL, _ body: (any ByteSink) throws -> Void) throws {
        let suffix = try Random.bytes(8).map { String($0, radix: 16) }.joined()
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(suffix).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError.current() }
        do {
            try body(FileDescriptorSink(fd: fd))
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard close(fd) == 0 else {
            let error = POSIXError.current()
            unlink(temporary)
            throw error
        }
        guard rename(temporary, url.path) == 0 else {
            let error = POSIXError.current()
            unlink(temporary)
            throw error
        }
    }
}
