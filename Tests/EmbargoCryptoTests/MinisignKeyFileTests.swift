import EmbargoCrypto
import Foundation
import Testing

/// Secret key files: layout, scrypt parameters, passphrases.
@Suite("minisign secret key files")
struct MinisignKeyFileTests {
    /// Cheap limits for tests: libsodium maps them to N = 2^10, r = 8, p = 1 (1 MiB).
    static let cheapOps: UInt64 = 32768
    static let cheapMem: UInt64 = 16_777_216

    static func passphrase(_ text: String) -> SecureBytes { SecureBytes(copying: Array(text.utf8)) }

    /// The decoded SeckeyStruct of a key file.
    static func rawStruct(_ fileContents: String) throws -> [UInt8] {
        let lines = fileContents.split(separator: "\n")
        try #require(lines.count == 2)
        return try #require(Data(base64Encoded: String(lines[1])).map { [UInt8]($0) })
    }

    static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// Expected (N, r, p) were computed with libsodium 1.0.18 itself: its
    /// `crypto_pwhash_scryptsalsa208sha256` output for each (opslimit, memlimit)
    /// equals plain scrypt with these parameters.
    @Test("opslimit and memlimit map to scrypt parameters as libsodium's pickparams does", arguments: [
        (UInt64(33_554_432), UInt64(1_073_741_824), 20, 1),  // minisign's default
        (32768, 16_777_216, 10, 1),
        (32768, 1_048_576, 10, 1),
        (1_048_576, 1_048_576, 10, 32),
        (524_288, 16_777_216, 14, 1),
        (100_000, 3_000_000, 11, 1),
        (0, 0, 1, 512),
    ])
    func pickParameters(opsLimit: UInt64, memLimit: UInt64, logN: Int, p: Int) throws {
        let parameters = try MinisignSecretKey.scryptParameters(opsLimit: opsLimit, memLimit: memLimit)
        #expect(parameters.logN == logN)
        #expect(parameters.r == 8)
        #expect(parameters.p == p)
    }

