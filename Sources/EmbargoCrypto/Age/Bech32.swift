/// Bech32 (BIP 173, the original checksum constant, not Bech32m), as age uses it
/// for `age1...` recipients and `AGE-SECRET-KEY-1...` identities. Like age, it has
/// no 90-character limit, because post-quantum keys are much longer.
///
/// ```swift
/// let text = try Bech32.encode(hrp: "age", data: publicKey)   // "age1..."
/// let (hrp, data) = try Bech32.decode(text)
/// ```
public enum Bech32 {
    static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    static let charsetIndex: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, symbol) in charset.enumerated() { table[Int(symbol)] = Int8(index) }
        return table
    }()

    /// Encodes `data` under the human-readable part `hrp`. The result is lowercase,
    /// or uppercase when `hrp` is uppercase (as for age secret keys).
    public static func encode(hrp: String, data: [UInt8]) throws -> String {
        let hrpBytes = Array(hrp.utf8)
        guard !hrpBytes.isEmpty, hrpBytes.allSatisfy({ (33...126).contains($0) }) else {
            throw CryptoError.invalidInput("bech32: invalid human-readable part")
        }
        let lower = hrpBytes.map(asciiLowercased)
        let upper = hrpBytes.map(asciiUppercased)
        guard hrpBytes == lower || hrpBytes == upper else {
            throw CryptoError.invalidInput("bech32: mixed-case human-readable part")
        }
        var groups = convertBits(data, from: 8, to: 5, pad: true)!
        defer { wipe(&groups) }
        var values = groups + checksum(hrp: lower, data: groups)
        defer { wipe(&values) }
        var text = lower + [UInt8(ascii: "1")] + values.map { charset[Int($0)] }
        defer { wipe(&text) }
        if hrpBytes == upper && hrpBytes != lower {
            text = text.map(asciiUppercased)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Decodes a Bech32 string; rejects mixed case, bad characters, a bad checksum
    /// and non-zero padding. The returned `hrp` keeps the case of the input.
    public static func decode(_ string: String) throws -> (hrp: String, data: [UInt8]) {
        let bytes = Array(string.utf8)
        let lower = bytes.map(asciiLowercased)
        guard bytes == lower || bytes == bytes.map(asciiUppercased) else {
            throw CryptoError.invalidInput("bech32: mixed case")
        }
        guard let separator = bytes.lastIndex(of: UInt8(ascii: "1")), separator >= 1,
              separator + 7 <= bytes.count
        else {
            throw CryptoError.invalidInput("bech32: separator missing or misplaced")
        }
        let hrp = Array(bytes[..<separator])
        guard hrp.allSatisfy({ (33...126).contains($0) }) else {
            throw CryptoError.invalidInput("bech32: invalid human-readable part")
        }
        var values = [UInt8]()
        values.reserveCapacity(bytes.count - separator - 1)
        defer { wipe(&values) }
        for symbol in lower[(separator + 1)...] {
            let value = charsetIndex[Int(symbol)]
            guard value >= 0 else { throw CryptoError.invalidInput("bech32: invalid character") }
            values.append(UInt8(value))
        }
        guard polymod(expand(Array(lower[..<separator])) + values) == 1 else {
            throw CryptoError.invalidInput("bech32: bad checksum")
        }
        guard let data = convertBits(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else {
            throw CryptoError.invalidInput("bech32: invalid padding")
        }
        return (String(decoding: hrp, as: UTF8.self), data)
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var check: UInt32 = 1
        for value in values {
            let top = check >> 25
            check = (check & 0x1ff_ffff) << 5 ^ UInt32(value)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 {
                check ^= generator[i]
            }
        }
        return check
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    private static func checksum(hrp: [UInt8], data: [UInt8]) -> [UInt8] {
        let value = polymod(expand(hrp) + data + [0, 0, 0, 0, 0, 0]) ^ 1
        return (0..<6).map { UInt8((value >> UInt32(5 * (5 - $0))) & 31) }
    }

    /// Regroups bits; without padding, leftover bits must be fewer than `from`
    /// and all zero (the canonical encoding), else nil.
    static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator = 0
        var bits = 0
        var result = [UInt8]()
        result.reserveCapacity(data.count * from / to + 1)
        let mask = (1 << to) - 1
        for value in data {
            accumulator = (accumulator << from | Int(value)) & 0xFFFF
            bits += from
            while bits >= to {
                bits -= to
                result.append(UInt8((accumulator >> bits) & mask))
            }
        }
        if pad {
            if bits > 0 { result.append(UInt8((accumulator << (to - bits)) & mask)) }
        } else if bits >= from || (accumulator << (to - bits)) & mask != 0 {
            wipe(&result)
            return nil
        }
        return result
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (65...90).contains(byte) ? byte + 32 : byte
    }

    private static func asciiUppercased(_ byte: UInt8) -> UInt8 {
        (97...122).contains(byte) ? byte - 32 : byte
    }
}
