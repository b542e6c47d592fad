/// An age X25519 recipient: the public half of an `AGE-SECRET-KEY-1...` identity,
/// written `age1...`.
///
/// ```swift
/// let recipient = try AgeX25519Recipient(parsing: "age1...")
/// let sealed = try Age.encrypt(data, to: [recipient])
/// ```
public struct AgeX25519Recipient: AgeRecipient, Sendable, Hashable {
    public let publicKey: [UInt8]

    static let hrp = "age"
    static let stanzaType = "X25519"
    static let label = Array("age-encryption.org/v1/X25519".utf8)

    public init(publicKey: [UInt8]) throws {
        guard publicKey.count == 32 else { throw CryptoError.invalidKey("age recipient must be 32 bytes") }
        self.publicKey = publicKey
    }

    /// For keys already known to be 32 bytes.
    init(validatedPublicKey: [UInt8]) {
        publicKey = validatedPublicKey
    }

    /// Parses `age1...` (all lowercase or all uppercase).
    public init(parsing text: String) throws {
        let decoded: (hrp: String, data: [UInt8])
        do {
            decoded = try Bech32.decode(text)
        } catch {
            throw CryptoError.invalidKey("malformed age recipient")
        }
        let hrp = decoded.hrp.lowercased()
        if hrp.hasPrefix("age1") {
            throw AgeError.unsupported("post-quantum and plugin recipients are not supported")
        }
        guard hrp == Self.hrp else { throw CryptoError.invalidKey("not an age X25519 recipient") }
        try self.init(publicKey: decoded.data)
    }

    /// The `age1...` form.
    public var encoded: String {
        // Cannot fail: the human-readable part is a valid constant.
        (try? Bech32.encode(hrp: Self.hrp, data: publicKey)) ?? ""
    }

    public func wrap(fileKey: SecureBytes) throws -> [AgeStanza] {
        let ephemeral = try X25519PrivateKey()
        let shared = try ephemeral.sharedSecret(with: publicKey)
        let wrapKey = try HKDF.sha256(ikm: shared, salt: ephemeral.publicKey + publicKey, info: Self.label, count: 32)
        let body = try AEAD.seal(.chacha20poly1305, key: wrapKey, nonce: Age.zeroNonce, plaintext: fileKey)
        return [AgeStanza(type: Self.stanzaType, arguments: [AgeBase64.encodeString(ephemeral.publicKey)], body: body)]
    }
}

/// An age X25519 identity (`AGE-SECRET-KEY-1...`).
///
/// ```swift
/// let identity = try AgeX25519Identity()
/// let plaintext = try Age.decrypt(sealed, identities: [identity])
/// ```
public struct AgeX25519Identity: AgeIdentity, Sendable {
    public let privateKey: X25519PrivateKey

    static let hrp = "AGE-SECRET-KEY-"

    /// Generates a new identity.
    public init() throws {
        privateKey = try X25519PrivateKey()
    }

    public init(privateKey: X25519PrivateKey) {
        self.privateKey = privateKey
    }

    /// Parses `AGE-SECRET-KEY-1...` (all uppercase or all lowercase). Hybrid
    /// post-quantum identities (`AGE-SECRET-KEY-PQ-1...`) need ML-KEM, which
    /// OpenSSL 3.0 lacks, and are reported as `AgeError.unsupported`.
    public init(parsing text: String) throws {
        var decoded: (hrp: String, data: [UInt8])
        do {
            decoded = try Bech32.decode(text)
        } catch {
            throw CryptoError.invalidKey("malformed age identity")
        }
        defer { wipe(&decoded.data) }
        let hrp = decoded.hrp.uppercased()
        if hrp == "AGE-SECRET-KEY-PQ-" {
            throw AgeError.unsupported("post-quantum identities are not supported")
        }
        guard hrp == Self.hrp else { throw CryptoError.invalidKey("not an age X25519 identity") }
        guard decoded.data.count == 32 else { throw CryptoError.invalidKey("age identity must be 32 bytes") }
        privateKey = try X25519PrivateKey(rawRepresentation: SecureBytes(copying: decoded.data))
    }

    public var recipient: AgeX25519Recipient {
        AgeX25519Recipient(validatedPublicKey: privateKey.publicKey)
    }

    /// The `AGE-SECRET-KEY-1...` form. It holds the secret: write it only to a
    /// file created with mode 0600.
    public func encodedSecret() -> String {
        var raw = privateKey.rawRepresentation.exposedBytes()
        defer { wipe(&raw) }
        return (try? Bech32.encode(hrp: Self.hrp, data: raw)) ?? ""
    }

    public func unwrap(stanzas: [AgeStanza]) throws -> SecureBytes? {
        let ourPublicKey = privateKey.publicKey
        for stanza in stanzas where stanza.type == AgeX25519Recipient.stanzaType {
            // A stanza of our type that is malformed makes the whole file invalid,
            // rather than being skipped, as the specification requires.
            guard stanza.arguments.count == 1 else { throw AgeError.headerFailure("x25519 stanza needs one argument") }
            guard let share = AgeBase64.decode(stanza.arguments[0]) else {
                throw AgeError.headerFailure("x25519 share is not canonical base64")
            }
            guard share.count == 32 else { throw AgeError.headerFailure("x25519 share must be 32 bytes") }
            let shared: SecureBytes
            do {
                shared = try privateKey.sharedSecret(with: share)
            } catch {
                throw AgeError.headerFailure("x25519 share is a low-order point")
            }
            guard stanza.body.count == Age.fileKeySize + AEAD.tagSize else {
                throw AgeError.headerFailure("x25519 stanza body has the wrong length")
            }
            let wrapKey = try HKDF.sha256(
                ikm: shared, salt: share + ourPublicKey, info: AgeX25519Recipient.label, count: 32)
            if let fileKey = Age.unseal(stanza.body, key: wrapKey) { return fileKey }
        }
        return nil
    }
}
