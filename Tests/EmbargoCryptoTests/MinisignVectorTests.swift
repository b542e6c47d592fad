import EmbargoCrypto
import Foundation
import Testing

/// The go-minisign known-answer vectors (jedisct1/go-minisign `minisign_test.go`,
/// commit d2f9f494), and the parsing and signing rules around them.
@Suite("minisign signatures")
struct MinisignVectorTests {
    /// minisign's release-signing key; key id E7620F1842B4E81F.
    static let publicKeyBase64 = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"
    static let message = Array("test".utf8)

    static let legacySignature = """
        untrusted comment: signature from minisign secret key
        RWQf6LRCGA9i59SLOFxz6NxvASXDJeRtuZykwQepbDEGt87ig1BNpWaVWuNrm73YiIiJbq71Wi+dP9eKL8OC351vwIasSSbXxwA=
        trusted comment: timestamp:1635442742\tfile:test
        0YteLgV960ia80vnA/fHbvkyjl/IoP/HNOCaZfrF0CdhAlp7ok+Tpkya+VpWPX5C/Is3q8a/kEDSY7fBmmgJCg==

        """

    static let prehashedSignature = """
        untrusted comment: signature from minisign secret key
        RUQf6LRCGA9i559r3g7V1qNyJDApGip8MfqcadIgT9CuhV3EMhHoN1mGTkUidF/z7SrlQgXdy8ofjb7bNJJylDOocrCo8KLzZwo=
        trusted comment: timestamp:1635443258\tfile:test\thashed
        /cj37GK60vryibFn+ftOgbCvW9NKhKYgjVpFFQUcWPAnjO23wrvVDTt7cloNC06maoBli9q6qwZDXXoaxweICQ==

        """

    static let vectors = [legacySignature, prehashedSignature]

    /// Rebuilds a .minisig text from parts, so tests can alter one part at a time.
    static func minisig(
        algorithm: String, keyID: [UInt8], signature: [UInt8], trustedComment: String, globalSignature: [UInt8]
    ) -> String {
        "untrusted comment: altered\n"
            + Data(Array(algorithm.utf8) + keyID + signature).base64EncodedString() + "\n"
            + "trusted comment: \(trustedComment)\n"
            + Data(globalSignature).base64EncodedString() + "\n"
    }

    static func altered(_ text: String, _ change: (inout [UInt8], inout String, inout [UInt8]) -> Void) throws
        -> MinisignSignature
    {
        let original = try MinisignSignature(parsing: text)
        var signature = original.signature
        var comment = original.trustedComment
        var global = original.globalSignature
        change(&signature, &comment, &global)
        return try MinisignSignature(parsing: minisig(
            algorithm: original.algorithm, keyID: original.keyID, signature: signature, trustedComment: comment,
            globalSignature: global))
    }

    // MARK: Known answers

