import Foundation

/// Reads the list columns of the advisories table (branches, cwes, people,
/// references): JSON arrays of strings, of integers or of people, as
/// `Advisory.encodeJSON` writes them.
///
/// A JSONDecoder per column per row cost more than half of `advisory list` at
/// 10,000 advisories, nearly all of it fixed cost. `StoredJSONReader` reads the
/// form JSONEncoder writes directly. Whatever it does not recognise (malformed
/// text, an unknown or repeated key, a number with a fraction, a lone surrogate)
/// goes to JSONDecoder, so the value or the error is always JSONDecoder's.
enum StoredJSON {
    static func strings(_ text: String?) throws -> [String] {
        try read(text) { $0.string() }
    }

    static func integers(_ text: String?) throws -> [Int] {
        try read(text) { $0.integer() }
    }

    static func people(_ text: String?) throws -> [Person] {
        try read(text) { $0.person() }
    }

    /// NULL (or a missing column) is an empty list, as the columns' default says.
    private static func read<Element: Decodable>(
        _ text: String?, _ element: (inout StoredJSONReader) -> Element?
    ) throws -> [Element] {
        guard let text else { return [] }
        if let direct = StoredJSONReader.list(text, element) { return direct }
        return try Advisory.decode(text)
    }
}

/// A reader for a small, strict subset of JSON (RFC 8259): arrays, strings,
/// integers without fraction or exponent, and people objects. Every method
/// returns nil for input outside that subset, valid JSON or not; the caller
/// then asks JSONDecoder.
struct StoredJSONReader {
    /// A String's UTF-8, hence valid UTF-8: a piece cut at ASCII bytes is valid too.
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// `text` as one JSON array of `element`, nil if it is anything else.
    static func list<Element>(_ text: String, _ element: (inout StoredJSONReader) -> Element?) -> [Element]? {
        text.withUTF8Buffer { bytes in
            var reader = StoredJSONReader(bytes)
            guard let value = reader.array(element), reader.atEnd() else { return nil }
            return value
        }
    }

    /// True once only whitespace is left.
    private mutating func atEnd() -> Bool {
        skipWhitespace()
        return position == bytes.count
    }

    private mutating func array<Element>(_ element: (inout StoredJSONReader) -> Element?) -> [Element]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var result: [Element] = []
        if take(UInt8(ascii: "]")) { return result }
        result.reserveCapacity(2)
        repeat {
            guard let value = element(&self) else { return nil }
            result.append(value)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? result : nil
    }

    /// `{"contact":…,"name":…,"type":…}` in any order; contact and type may be
    /// null or absent, name must be a string. Any other key: nil.
    mutating func person() -> Person? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var name: String?
        var contact: String??
        var type: String??
        if !take(UInt8(ascii: "}")) {
            repeat {
                guard let key = key(), take(UInt8(ascii: ":")) else { return nil }
                switch key {
                case .name where name == nil:
                    guard let value = string() else { return nil }
                    name = value
                case .contact where contact == nil:
                    guard let value = optionalString() else { return nil }
                    contact = value
                case .type where type == nil:
                    guard let value = optionalString() else { return nil }
                    type = value
                default:
                    return nil
                }
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
        }
        guard let name else { return nil }
        return Person(name: name, contact: contact ?? nil, type: type ?? nil)
    }

    private enum PersonKey: CaseIterable {
        case name, contact, type

        var text: StaticString {
            switch self {
            case .name: "name"
            case .contact: "contact"
            case .type: "type"
            }
        }
    }

    /// A person's key; nil for any other key. An unescaped one is compared in
    /// place, without making a String of it.
    private mutating func key() -> PersonKey? {
        skipWhitespace()
        for key in PersonKey.allCases {
            let count = key.text.utf8CodeUnitCount
            guard bytes.count - position >= count + 2, bytes[position] == UInt8(ascii: "\""),
                  bytes[position + count + 1] == UInt8(ascii: "\""),
                  let base = bytes.baseAddress, memcmp(base + position + 1, key.text.utf8Start, count) == 0
            else { continue }
            position += count + 2
            return key
        }
        guard let text = string() else { return nil }
        return PersonKey.allCases.first { text == String(describing: $0.text) }
    }

