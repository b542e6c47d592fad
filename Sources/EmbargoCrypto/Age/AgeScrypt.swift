/// Encrypts to a passphrase (age's scrypt recipient). A file encrypted this way
/// has exactly one stanza: age refuses to mix a passphrase with other recipients.
///
/// ```swift
/// let sealed = try Age.encrypt(data, to: [AgeScryptRecipient(passphrase: passphrase)])
/// ```
public struct AgeScryptRecipient: AgeRecipient, Sendable {
    private let passphrase: SecureBytes
    private let workFactor: Int

    static let stanzaType = "scrypt"
    static let label = Array("age-encryption.org/v1/scrypt".utf8)
    static let saltSize = 16
    /// age's own limits for encryption.
    static let workFactorRange = 1...30

    /// `workFactor` is log2 of scrypt's N; 18 (age's default) takes about a second
    /// and 256 MiB of memory.
    public init(passphrase: SecureBytes, workFactor: Int = 18) {
        self.passphrase = passphrase
        self.workFactor = workFactor
    }

    public func wrap(fileKey: SecureBytes) throws -> [AgeStanza] {
        guard Self.workFactorRange.contains(workFactor) else {
            throw CryptoError.invalidInput("scrypt work factor must be between 1 and 30")
        }
        let salt = try Random.bytes(Self.saltSize)
        let key = try Scrypt.derive(passphrase: passphrase, salt: Self.label + salt, logN: workFactor, count: 32)
        let body = try AEAD.seal(.chacha20poly1305, key: key, nonce: Age.zeroNonce, plaintext: fileKey)
        return [AgeStanza(
            type: Self.stanzaType, arguments: [AgeBase64.encodeString(salt), String(workFactor)], body: body)]
    }
}

/// Decrypts files encrypted to a passphrase.
///
/// `maxWorkFactor` caps the work a file can demand (log2 of scrypt's N): a file
/// asking for more is rejected rather than tying up the machine. age's default
/// is 22.
public struct AgeScryptIdentity: AgeIdentity, Sendable {
    private let passphrase: SecureBytes
    private let maxWorkFactor: Int

    public init(passphrase: SecureBytes, maxWorkFactor: Int = 22) {
        self.passphrase = passphrase
        self.maxWorkFactor = maxWorkFactor
    }

    public func unwrap(stanzas: [AgeStanza]) throws -> SecureBytes? {
        for stanza in stanzas where stanza.type == AgeScryptRecipient.stanzaType {
            // Alone, a passphrase file can only be opened by the passphrase; with
            // other stanzas anyone holding another key could have written it.
            guard stanzas.count == 1 else { throw AgeError.headerFailure("scrypt stanza must be the only stanza") }
            guard stanza.arguments.count == 2 else { throw AgeError.headerFailure("scrypt stanza needs two arguments") }
            guard let salt = AgeBase64.decode(stanza.arguments[0]) else {
                throw AgeError.headerFailure("scrypt salt is not canonical base64")
            }
            guard salt.count == AgeScryptRecipient.saltSize else { throw AgeError.headerFailure("scrypt salt must be 16 bytes") }
            let workFactor = try Self.parseWorkFactor(stanza.arguments[1])
            guard workFactor <= maxWorkFactor else {
                throw AgeError.headerFailure("scrypt work factor \(workFactor) is above the limit of \(maxWorkFactor)")
            }
            guard stanza.body.count == Age.fileKeySize + AEAD.tagSize else {
                throw AgeError.headerFailure("scrypt stanza body has the wrong length")
            }
            let key = try Scrypt.derive(
                passphrase: passphrase, salt: AgeScryptRecipient.label + salt, logN: workFactor, count: 32)
            // A wrong passphrase is not an error in the file: it simply does not match.
            return Age.unseal(stanza.body, key: key)
        }
        return nil
    }

    /// Plain decimal without sign or leading zeros, as the specification demands.
    static func parseWorkFactor(_ text: String) throws -> Int {
        let digits = Array(text.utf8)
        guard let first = digits.first, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(first),
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            throw AgeError.headerFailure("scrypt work factor is not a plain decimal")
        }
        guard let value = Int(text) else { throw AgeError.headerFailure("scrypt work factor is out of range") }
        return value
    }
}