    @Test("scrypt costs above minisign's default are refused")
    func costCap() {
        #expect(throws: MinisignError.self) {
            try MinisignSecretKey.scryptParameters(opsLimit: 67_108_864, memLimit: 2_147_483_648)
        }
        #expect(throws: MinisignError.self) {
            try MinisignSecretKey.scryptParameters(opsLimit: UInt64.max, memLimit: UInt64.max)
        }
        #expect(MinisignSecretKey.defaultOpsLimit == 33_554_432)
        #expect(MinisignSecretKey.defaultMemLimit == 1_073_741_824)
    }

    @Test("unencrypted key file: layout as minisign -G -W writes it, and read back")
    func unencryptedRoundTrip() throws {
        let key = try MinisignSecretKey.generate()
        let file = try key.fileContents(passphrase: nil)
        #expect(file.hasPrefix("untrusted comment: "))
        #expect(try !MinisignSecretKey.isEncrypted(fileContents: file))
        let raw = try Self.rawStruct(file)
        #expect(raw.count == 158)
        #expect(Array(raw[0..<6]) == Array("Ed".utf8) + [0, 0] + Array("B2".utf8))
        #expect(raw[6..<54].allSatisfy { $0 == 0 })  // salt and limits
        #expect(Array(raw[54..<62]) == key.keyID)
        #expect(Array(raw[62..<94]) == key.signingKey.seed.exposedBytes())
        #expect(Array(raw[94..<126]) == key.publicKey.publicKey)
        #expect(raw[126..<158].allSatisfy { $0 == 0 })  // checksum, as minisign leaves it

        let read = try MinisignSecretKey(fileContents: file, passphrase: nil)
        #expect(read.keyID == key.keyID)
        #expect(read.signingKey.seed == key.signingKey.seed)
        #expect(read.publicKey == key.publicKey)
    }

    @Test("encrypted key file: layout, read back with the passphrase only")
    func encryptedRoundTrip() throws {
        let key = try MinisignSecretKey.generate()
        let file = try key.fileContents(
            passphrase: Self.passphrase("correct horse"), opsLimit: Self.cheapOps, memLimit: Self.cheapMem)
        #expect(file.hasPrefix("untrusted comment: minisign encrypted secret key\n"))
        #expect(try MinisignSecretKey.isEncrypted(fileContents: file))
        let raw = try Self.rawStruct(file)
        #expect(Array(raw[0..<6]) == Array("EdScB2".utf8))
        #expect(Self.littleEndian(raw[38..<46]) == Self.cheapOps)
        #expect(Self.littleEndian(raw[46..<54]) == Self.cheapMem)
        #expect(Array(raw[54..<62]) != key.keyID)  // the key id is encrypted too

        let read = try MinisignSecretKey(fileContents: file, passphrase: Self.passphrase("correct horse"))
        #expect(read.keyID == key.keyID)
        #expect(read.signingKey.seed == key.signingKey.seed)
        #expect(throws: MinisignError.wrongPassphrase) {
            try MinisignSecretKey(fileContents: file, passphrase: Self.passphrase("correct horsE"))
        }
        #expect(throws: MinisignError.wrongPassphrase) { try MinisignSecretKey(fileContents: file, passphrase: nil) }
    }

    @Test("two encryptions of one key use different salts")
    func freshSalt() throws {
        let key = try MinisignSecretKey.generate()
        let first = try key.fileContents(passphrase: Self.passphrase("pw"), opsLimit: Self.cheapOps, memLimit: Self.cheapMem)
        let second = try key.fileContents(passphrase: Self.passphrase("pw"), opsLimit: Self.cheapOps, memLimit: Self.cheapMem)
        #expect(try Self.rawStruct(first)[6..<38] != Self.rawStruct(second)[6..<38])
    }

    @Test("damaged or foreign secret key files are refused")
    func damagedFiles() throws {
        let key = try MinisignSecretKey.generate()
        let raw = try Self.rawStruct(key.fileContents(passphrase: nil))
        func file(_ change: (inout [UInt8]) -> Void) -> String {
            var copy = raw
            change(&copy)
            return "untrusted comment: test\n" + Data(copy).base64EncodedString() + "\n"
        }
        #expect(throws: MinisignError.malformed("secret key: its public half does not match the private key")) {
            try MinisignSecretKey(fileContents: file { $0[100] ^= 0x01 }, passphrase: nil)
        }
        #expect(throws: MinisignError.unsupported("secret key derivation function \"Ar\"")) {
            try MinisignSecretKey(fileContents: file { $0[2] = UInt8(ascii: "A"); $0[3] = UInt8(ascii: "r") }, passphrase: nil)
        }
        #expect(throws: MinisignError.unsupported("secret key checksum function \"B3\"")) {
            try MinisignSecretKey(fileContents: file { $0[5] = UInt8(ascii: "3") }, passphrase: nil)
        }
        #expect(throws: MinisignError.unsupported("secret key algorithm \"ED\"")) {
            try MinisignSecretKey(fileContents: file { $0[1] = UInt8(ascii: "D") }, passphrase: nil)
        }
        #expect(throws: MinisignError.malformed("secret key: expected 158 bytes of base64, found 4 characters")) {
            try MinisignSecretKey(fileContents: "untrusted comment: x\nRWQA\n", passphrase: nil)
        }
        // An encrypted key whose stored limits ask for more than minisign ever does.
        let costly = file {
            $0[2] = UInt8(ascii: "S")
            $0[3] = UInt8(ascii: "c")
            $0[38..<46] = ArraySlice(repeating: 0xFF, count: 8)
            $0[46..<54] = ArraySlice(repeating: 0xFF, count: 8)
        }
        #expect(throws: MinisignError.self) { try MinisignSecretKey(fileContents: costly, passphrase: Self.passphrase("x")) }
    }

    @Test("key ids must be 8 bytes")
    func keyIDLength() throws {
        let signingKey = try Ed25519PrivateKey()
        #expect(throws: MinisignError.malformed("secret key: key id must be 8 bytes")) {
            try MinisignSecretKey(signingKey: signingKey, keyID: [1, 2, 3, 4, 5, 6, 7])
        }
        let key = try MinisignSecretKey(signingKey: signingKey, keyID: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(key.publicKey.keyIDHex == "0807060504030201")
        #expect(key.publicKey.publicKey == signingKey.publicKey)
    }
}
