import EmbargoCrypto
import Foundation
import Testing

@Suite struct Bech32Tests {
    @Test func roundTripsAnyDataLength() throws {
        for length in 0...70 {
            let data = try Random.bytes(length)
            let lower = try Bech32.encode(hrp: "age", data: data)
            #expect(lower == lower.lowercased())
            let decoded = try Bech32.decode(lower)
            #expect(decoded.hrp == "age")
            #expect(decoded.data == data)

            let upper = try Bech32.encode(hrp: "AGE-SECRET-KEY-", data: data)
            #expect(upper == upper.uppercased(), "an uppercase prefix gives an uppercase string")
            #expect(try Bech32.decode(upper).data == data)
            #expect(try Bech32.decode(upper.lowercased()).data == data, "both cases decode")
        }
    }

    @Test func decodesBIP173Examples() throws {
        #expect(try Bech32.decode("A12UEL5L").data.isEmpty)
        #expect(try Bech32.decode("a12uel5l").hrp == "a")
        let decoded = try Bech32.decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw")
        #expect(decoded.hrp == "abcdef")
        #expect(AgeTestSupport.hex(decoded.data) == "00443214c74254b635cf84653a56d7c675be77df")
    }

    @Test(arguments: [
        "A12uEL5L",  // mixed case
        "a12uel5m",  // bad checksum
        "pzry9x0s0muk",  // no separator
        "1pzry9x0s0muk",  // empty human-readable part
        "x1b4n0q5v",  // 'b' is not in the alphabet
        "li1dgmt3",  // checksum shorter than 6 characters
        "A1G7SGD8",  // checksum computed over the uppercase prefix
        "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryeg",  // last character changed
        "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryEf",  // one uppercase character
    ])
    func rejectsMalformedStrings(_ text: String) {
        #expect(throws: CryptoError.self) { try Bech32.decode(text) }
    }

    @Test func rejectsNonCanonicalPadding() throws {
        // 33 zero bytes: 53 five-bit groups, the last carrying one padding bit.
        // Checksums computed independently (Python, BIP 173 reference code).
        #expect(try Bech32.decode("age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqzhlqeg").data == [UInt8](repeating: 0, count: 33))
        // Same with the padding bit set.
        #expect(throws: CryptoError.self) { try Bech32.decode("age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqplpt4y6") }
        // A whole extra group of padding.
        #expect(throws: CryptoError.self) { try Bech32.decode("age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqy6p66v") }
    }
}

@Suite struct AgeKeyTests {
    // Identity from the CCTV vectors; its recipient as printed by `age-keygen -y`.
    static let identity = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
    static let recipient = "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef"

    @Test func knownIdentityGivesKnownRecipient() throws {
        let identity = try AgeX25519Identity(parsing: Self.identity)
        #expect(identity.recipient.encoded == Self.recipient)
        #expect(identity.encodedSecret() == Self.identity)
        #expect(try AgeX25519Recipient(parsing: Self.recipient) == identity.recipient)
        #expect(try AgeX25519Identity(parsing: Self.identity.lowercased()).recipient == identity.recipient)
    }

    @Test func generatedIdentitiesRoundTrip() throws {
        let identity = try AgeX25519Identity()
        let secret = identity.encodedSecret()
        #expect(secret.hasPrefix("AGE-SECRET-KEY-1"))
        #expect(secret == secret.uppercased())
        #expect(try AgeX25519Identity(parsing: secret).recipient == identity.recipient)
        #expect(identity.recipient.encoded.hasPrefix("age1"))
        #expect(try AgeX25519Recipient(parsing: identity.recipient.encoded) == identity.recipient)
    }

    @Test func rejectsWrongKeys() throws {
        #expect(throws: (any Error).self) { try AgeX25519Identity(parsing: Self.recipient) }
        #expect(throws: (any Error).self) { try AgeX25519Recipient(parsing: Self.identity) }
        let mixed = "AGE-SECRET-KEY-1egtzvffv20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
        #expect(throws: (any Error).self) { try AgeX25519Identity(parsing: mixed) }
        let short = try Bech32.encode(hrp: "age", data: [UInt8](repeating: 1, count: 31))
        #expect(throws: (any Error).self) { try AgeX25519Recipient(parsing: short) }
        #expect(throws: AgeError.unsupported("post-quantum identities are not supported")) {
            try AgeX25519Identity(parsing: "AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG")
        }
    }
}

@Suite struct AgeFormatTests {
    static func passphrase(_ text: String) -> SecureBytes { SecureBytes(copying: Array(text.utf8)) }

    /// Offset just past the header's "\n" after the MAC line.
    static func headerLength(_ file: [UInt8]) throws -> Int {
        let marker = Array("\n--- ".utf8)
        let start = try #require((0...(file.count - marker.count)).first { Array(file[$0..<($0 + marker.count)]) == marker })
        return try #require(file[(start + 1)...].firstIndex(of: 0x0A)) + 1
    }

