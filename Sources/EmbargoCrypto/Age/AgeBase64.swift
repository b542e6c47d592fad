/// Strict base64 with the standard alphabet, as age uses it: unpadded inside the
/// header, padded inside the ASCII armor. Decoding accepts only the canonical
/// encoding (no stray characters, no non-zero trailing bits) because age treats
/// any other spelling of the same bytes as a malformed file.
enum AgeBase64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0xFF marks a byte outside the alphabet.
    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(index) }
        return table
    }()

    static let padding = UInt8(ascii: "=")

    static func encodedCount(_ count: Int, padded: Bool) -> Int {
        padded ? (count + 2) / 3 * 4 : (count * 4 + 2) / 3
    }

    /// Upper bound of the decoded size of `count` characters.
    static func maxDecodedCount(_ count: Int) -> Int { (count + 3) / 4 * 3 }

    /// Encodes `input` into `output`, which must hold `encodedCount(input.count, padded:)`
    /// bytes; returns the number of bytes written.
    static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, padded: Bool) -> Int {
        alphabet.withUnsafeBufferPointer { table in
            let count = input.count
            var i = 0
            var o = 0
            while i + 3 <= count {
                let value = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                output[o] = table[Int(value >> 18)]
                output[o + 1] = table[Int(value >> 12 & 0x3F)]
                output[o + 2] = table[Int(value >> 6 & 0x3F)]
                output[o + 3] = table[Int(value & 0x3F)]
                i += 3
                o += 4
            }
            switch count - i {
            case 1:
                let value = UInt32(input[i]) << 16
                output[o] = table[Int(value >> 18)]
                output[o + 1] = table[Int(value >> 12 & 0x3F)]
                o += 2
                if padded {
                    output[o] = padding
                    output[o + 1] = padding
                    o += 2
                }
            case 2:
                let value = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                output[o] = table[Int(value >> 18)]
                output[o + 1] = table[Int(value >> 12 & 0x3F)]
                output[o + 2] = table[Int(value >> 6 & 0x3F)]
                o += 3
                if padded {
                    output[o] = padding
                    o += 1
                }
            default:
                break
            }
            return o
        }
    }

    static func encode(_ bytes: [UInt8], padded: Bool = false) -> [UInt8] {
        bytes.withUnsafeBytes { input in
            [UInt8](unsafeUninitializedCapacity: encodedCount(input.count, padded: padded)) { out, initialized in
                initialized = encode(input, into: UnsafeMutableRawBufferPointer(out), padded: padded)
            }
        }
    }

    static func encodeString(_ bytes: [UInt8], padded: Bool = false) -> String {
        String(decoding: encode(bytes, padded: padded), as: UTF8.self)
    }

    /// Decodes `input` strictly into `output` (room for `maxDecodedCount(input.count)`
    /// bytes); returns the decoded length, or nil if `input` is not canonical base64.
    static func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, padded: Bool) -> Int? {
        var count = input.count
        var tail = 0
        if padded {
            guard count % 4 == 0 else { return nil }
            if count > 0 && input[count - 1] == padding {
                tail = input[count - 2] == padding ? 2 : 3
                count -= 4
            }
        } else {
            switch count % 4 {
            case 1: return nil
            case 2, 3:
                tail = count % 4
                count -= tail
            default: break
            }
        }
        return decodeTable.withUnsafeBufferPointer { table -> Int? in
            var i = 0
            var o = 0
            while i < count {
                let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                let c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                // Valid symbols are below 64, so one test catches any invalid one.
                guard a | b | c | d < 64 else { return nil }
                let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                output[o] = UInt8(truncatingIfNeeded: value >> 16)
                output[o + 1] = UInt8(truncatingIfNeeded: value >> 8)
                output[o + 2] = UInt8(truncatingIfNeeded: value)
                i += 4
                o += 3
            }
            switch tail {
            case 2:
                let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                guard a < 64, b < 64, b & 0x0F == 0 else { return nil }
                output[o] = a << 2 | b >> 4
                o += 1
            case 3:
                let a = table[Int(input[i])], b = table[Int(input[i + 1])], c = table[Int(input[i + 2])]
                guard a < 64, b < 64, c < 64, c & 0x03 == 0 else { return nil }
                output[o] = a << 2 | b >> 4
                output[o + 1] = b << 4 | c >> 2
                o += 2
            default:
                break
            }
            return o
        }
    }

    static func decode<S: Collection>(_ text: S, padded: Bool = false) -> [UInt8]? where S.Element == UInt8 {
        let input = Array(text)
        var failed = false
        let result = input.withUnsafeBytes { raw in
            [UInt8](unsafeUninitializedCapacity: max(maxDecodedCount(raw.count), 1)) { out, initialized in
                if let n = decode(raw, into: UnsafeMutableRawBufferPointer(out), padded: padded) {
                    initialized = n
                } else {
                    failed = true
                    initialized = 0
                }
            }
        }
        return failed ? nil : result
    }

    static func decode(_ text: String, padded: Bool = false) -> [UInt8]? {
        decode(Array(text.utf8), padded: padded)
    }
}
