import EmbargoCrypto
import EmbargoStore
import Foundation

/// Why a passphrase is asked for; the CLI turns this into a prompt.
public enum PassphrasePurpose: Sendable, Equatable {
    /// Unlock the identity file at this path.
    case unlockIdentity(String)
    /// Protect a new identity file at this path (the CLI asks twice).
    case protectIdentity(String)
}

/// Supplies passphrases. The library never prompts; the CLI provides one that
/// reads the terminal or `$EMBARGO_PASSPHRASE_FILE`.
public protocol PassphraseProvider {
    func passphrase(for purpose: PassphrasePurpose) throws -> SecureBytes
}

/// A person's keys: an age X25519 identity (decrypts the keyring) and an
/// Ed25519 signing key in minisign form (signs bundles and audit entries).
///
/// The signing key is derived from the X25519 secret with HKDF, so the
/// identity file is a plain age identity file that `age -d -i` accepts:
///
///     # embargo identity: keep this file secret
///     # created: 2026-11-25T10:00:00Z
///     # recipient: age1...
///     # signing key: RW...
///     AGE-SECRET-KEY-1...
///
/// With a passphrase the whole file is age-encrypted to an scrypt recipient
/// (armored), which `age -d -i` also accepts.
public struct EmbargoIdentity: Sendable {
    public let age: AgeX25519Identity
    public let signing: MinisignSecretKey

    public init(age: AgeX25519Identity) throws {
        self.age = age
        let secret = age.privateKey.rawRepresentation
        let seed = try HKDF.sha256(ikm: secret, info: Array("embargo/v1/ed25519-signing-key".utf8), count: 32)
        let keyID = try HKDF.sha256(ikm: secret, info: Array("embargo/v1/minisign-key-id".utf8), count: 8).exposedBytes()
        self.signing = try MinisignSecretKey(signingKey: Ed25519PrivateKey(seed: seed), keyID: keyID)
    }

    public static func generate() throws -> EmbargoIdentity {
        try EmbargoIdentity(age: AgeX25519Identity())
    }

    /// The age recipient (`age1...`) others encrypt to.
    public var recipient: String { age.recipient.encoded }
    /// The minisign public key line (`RW...`), as `minisign -P` takes it.
    public var signingKey: String { signing.publicKey.base64 }

    /// The plaintext identity file. Holds the secret key: write it with mode 0600.
    public func fileText(createdAt: Date) -> String {
        """
        # embargo identity: keep this file secret
        # created: \(Timestamp.string(createdAt))
        # recipient: \(recipient)
        # signing key: \(signingKey)
        \(age.encodedSecret())

        """
    }

    /// Writes a new identity file (never overwrites), mode 0600, in a 0700 directory.
    public func write(to url: URL, passphrase: SecureBytes?, createdAt: Date) throws {
        try SafeFile.makePrivateDirectory(url.deletingLastPathComponent())
        if FileManager.default.fileExists(atPath: url.path) {
            throw EmbargoError(.failure, "an identity already exists at \(url.path)",
                               hint: "choose another path with --out, or keep using the existing one")
        }
        var plain = Array(fileText(createdAt: createdAt).utf8)
        defer { wipe(&plain) }
        let bytes: [UInt8]
        if let passphrase {
            bytes = try Age.encrypt(plain, to: [AgeScryptRecipient(passphrase: passphrase)], armor: true)
        } else {
            bytes = plain
        }
        try SafeFile.createExclusive(url, bytes: bytes, mode: 0o600)
    }

    /// Loads an identity file. A protected one comes from the identity agent
    /// at `agent` when it holds it (see `IdentityAgent`), else `passphrases`
    /// is asked.
    public static func load(from url: URL, passphrases: PassphraseProvider, agent: URL? = nil) throws -> EmbargoIdentity {
        var plain = try plainFile(url, passphrases: passphrases, agent: agent).file
        defer { wipe(&plain) }
        return try parse(plain, path: url.path)
    }

    /// The text of an identity file, decrypted when it is protected, and
    /// whether it was.
    public static func plainFile(_ url: URL, passphrases: PassphraseProvider, agent: URL? = nil) throws
        -> (file: [UInt8], protected: Bool, digest: String)
    {
        guard var bytes = try SafeFile.read(url) else {
            throw EmbargoError(.accessDenied, "no identity at \(url.path)",
                               hint: "create one with 'embargo identity new', or pass --identity FILE")
        }
        defer { wipe(&bytes) }
        let digest = IdentityAgent.digest(bytes)
        guard isEncrypted(bytes) else { return (bytes, false, digest) }
        if let agent, let plain = IdentityAgent.identity(forFile: bytes, socket: agent) { return (plain, true, digest) }
        let passphrase = try passphrases.passphrase(for: .unlockIdentity(url.path))
        do {
            return (try Age.decrypt(bytes, identities: [AgeScryptIdentity(passphrase: passphrase)]), true, digest)
        } catch AgeError.noMatch {
            throw EmbargoError(.accessDenied, "wrong passphrase for the identity \(url.path)",
                               hint: "check $EMBARGO_PASSPHRASE_FILE or type the passphrase again")
        } catch AgeError.hmacFailure {
            throw EmbargoError(.accessDenied, "wrong passphrase for the identity \(url.path)",
                               hint: "check $EMBARGO_PASSPHRASE_FILE or type the passphrase again")
        } catch let error as EmbargoError {
            throw error
        } catch {
            throw EmbargoError(.verification, "the identity file \(url.path) is damaged: \(error)")
        }
    }

    static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        // Bytes, not Foundation's trimming: every command asks this of its identity file.
        let start = bytes.prefix(64).drop { $0 == 0x20 || (0x09...0x0D).contains($0) }
        return start.starts(with: "age-encryption.org/".utf8) || start.starts(with: "-----BEGIN AGE ENCRYPTED FILE-----".utf8)
    }

    static func parse(_ bytes: [UInt8], path: String) throws -> EmbargoIdentity {
        let text = String(decoding: bytes, as: UTF8.self)
        let keys = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard keys.count == 1, keys[0].hasPrefix("AGE-SECRET-KEY-1") else {
            throw EmbargoError(.accessDenied, "\(path) is not an embargo identity (expected one AGE-SECRET-KEY-1 line)",
                               hint: "create one with 'embargo identity new'")
        }
        do {
            return try EmbargoIdentity(age: AgeX25519Identity(parsing: keys[0]))
        } catch {
            throw EmbargoError(.accessDenied, "\(path) holds a malformed secret key",
                               hint: "restore the identity file from your copy")
        }
    }
}

/// UTC timestamps in one format everywhere: `2026-11-25T10:00:00Z`.
public enum Timestamp {
    public static func string(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