    @Test func outputHasTheReferenceLayout() throws {
        let identity = try AgeX25519Identity()
        for (size, sealedSize) in [(0, 16 + 16), (1, 16 + 17), (65536, 16 + 65552), (65537, 16 + 65552 + 17)] {
            let file = try Age.encrypt([UInt8](repeating: 7, count: size), to: [identity.recipient])
            let header = try Self.headerLength(file)
            let text = String(decoding: file[0..<header], as: UTF8.self)
            #expect(text.hasPrefix("age-encryption.org/v1\n-> X25519 "))
            // An exact multiple of 64 KiB ends with a full last chunk, not an empty one.
            #expect(file.count - header == sealedSize, "size \(size)")
        }
    }

    @Test func roundTripsSeveralRecipientsAndKinds() throws {
        let identities = try (0..<3).map { _ in try AgeX25519Identity() }
        let plaintext = try Random.bytes(200_000)
        for armor in [false, true] {
            let file = try Age.encrypt(plaintext, to: identities.map(\.recipient), armor: armor)
            #expect(file.starts(with: Array((armor ? "-----BEGIN AGE" : "age-encryption.org/v1").utf8)))
            for identity in identities {
                #expect(try Age.decrypt(file, identities: [identity]) == plaintext)
            }
            #expect(throws: AgeError.noMatch) { try Age.decrypt(file, identities: [try AgeX25519Identity()]) }
            #expect(throws: AgeError.noMatch) { try Age.decrypt(file, identities: []) }
        }
    }

    @Test func streamingEncryptHandlesShortReads() throws {
        let identity = try AgeX25519Identity()
        let plaintext = try Random.bytes(150_001)
        var offset = 0
        var file: [UInt8] = []
        try Age.encrypt(
            recipients: [identity.recipient], armor: false,
            read: { n in
                // Hand out fewer bytes than asked for, to exercise refilling.
                let count = min(n, 997, plaintext.count - offset)
                defer { offset += count }
                return Array(plaintext[offset..<(offset + count)])
            },
            write: { file += $0 })
        #expect(try Age.decrypt(file, identities: [identity]) == plaintext)
    }

    @Test func decryptStreamReleasesWholeChunks() throws {
        let identity = try AgeX25519Identity()
        let plaintext = try Random.bytes(150_001)
        let file = try Age.encrypt(plaintext, to: [identity.recipient], armor: true)
        var offset = 0
        var pieces: [[UInt8]] = []
        try Age.decrypt(
            identities: [identity],
            read: { n in
                let count = min(n, 4099, file.count - offset)
                defer { offset += count }
                return Array(file[offset..<(offset + count)])
            },
            write: { pieces.append($0) })
        #expect(pieces.map(\.count) == [65536, 65536, 150_001 - 131_072])
        #expect(Array(pieces.joined()) == plaintext)
    }

    @Test func tamperedHeaderFailsTheMAC() throws {
        let identity = try AgeX25519Identity()
        let file = try Age.encrypt(Array("secret".utf8), to: [identity.recipient])
        let header = try Self.headerLength(file)
        let macStart = header - 44  // 43 base64 characters and "\n"

        var badMAC = file
        badMAC[macStart] = badMAC[macStart] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: AgeError.hmacFailure) { try Age.decrypt(badMAC, identities: [identity]) }

        // A well-formed extra stanza is skipped as unknown, and the MAC catches it.
        let footer = header - 48  // "---" + " " + 43 + "\n"
        var extraStanza = file
        extraStanza.insert(contentsOf: Array("-> grease x\n\n".utf8), at: footer)
        #expect(throws: AgeError.hmacFailure) { try Age.decrypt(extraStanza, identities: [identity]) }

