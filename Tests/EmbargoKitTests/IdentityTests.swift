import EmbargoCrypto
import EmbargoKit
import EmbargoStore
import Foundation
import Testing

struct FixedPassphrase: PassphraseProvider {
    let text: String
    func passphrase(for purpose: PassphrasePurpose) throws -> SecureBytes { SecureBytes(copying: Array(text.utf8)) }
}

@Suite("identities")
struct IdentityTests {
    func tempFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("embargo-identity-\(UUID().uuidString)").appendingPathComponent(name)
    }

    @Test func signingKeyIsDerivedDeterministically() throws {
        let identity = try EmbargoIdentity.generate()
        let again = try EmbargoIdentity(age: AgeX25519Identity(parsing: identity.age.encodedSecret()))
        #expect(again.signingKey == identity.signingKey)
        #expect(again.recipient == identity.recipient)
        #expect(try EmbargoIdentity.generate().signingKey != identity.signingKey)
        // The signature verifies with the published key.
        let signature = try identity.signing.sign(Array("manifest".utf8), trustedComment: "test")
        let publicKey = try MinisignPublicKey(base64: identity.signingKey)
        try publicKey.verify(signature, for: Array("manifest".utf8))
    }

    @Test func plainFileRoundTripsAndIsPrivate() throws {
        let url = tempFile("id")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let identity = try EmbargoIdentity.generate()
        try identity.write(to: url, passphrase: nil, createdAt: Date(timeIntervalSince1970: 0))
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("# created: 1970-01-01T00:00:00Z"))
        #expect(text.contains("# recipient: \(identity.recipient)"))
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let loaded = try EmbargoIdentity.load(from: url, passphrases: FixedPassphrase(text: "unused"))
        #expect(loaded.recipient == identity.recipient)
        #expect(throws: EmbargoError.self) {
            try identity.write(to: url, passphrase: nil, createdAt: Date())
        }
    }

    @Test func passphraseProtectedFile() throws {
        let url = tempFile("id.age")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let identity = try EmbargoIdentity.generate()
        try identity.write(to: url, passphrase: SecureBytes(copying: Array("s3cret".utf8)), createdAt: Date())
        let loaded = try EmbargoIdentity.load(from: url, passphrases: FixedPassphrase(text: "s3cret"))
        #expect(loaded.signingKey == identity.signingKey)
        do {
            _ = try EmbargoIdentity.load(from: url, passphrases: FixedPassphrase(text: "wrong"))
            Issue.record("a wrong passphrase unlocked the identity")
        } catch let error as EmbargoError {
            #expect(error.kind == .accessDenied)
            #expect(error.message.hasPrefix("wrong passphrase"))
        }
    }

    @Test func malformedFilesAreRejectedClearly() throws {
        let url = tempFile("bad")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        for content in ["", "# only comments\n", "AGE-SECRET-KEY-1QQQQ\n", "AGE-SECRET-KEY-1A\nAGE-SECRET-KEY-1B\n"] {
            try content.write(to: url, atomically: true, encoding: .utf8)
            do {
                _ = try EmbargoIdentity.load(from: url, passphrases: FixedPassphrase(text: "x"))
                Issue.record("accepted \(content.debugDescription)")
            } catch let error as EmbargoError {
                #expect(error.kind == .accessDenied)
            }
        }
    }
}