    /// `-?(0|[1-9][0-9]*)` within Int's range; "-0" is left to JSONDecoder.
    mutating func integer() -> Int? {
        skipWhitespace()
        var index = position
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let digitsStart = index
        var value = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let digit = Int(bytes[index] - UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? shifted.subtractingReportingOverflow(digit)
                : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = next
            index += 1
        }
        let count = index - digitsStart
        guard count > 0, bytes[digitsStart] != UInt8(ascii: "0") || (count == 1 && !negative) else { return nil }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
            default: break
            }
        }
        position = index
        return value
    }

    /// A string, or nil; `.some(nil)` for the literal null.
    private mutating func optionalString() -> String?? {
        skipWhitespace()
        if bytes.count - position >= 4, bytes[position] == UInt8(ascii: "n"), bytes[position + 1] == UInt8(ascii: "u"),
           bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l")
        {
            position += 4
            return .some(nil)
        }
        return string().map { .some($0) }
    }

    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        // First pass: find the closing quote; JSON forbids raw control characters.
        guard let base = bytes.baseAddress else { return nil }
        let start = position
        let limit = base + bytes.count
        var cursor = base + start
        var escaped = false
        while true {
            guard cursor < limit else { return nil }
            let byte = cursor.pointee
            if byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                cursor += 1
                continue
            }
            if byte == UInt8(ascii: "\"") { break }
            guard byte == UInt8(ascii: "\\") else { return nil }
            escaped = true
            cursor += 2
        }
        let end = cursor - base
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        position = end + 1
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        // Second pass: unescape. The text never grows: `\n` is one byte, `\uXXXX`
        // at most three, a surrogate pair (12 bytes) four.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: raw.count) { output -> String? in
            var input = 0
            var count = 0
            while input < raw.count {
                let byte = raw[input]
                guard byte == UInt8(ascii: "\\") else {
                    output[count] = byte
                    count += 1
                    input += 1
                    continue
                }
                // The first pass saw a byte after each backslash.
                if let simple = Self.simpleEscape(raw[input + 1]) {
                    output[count] = simple
                    count += 1
                    input += 2
                    continue
                }
                guard raw[input + 1] == UInt8(ascii: "u") else { return nil }
                var reader = StoredJSONReader(UnsafeBufferPointer(rebasing: raw[(input + 2)...]))
                guard let scalar = reader.unicodeEscape() else { return nil }
                for unit in scalar.utf8 {
                    output[count] = unit
                    count += 1
                }
                input += 2 + reader.position
            }
            return String(decoding: UnsafeBufferPointer(rebasing: output[..<count]), as: UTF8.self)
        }
    }

    /// What a one-character escape (`\n`, `\/`, …) stands for; nil for `\u` and
    /// anything invalid.
    private static func simpleEscape(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    private mutating func next() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    /// The four hex digits after `\u`, and a second `\uXXXX` for a surrogate
    /// pair. A lone surrogate is not a scalar: nil.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let first = hex4() else { return nil }
        switch first {
        case 0xD800...0xDBFF:
            guard next() == UInt8(ascii: "\\"), next() == UInt8(ascii: "u"),
                  let second = hex4(), (0xDC00...0xDFFF).contains(second)
            else { return nil }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        case 0xDC00...0xDFFF:
            return nil
        default:
            return Unicode.Scalar(first)
        }
    }

    private mutating func hex4() -> UInt32? {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = next() else { return nil }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Skips whitespace, then consumes `byte` if it comes next.
    private mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// JSON's four whitespace characters: space, tab, line feed, carriage return.
    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }
}