    @Test("the public key decodes to minisign's key id")
    func publicKey() throws {
        let key = try MinisignPublicKey(base64: Self.publicKeyBase64)
        #expect(key.keyIDHex == "E7620F1842B4E81F")
        #expect(key.keyID == [0x1F, 0xE8, 0xB4, 0x42, 0x18, 0x0F, 0x62, 0xE7])
        #expect(key.base64 == Self.publicKeyBase64)
        #expect(
            key.fileContents() == "untrusted comment: minisign public key E7620F1842B4E81F\n\(Self.publicKeyBase64)\n")
        #expect(try MinisignPublicKey(fileContents: key.fileContents()) == key)
        #expect(try MinisignPublicKey(base64: " \(Self.publicKeyBase64)\n") == key)
    }

    @Test("legacy (Ed) vector verifies and carries its trusted comment")
    func legacyVector() throws {
        let signature = try MinisignSignature(parsing: Self.legacySignature)
        #expect(signature.algorithm == "Ed")
        #expect(!signature.isPrehashed)
        #expect(signature.trustedComment == "timestamp:1635442742\tfile:test")
        #expect(signature.untrustedComment == "signature from minisign secret key")
        try MinisignPublicKey(base64: Self.publicKeyBase64).verify(signature, for: Self.message)
    }

    @Test("prehashed (ED) vector verifies, also from a streamed digest")
    func prehashedVector() throws {
        let key = try MinisignPublicKey(base64: Self.publicKeyBase64)
        let signature = try MinisignSignature(parsing: Self.prehashedSignature)
        #expect(signature.algorithm == "ED")
        #expect(signature.trustedComment == "timestamp:1635443258\tfile:test\thashed")
        try key.verify(signature, for: Self.message)
        let digest = StreamingDigest(.blake2b512)
        digest.update(Array("te".utf8))
        digest.update(Array("st".utf8))
        try key.verify(signature, blake2b512Digest: digest.finalize())
    }

    @Test("encoding a parsed vector gives back the same text", arguments: vectors)
    func roundTrip(_ text: String) throws {
        #expect(try MinisignSignature(parsing: text).encoded == text)
    }

    @Test("a changed message fails the data signature", arguments: vectors)
    func changedMessage(_ text: String) throws {
        let key = try MinisignPublicKey(base64: Self.publicKeyBase64)
        let signature = try MinisignSignature(parsing: text)
        #expect(throws: MinisignError.invalidSignature) { try key.verify(signature, for: Array("tesT".utf8)) }
        #expect(throws: MinisignError.invalidSignature) { try key.verify(signature, for: Array("test\n".utf8)) }
    }

    @Test("a flipped signature byte fails the data signature", arguments: vectors)
    func changedSignature(_ text: String) throws {
        let key = try MinisignPublicKey(base64: Self.publicKeyBase64)
        let signature = try Self.altered(text) { signature, _, _ in signature[3] ^= 0x01 }
        #expect(throws: MinisignError.invalidSignature) { try key.verify(signature, for: Self.message) }
    }

    @Test("a changed trusted comment fails the global signature", arguments: vectors)
    func changedTrustedComment(_ text: String) throws {
        let key = try MinisignPublicKey(base64: Self.publicKeyBase64)
        let changed = try Self.altered(text) { _, comment, _ in
            comment = comment.replacingOccurrences(of: "file:test", with: "file:evil")
        }
        #expect(throws: MinisignError.invalidGlobalSignature) { try key.verify(changed, for: Self.message) }
        let flippedGlobal = try Self.altered(text) { _, _, global in global[0] ^= 0x80 }
        #expect(throws: MinisignError.invalidGlobalSignature) { try key.verify(flippedGlobal, for: Self.message) }
    }

    @Test("another key's signature is refused by key id before any signature check", arguments: vectors)
    func keyMismatch(_ text: String) throws {
        let other = try MinisignSecretKey.generate().publicKey
        let signature = try MinisignSignature(parsing: text)
        #expect(throws: MinisignError.keyMismatch) { try other.verify(signature, for: Self.message) }
        // Same Ed25519 key under another key id: still refused, as minisign does.
        let original = try MinisignPublicKey(base64: Self.publicKeyBase64)
        let renamed = try MinisignPublicKey(keyID: [1, 2, 3, 4, 5, 6, 7, 8], publicKey: original.publicKey)
        #expect(throws: MinisignError.keyMismatch) { try renamed.verify(signature, for: Self.message) }
    }

    @Test("untrusted comment is not authenticated")
    func untrustedCommentIsFree() throws {
        let text = Self.prehashedSignature.replacingOccurrences(
            of: "signature from minisign secret key", with: "anything at all")
        let signature = try MinisignSignature(parsing: text)
        #expect(signature.untrustedComment == "anything at all")
        try MinisignPublicKey(base64: Self.publicKeyBase64).verify(signature, for: Self.message)
    }

    // MARK: Parsing rules

    @Test("CRLF line endings are read like minisign does")
    func crlf() throws {
        let text = Self.prehashedSignature.replacingOccurrences(of: "\n", with: "\r\n")
        let signature = try MinisignSignature(parsing: text)
        #expect(signature.trustedComment == "timestamp:1635443258\tfile:test\thashed")
        try MinisignPublicKey(base64: Self.publicKeyBase64).verify(signature, for: Self.message)
    }

    @Test("malformed signature files are refused with a reason", arguments: [
        ("", "signature: expected 4 lines, found 0"),
        ("untrusted comment: x\n", "signature: expected 4 lines, found 1"),
        ("comment: x\nAAAA\ntrusted comment: t\nAAAA\n", "signature: first line must start with \"untrusted comment: \""),
    ])
    func malformedStructure(_ text: String, reason: String) {
        #expect(throws: MinisignError.malformed(reason)) { try MinisignSignature(parsing: text) }
    }

    @Test("each line of a signature is checked")
    func malformedLines() throws {
        let lines = Self.prehashedSignature.split(separator: "\n").map(String.init)
        func with(_ index: Int, _ replacement: String) -> String {
            var copy = lines
            copy[index] = replacement
            return copy.joined(separator: "\n") + "\n"
        }
        #expect(throws: MinisignError.malformed("signature: third line must start with \"trusted comment: \"")) {
            try MinisignSignature(parsing: with(2, "trusted_comment: timestamp:1635443258"))
        }
        #expect(throws: MinisignError.malformed("signature: expected 74 bytes of base64, found 99 characters")) {
            try MinisignSignature(parsing: with(1, String(lines[1].dropLast())))
        }
        // "o" ends the line canonically; "p" sets one of the two unused low bits.
        let nonCanonical = String(lines[1].dropLast(2)) + "p="
        #expect(throws: MinisignError.malformed("signature: invalid base64")) {
            try MinisignSignature(parsing: with(1, nonCanonical))
        }
        #expect(throws: MinisignError.malformed("global signature: invalid base64")) {
            try MinisignSignature(parsing: with(3, String(repeating: "*", count: 88)))
        }
        #expect(throws: MinisignError.malformed("signature: carriage return inside a line")) {
            try MinisignSignature(parsing: with(0, "untrusted comment: a\rb"))
        }
        let original = try MinisignSignature(parsing: Self.prehashedSignature)
        let otherAlgorithm = Self.minisig(
            algorithm: "Eb", keyID: original.keyID, signature: original.signature,
            trustedComment: original.trustedComment, globalSignature: original.globalSignature)
        #expect(throws: MinisignError.unsupported("signature algorithm \"Eb\"")) {
            try MinisignSignature(parsing: otherAlgorithm)
        }
        #expect(throws: MinisignError.malformed("signature: expected 4 lines, found 5")) {
            try MinisignSignature(parsing: Self.prehashedSignature + "extra\n")
        }
    }

    @Test("trusted comments must be printable", arguments: ["bell\u{07}", "del\u{7F}", "c1\u{85}control", "nul\u{0}"])
    func unprintableTrustedComment(_ comment: String) throws {
        let original = try MinisignSignature(parsing: Self.prehashedSignature)
        let text = Self.minisig(
            algorithm: "ED", keyID: original.keyID, signature: original.signature, trustedComment: comment,
            globalSignature: original.globalSignature)
        let error = #expect(throws: MinisignError.self) { try MinisignSignature(parsing: text) }
        guard case .malformed(let reason) = error else {
            Issue.record("expected a malformed error, got \(String(describing: error))")
            return
        }
        #expect(reason.hasPrefix("trusted comment: control character U+"))
        let key = try MinisignSecretKey.generate()
        #expect(throws: MinisignError.self) { try key.sign(Self.message, trustedComment: comment) }
    }

    // MARK: Signing

    @Test("our signatures are prehashed and verify; UTF-8 trusted comments are signed byte for byte")
    func signAndVerify() throws {
        let key = try MinisignSecretKey.generate()
        let message = Array("release tarball bytes".utf8)
        let comment = "timestamp:1700000000\tfile:embargo-1.0.tar.gz\tgeprüft ✓"
        let signature = try key.sign(message, trustedComment: comment)
        #expect(signature.algorithm == "ED")
        #expect(signature.keyID == key.keyID)
        #expect(signature.untrustedComment == "signature from minisign secret key")
        let parsed = try MinisignSignature(parsing: signature.encoded)
        #expect(parsed == signature)
        #expect(parsed.trustedComment == comment)
        try key.publicKey.verify(parsed, for: message)
        #expect(throws: MinisignError.invalidSignature) { try key.publicKey.verify(parsed, for: message + [0]) }
        try key.publicKey.verify(parsed, blake2b512Digest: Digest.blake2b512(message))
    }

    @Test("comments that minisign could not read back are refused when signing")
    func signingCommentRules() throws {
        let key = try MinisignSecretKey.generate()
        #expect(throws: MinisignError.malformed("trusted comment: line breaks are not allowed")) {
            try key.sign(Self.message, trustedComment: "one\ntwo")
        }
        #expect(throws: MinisignError.malformed("trusted comment: line breaks are not allowed")) {
            try key.sign(Self.message, trustedComment: "one\rtwo")
        }
        #expect(throws: MinisignError.malformed("trusted comment: longer than 8173 bytes")) {
            try key.sign(Self.message, trustedComment: String(repeating: "x", count: 8174))
        }
        _ = try key.sign(Self.message, trustedComment: String(repeating: "x", count: 8173))
        #expect(throws: MinisignError.malformed("untrusted comment: line breaks and NUL are not allowed")) {
            try key.sign(Self.message, trustedComment: "ok", untrustedComment: "two\nlines")
        }
        #expect(throws: MinisignError.malformed("untrusted comment: longer than 1003 bytes")) {
            try key.sign(Self.message, trustedComment: "ok", untrustedComment: String(repeating: "u", count: 1004))
        }
    }

    @Test("a legacy signature cannot be checked against a digest")
    func legacyNeedsData() throws {
        let key = try MinisignPublicKey(base64: Self.publicKeyBase64)
        let signature = try MinisignSignature(parsing: Self.legacySignature)
        #expect(throws: MinisignError.unsupported("legacy signature: it covers the data itself, not a digest")) {
            try key.verify(signature, blake2b512Digest: Digest.blake2b512(Self.message))
        }
    }

    @Test("public keys with a wrong length or algorithm are refused")
    func badPublicKeys() throws {
        #expect(throws: MinisignError.malformed("public key: expected 42 bytes of base64, found 4 characters")) {
            try MinisignPublicKey(base64: "RWQf")
        }
        let wrongAlgorithm = Data(Array("EX".utf8) + [UInt8](repeating: 1, count: 40)).base64EncodedString()
        #expect(throws: MinisignError.unsupported("public key algorithm \"EX\"")) {
            try MinisignPublicKey(base64: wrongAlgorithm)
        }
        #expect(throws: MinisignError.malformed("public key file: expected 2 lines (comment, key), found 1")) {
            try MinisignPublicKey(fileContents: Self.publicKeyBase64 + "\n")
        }
        #expect(throws: MinisignError.malformed("public key: key id must be 8 bytes")) {
            try MinisignPublicKey(keyID: [1, 2, 3], publicKey: [UInt8](repeating: 0, count: 32))
        }
    }

    @Test("error messages are short and lowercase")
    func errorDescriptions() {
        #expect(MinisignError.keyMismatch.description == "signature was made with a different key")
        #expect(MinisignError.invalidSignature.description == "signature verification failed")
        #expect(MinisignError.invalidGlobalSignature.description == "trusted comment signature verification failed")
        #expect(MinisignError.malformed("signature: invalid base64").description == "malformed signature: invalid base64")
    }
}
