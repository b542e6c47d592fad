import EmbargoCrypto
import Foundation
import Testing

/// Known-answer tests for the primitives, with vectors typed in from the
/// standards that define them (each test names its source).
@Suite("Primitive known-answer vectors")
struct PrimitiveVectorTests {
    /// Bytes from hex; white space is ignored so vectors can be pasted as printed.
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) })
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        return stride(from: 0, to: digits.count, by: 2).map { index in
            UInt8(String(String.UnicodeScalarView(digits[index..<index + 2])), radix: 16)!
        }
    }

    // MARK: Hashes

    @Test("SHA-256 and SHA-512 of \"abc\" (FIPS 180-2 appendix examples)")
    func sha2() {
        let abc = Array("abc".utf8)
        #expect(Digest.sha256(abc) == Self.hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        #expect(
            Digest.sha512(abc) == Self.hex("""
                ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a
                2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f
                """))
    }

    @Test("BLAKE2b-512 of \"abc\" (RFC 7693 appendix A)")
    func blake2b512() {
        let expected = Self.hex("""
            BA 80 A5 3F 98 1C 4D 0D 6A 27 97 B6 9F 12 F6 E9 4C 21 2F 14 68 5A C4 B7 4B 12 BB 6F DB FF A2 D1
            7D 87 C5 39 2A AB 79 2D C2 52 D5 DE 45 33 CC 95 18 D3 8A A8 DB F1 92 5A B9 23 86 ED D4 00 99 23
            """)
        #expect(Digest.blake2b512(Array("abc".utf8)) == expected)
        let streaming = StreamingDigest(.blake2b512)
        streaming.update(Array("a".utf8))
        streaming.update(Array("bc".utf8))
        #expect(streaming.finalize() == expected)
    }

    /// BLAKE2b-256 is computed by our own C code (OpenSSL 3.0 lacks it). The
    /// expected values come from Python's `hashlib.blake2b(data, digest_size=32)`;
    /// the lengths cover the empty input and the 128-byte block boundary.
    @Test("HMAC-SHA256 (RFC 4231 test cases 1 and 2)")
    func hmacSHA256() {
        #expect(
            HMAC.sha256(key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8))
                == Self.hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"))
        #expect(
            HMAC.sha256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
                == Self.hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
    }

    @Test("HKDF-SHA256 (RFC 5869 test cases 1 and 3)")
    func hkdfSHA256() throws {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        let case1 = try HKDF.sha256(
            ikm: ikm, salt: Self.hex("000102030405060708090a0b0c"), info: Self.hex("f0f1f2f3f4f5f6f7f8f9"), count: 42)
        #expect(
            case1.exposedBytes() == Self.hex("""
                3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865
                """))
        let case3 = try HKDF.sha256(ikm: ikm, salt: [], info: [], count: 42)
        #expect(
            case3.exposedBytes() == Self.hex("""
                8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8
                """))
    }

    @Test("scrypt (RFC 7914 section 12, vectors 1 and 2)")
    func scrypt() throws {
        let vector1 = try Scrypt.derive(passphrase: [UInt8](), salt: [], logN: 4, r: 1, p: 1, count: 64)
        #expect(
            vector1.exposedBytes() == Self.hex("""
                77 d6 57 62 38 65 7b 20 3b 19 ca 42 c1 8a 04 97 f1 6b 48 44 e3 07 4a e8 df df fa 3f ed e2 14 42
                fc d0 06 9d ed 09 48 f8 32 6a 75 3a 0f c8 1f 17 e8 d3 e0 fb 2e 0d 36 28 cf 35 e2 0c 38 d1 89 06
                """))
        let vector2 = try Scrypt.derive(
            passphrase: Array("password".utf8), salt: Array("NaCl".utf8), logN: 10, r: 8, p: 16, count: 64)
        #expect(
            vector2.exposedBytes() == Self.hex("""
                fd ba be 1c 9d 34 72 00 78 56 e7 19 0d 01 e9 fe 7c 6a d7 cb c8 23 78 30 e7 73 76 63 4b 37 31 62
                2e af 30 d9 2e 22 a3 88 6f f1 09 27 9d 98 30 da c7 27 af b9 4a 83 ee 6d 83 60 cb df a2 cc 06 40
                """))
    }

    // MARK: AEAD

    struct AEADVector: Sendable, CustomTestStringConvertible {
        let name: String
        let algorithm: AEAD.Algorithm
        let key: [UInt8]
        let nonce: [UInt8]
        let aad: [UInt8]
        let plaintext: [UInt8]
        let ciphertext: [UInt8]
        let tag: [UInt8]
        var testDescription: String { name }
    }

    static let aeadVectors: [AEADVector] = [
        AEADVector(
            name: "AES-256-GCM, GCM spec test case 16",
            algorithm: .aes256gcm,
            key: hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),
            nonce: hex("cafebabefacedbaddecaf888"),
            aad: hex("feedfacedeadbeeffeedfacedeadbeefabaddad2"),
            plaintext: hex("""
                d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
                1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39
                """),
            ciphertext: hex("""
                522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
                8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662
                """),
            tag: hex("76fc6ece0f4e1768cddf8853bb2d551b")),
        AEADVector(
            name: "ChaCha20-Poly1305, RFC 8439 section 2.8.2",
            algorithm: .chacha20poly1305,
            key: hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"),
            nonce: hex("070000004041424344454647"),
            aad: hex("50515253c0c1c2c3c4c5c6c7"),
            plaintext: Array("""
                Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, \
                sunscreen would be it.
                """.utf8),
            ciphertext: hex("""
                d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2 a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6
                3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b 1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36
                92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58 fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc
                3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b 61 16
                """),
            tag: hex("1ae10b594f09e26a7e902ecbd0600691")),
    ]

    @Test("AEAD seal and open match the published vector", arguments: aeadVectors)
    func aeadVector(_ vector: AEADVector) throws {
        let sealed = try AEAD.seal(
            vector.algorithm, key: vector.key, nonce: vector.nonce, plaintext: vector.plaintext, aad: vector.aad)
        #expect(sealed == vector.ciphertext + vector.tag)
        let opened = try AEAD.open(
            vector.algorithm, key: vector.key, nonce: vector.nonce, ciphertext: sealed, aad: vector.aad)
        #expect(opened == vector.plaintext)
    }

    @Test("AEAD open fails after one flipped bit in ciphertext, tag or AAD", arguments: aeadVectors)
    func aeadTamper(_ vector: AEADVector) {
        let sealed = vector.ciphertext + vector.tag
        var badCiphertext = sealed
        badCiphertext[5] ^= 0x01
        var badTag = sealed
        badTag[sealed.count - 1] ^= 0x80
        var badAAD = vector.aad
        badAAD[0] ^= 0x01
        let attempts: [(ciphertext: [UInt8], aad: [UInt8])] = [
            (badCiphertext, vector.aad), (badTag, vector.aad), (sealed, badAAD), (Array(sealed.dropLast()), vector.aad),
        ]
        for attempt in attempts {
            #expect(throws: CryptoError.authenticationFailed) {
                try AEAD.open(
                    vector.algorithm, key: vector.key, nonce: vector.nonce, ciphertext: attempt.ciphertext,
                    aad: attempt.aad)
            }
        }
    }

    // MARK: Curve25519

    @Test("X25519 (RFC 7748 section 6.1, Alice and Bob)")
    func x25519() throws {
        let alice = try X25519PrivateKey(rawRepresentation: SecureBytes(copying: Self.hex(
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")))
        let bob = try X25519PrivateKey(rawRepresentation: SecureBytes(copying: Self.hex(
            "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")))
        #expect(alice.publicKey == Self.hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"))
        #expect(bob.publicKey == Self.hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"))
        let shared = Self.hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
        #expect(try alice.sharedSecret(with: bob.publicKey).exposedBytes() == shared)
        #expect(try bob.sharedSecret(with: alice.publicKey).exposedBytes() == shared)
    }

    @Test("Ed25519 (RFC 8032 section 7.1, TEST 1 and TEST 2)", arguments: [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            """
            e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f05\
            95bbe24655141438e7a100b
            """
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            """
            92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb\
            4302aeeb00d291612bb0c00
            """
        ),
    ])
    func ed25519(secret: String, publicKey: String, message: String, signature: String) throws {
        let key = try Ed25519PrivateKey(seed: SecureBytes(copying: Self.hex(secret)))
        let message = Self.hex(message)
        #expect(key.publicKey == Self.hex(publicKey))
        let produced = try key.signature(for: message)
        #expect(produced == Self.hex(signature))
        #expect(Ed25519.isValidSignature(produced, for: message, publicKey: key.publicKey))
        var flipped = produced
        flipped[10] ^= 0x01
        #expect(!Ed25519.isValidSignature(flipped, for: message, publicKey: key.publicKey))
        #expect(!Ed25519.isValidSignature(produced, for: message + [0], publicKey: key.publicKey))
    }

    // MARK: Secret handling

    @Test("SecureBytes never shows its content when printed")
    func secureBytesRedacted() {
        let secretText = "hunter2-very-secret"
        let secret = SecureBytes(copying: Array(secretText.utf8))
        let renderings = [
            "\(secret)", String(describing: secret), String(reflecting: secret), secret.description,
            secret.debugDescription, "\([secret])",
        ]
        let hexContent = Array(secretText.utf8).map { String(format: "%02x", $0) }.joined()
        for rendering in renderings {
            #expect(!rendering.contains(secretText))
            #expect(!rendering.lowercased().contains(hexContent))
            #expect(!rendering.contains("104, 117"))  // "hu" as decimal array elements
            #expect(rendering.contains("redacted"))
        }
    }

    @Test("constantTimeEqual compares content and length")
    func constantTimeEquality() {
        let a: [UInt8] = [1, 2, 3, 4]
        #expect(constantTimeEqual(a, [1, 2, 3, 4] as [UInt8]))
        #expect(!constantTimeEqual(a, [1, 2, 3, 5] as [UInt8]))
        #expect(!constantTimeEqual(a, [0, 2, 3, 4] as [UInt8]))
        #expect(!constantTimeEqual(a, [1, 2, 3] as [UInt8]))
        #expect(constantTimeEqual([UInt8](), [UInt8]()))
        #expect(constantTimeEqual(SecureBytes(copying: a), a))
        #expect(SecureBytes(copying: a) == SecureBytes(copying: a))
        #expect(SecureBytes(copying: a) != SecureBytes(copying: [1, 2, 3, 5] as [UInt8]))
    }
}