        // A changed stanza body no longer unwraps.
        var badBody = file
        let bodyStart = try #require(file.firstIndex(of: 0x0A).flatMap { first in file[(first + 1)...].firstIndex(of: 0x0A) }) + 1
        badBody[bodyStart] = badBody[bodyStart] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: AgeError.noMatch) { try Age.decrypt(badBody, identities: [identity]) }
    }

    @Test func truncatedOrExtendedPayloadFails() throws {
        let identity = try AgeX25519Identity()
        let plaintext = try Random.bytes(100_000)
        let file = try Age.encrypt(plaintext, to: [identity.recipient])
        let header = try Self.headerLength(file)
        let firstChunkEnd = header + 16 + 65552

        func check(_ data: [UInt8], _ expected: AgeError, released count: Int, of source: [UInt8]? = nil, _ note: Comment) {
            let (released, error) = AgeTestSupport.streamDecrypt(data, identities: [identity])
            #expect(error as? AgeError == expected, note)
            let genuinePrefix = released == Array((source ?? plaintext)[0..<count])
            #expect(genuinePrefix, note)
        }
        let truncated = AgeError.payloadFailure("payload is truncated")
        check(Array(file.dropLast()), .payloadFailure("chunk 1 failed to authenticate"), released: 65536, "last byte missing")
        check(Array(file[0..<firstChunkEnd]), truncated, released: 65536, "cut after the first chunk")
        check(Array(file[0..<(firstChunkEnd - 1000)]), .payloadFailure("chunk 0 failed to authenticate"), released: 0, "cut in the first chunk")
        check(Array(file[0..<(header + 16 + 10)]), truncated, released: 0, "cut inside the first tag")
        check(Array(file[0..<(header + 8)]), .headerFailure("payload nonce is missing"), released: 0, "cut in the nonce")
        // After a short last chunk, extra bytes just make that chunk fail.
        check(file + [0], .payloadFailure("chunk 1 failed to authenticate"), released: 65536, "byte appended to a short chunk")
        #expect(throws: AgeError.payloadFailure("chunk 1 failed to authenticate")) {
            try Age.decrypt(Array(file.dropLast()), identities: [identity])
        }

        // After a full last chunk, the chunk is released, then the extra data refused.
        let full = try Random.bytes(65536)
        let fullFile = try Age.encrypt(full, to: [identity.recipient])
        check(fullFile + [0], .payloadFailure("data after the last chunk"), released: 65536, of: full, "byte appended to a full chunk")
    }

    @Test func scryptWorkFactorIsBounded() throws {
        let file = try Age.encrypt(Array("data".utf8), to: [AgeScryptRecipient(passphrase: Self.passphrase("pw"), workFactor: 12)])
        #expect(String(decoding: file.prefix(60), as: UTF8.self).contains("-> scrypt "))
        #expect(String(decoding: file.prefix(80), as: UTF8.self).contains(" 12\n"))
        #expect(throws: AgeError.headerFailure("scrypt work factor 12 is above the limit of 11")) {
            try Age.decrypt(file, identities: [AgeScryptIdentity(passphrase: Self.passphrase("pw"), maxWorkFactor: 11)])
        }
        let opened = try Age.decrypt(file, identities: [AgeScryptIdentity(passphrase: Self.passphrase("pw"), maxWorkFactor: 12)])
        #expect(opened == Array("data".utf8))
        #expect(throws: AgeError.noMatch) {
            try Age.decrypt(file, identities: [AgeScryptIdentity(passphrase: Self.passphrase("wrong"))])
        }
        for workFactor in [0, 31] {
            #expect(throws: CryptoError.self) {
                try Age.encrypt([1], to: [AgeScryptRecipient(passphrase: Self.passphrase("pw"), workFactor: workFactor)])
            }
        }
    }

    @Test func passphraseCannotBeMixedWithOtherRecipients() throws {
        let identity = try AgeX25519Identity()
        let recipients: [any AgeRecipient] = [AgeScryptRecipient(passphrase: Self.passphrase("pw"), workFactor: 10), identity.recipient]
        #expect(throws: AgeError.unsupported("a passphrase cannot be combined with other recipients")) {
            try Age.encrypt([1], to: recipients)
        }
        #expect(throws: AgeError.unsupported("no recipients")) { try Age.encrypt([1], to: []) }
    }

    @Test func armorRoundTripsAndIsStrict() throws {
        for length in [0, 1, 2, 3, 47, 48, 49, 95, 96, 97, 1000] {
            let data = try Random.bytes(length)
            let armored = AgeArmor.encode(data)
            let lines = String(decoding: armored, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.first == "-----BEGIN AGE ENCRYPTED FILE-----")
            #expect(lines.dropLast().last == "-----END AGE ENCRYPTED FILE-----")
            #expect(lines.last == "", "ends with a newline")
            #expect(lines.dropFirst().dropLast(2).allSatisfy { $0.count <= 64 && !$0.isEmpty })
            #expect(try AgeArmor.decode(armored) == data)
            let padded = Array("\r\n \t\n".utf8) + armored + Array("  \n".utf8)
            #expect(try AgeArmor.decode(padded) == data, "whitespace around the block is tolerated")
        }
        #expect(throws: AgeError.self) { try AgeArmor.decode(Array("-----BEGIN AGE ENCRYPTED FILE-----\n".utf8)) }
    }

    @Test func fileFunctionsWriteOnlyComplete0600Files() throws {
        let dir = try AgeTestSupport.TemporaryDirectory()
        defer { dir.remove() }
        let identity = try AgeX25519Identity()
        let plaintext = try Random.bytes(300_000)
        try Data(plaintext).write(to: dir.file("plain"))

        try Age.encryptFile(at: dir.file("plain"), to: dir.file("sealed.age"), recipients: [identity.recipient], armor: true)
        try Age.decryptFile(at: dir.file("sealed.age"), to: dir.file("opened"), identities: [identity])
        #expect(Array(try Data(contentsOf: dir.file("opened"))) == plaintext)
        let mode = try FileManager.default.attributesOfItem(atPath: dir.file("opened").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // A damaged file leaves no plaintext behind, not even a temporary file.
        var sealed = Array(try Data(contentsOf: dir.file("sealed.age")))
        let binary = try AgeArmor.decode(sealed)
        sealed = AgeArmor.encode(Array(binary.dropLast()))
        try Data(sealed).write(to: dir.file("damaged.age"))
        #expect(throws: AgeError.self) {
            try Age.decryptFile(at: dir.file("damaged.age"), to: dir.file("partial"), identities: [identity])
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted()
        #expect(names == ["damaged.age", "opened", "plain", "sealed.age"])
    }
}
