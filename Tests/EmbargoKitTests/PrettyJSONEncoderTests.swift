@testable import EmbargoKit
import Foundation
import Testing

/// PrettyJSONEncoder must write what JSONEncoder writes with the CLI's options,
/// byte for byte, and fail where it fails.
@Suite("pretty JSON: the same bytes as JSONEncoder")
struct PrettyJSONEncoderTests {
    static func reference<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Both succeed with the same bytes, or both fail.
    static func expectSame<T: Encodable>(_ value: T, _ comment: @autoclosure () -> String = "",
                                         sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = Result { try reference(value) }
        let actual = Result { try PrettyJSONEncoder().encode(value) }
        switch (actual, expected) {
        case (.success(let bytes), .success(let reference)):
            #expect(bytes == reference, "\(comment())\nours:\n\(String(decoding: bytes, as: UTF8.self))\nJSONEncoder:\n\(String(decoding: reference, as: UTF8.self))",
                    sourceLocation: sourceLocation)
        case (.failure, .failure):
            break
        default:
            Issue.record("\(comment()): ours \(actual), JSONEncoder \(expected)", sourceLocation: sourceLocation)
        }
    }

    /// Random trees through every container operation: keyed, unkeyed and
    /// single-value containers, nested containers, super encoders, nil, keys
    /// set twice, values that encode nothing, tricky keys and strings.
    @Test(arguments: 0..<8)
    func generatedTreesMatch(seed: UInt64) {
        var random = SeededGenerator(seed: 0x0E4C_0DE0 + seed)
        for round in 0..<400 {
            let tree = Tree.random(&random, depth: 0)
            Self.expectSame(tree, "seed \(seed) round \(round)")
        }
    }

    @Test func numbersMatch() {
        var random = SeededGenerator(seed: 0x0E4C_0DE1)
        var doubles: [Double] = [0, -0.0, 1, -1, 0.1, 10, 1e16, 1e20, 1e21, 1e-7, 123456789012345683968, .pi, 9.8, 5.4,
                                 .greatestFiniteMagnitude, .leastNormalMagnitude, .leastNonzeroMagnitude, .nan, .infinity, -.infinity]
        doubles += (0..<3000).map { _ in Double(bitPattern: random.next()) }
        doubles += (0..<1000).map { _ in Double(Int.random(in: -1_000_000...1_000_000, using: &random)) / 10 }
        for value in doubles {
            Self.expectSame([value], "\(value)")
            Self.expectSame(["v": value], "\(value)")
            Self.expectSame(value, "\(value)")
        }
        var floats: [Float] = [0, -0.0, 1.5, 3.4e38, .nan, .infinity]
        floats += (0..<1000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: random.next())) }
        for value in floats {
            Self.expectSame(["v": value], "\(value)")
        }
        Self.expectSame(Integers(random: &random))
        Self.expectSame(Integers(extreme: true))
        Self.expectSame(Integers(extreme: false))
        Self.expectSame([CVSSScore(tenths: 0), CVSSScore(tenths: 54), CVSSScore(tenths: 98), CVSSScore(tenths: 100)])
    }

    @Test func stringsMatch() {
        var random = SeededGenerator(seed: 0x0E4C_0DE2)
        var strings = TrickyText.pieces + (0..<0x80).map { String(UnicodeScalar(UInt8($0))) } + ["", "\u{0}\u{0}", String(repeating: "a/\"", count: 3000)]
        strings += (0..<2000).map { _ in TrickyText.string(&random, maxPieces: 12) }
        for text in strings {
            Self.expectSame([text: text], text.debugDescription)
            Self.expectSame(text, text.debugDescription)
        }
    }

    /// A character to escape at every offset of short strings (the writer
    /// looks at eight bytes at a time), and strings and documents larger
    /// than the pieces the writer hands on.
    @Test func escapesAtEveryOffsetAndLargeDocumentsMatch() throws {
        for special in ["\"", "\\", "\u{0}", "\u{1F}", "\n", "/", "\u{7F}", "é", "😀"] {
            for length in 0..<40 {
                for offset in 0..<max(length, 1) {
                    var characters = Array(repeating: "x", count: length)
                    if offset < length { characters[offset] = special }
                    Self.expectSame([characters.joined()], "\(special.debugDescription) at \(offset) of \(length)")
                }
            }
        }
        var random = SeededGenerator(seed: 0x0E4C_0DE6)
        let large = (0..<40_000).map { _ in TrickyText.string(&random, maxPieces: 4) }.joined()
        Self.expectSame([large, large])
        let many = Dictionary(uniqueKeysWithValues: (0..<30_000).map { ("key \($0)", [$0]) })
        Self.expectSame(many)
        var pieces: [Int] = []
        var joined: [UInt8] = []
        try PrettyJSONEncoder().encode(many) { piece in
            pieces.append(piece.count)
            joined.append(contentsOf: piece)
        }
        #expect(joined == (try Self.reference(many)))
        #expect(pieces.count > 2 && pieces.allSatisfy { $0 > 0 && $0 <= 1 << 18 })
    }

    /// Nothing is handed on when encoding fails.
    @Test func aFailedEncodingWritesNothing() {
        var written = 0
        #expect(throws: EncodingError.self) {
            try PrettyJSONEncoder().encode(["a": [1.0, .nan]]) { written += $0.count }
        }
        var deep = Tree.int(1)
        for _ in 0..<600 { deep = .array([deep]) }
        #expect(throws: EncodingError.self) {
            try PrettyJSONEncoder().encode(deep) { written += $0.count }
        }
        #expect(written == 0)
    }

    /// Foundation's own types, as JSONEncoder's default strategies write them.
    @Test func foundationTypesMatch() throws {
        var random = SeededGenerator(seed: 0x0E4C_0DE3)
        for _ in 0..<300 {
            let data = Data((0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            let date = Date(timeIntervalSinceReferenceDate: Double(Int64.random(in: -4_000_000_000...4_000_000_000, using: &random)) / 8)
            let decimal = Decimal(Int64.random(in: .min ... .max, using: &random)) / Decimal(Int.random(in: 1...100_000, using: &random))
            Self.expectSame(Special(data: data, date: date, decimal: decimal, url: nil, optionalURL: nil))
        }
        let base = try #require(URL(string: "https://www.example.org/a/b/"))
        for text in ["https://www.drupal.org/u/jane", "file:///tmp/a b", "c/d?x=1#f", "mailto:jane@example.org", "http://[::1]:8080/"] {
            let url = try #require(URL(string: text, relativeTo: base))
            Self.expectSame(Special(data: Data(), date: Date(timeIntervalSinceReferenceDate: 0), decimal: 0, url: url, optionalURL: url))
            Self.expectSame([url])
            Self.expectSame(URL(fileURLWithPath: "/tmp/embargo \(text)"))
        }
        Self.expectSame(Data([1, 2, 3]))
        Self.expectSame(Decimal(string: "12.340"))
        Self.expectSame([Date(timeIntervalSince1970: 1_767_225_600)])
    }

    /// Dictionaries: string keys, integer keys, and keys that are neither
    /// (encoded as a flat array of keys and values).
    @Test func dictionariesMatch() {
        var random = SeededGenerator(seed: 0x0E4C_0DE4)
        for _ in 0..<300 {
            var byString: [String: [Int]] = [:]
            var byInt: [Int: String] = [:]
            var byBool: [Bool: Int] = [:]
            var byStatus: [AdvisoryStatus: Int] = [:]
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                byString[TrickyText.string(&random, maxPieces: 3)] = [Int.random(in: -5...5, using: &random)]
                byInt[Int.random(in: -200...200, using: &random)] = TrickyText.string(&random, maxPieces: 2)
                byBool[Bool.random(using: &random)] = Int.random(in: 0...9, using: &random)
                byStatus[AdvisoryStatus.allCases[Int.random(in: AdvisoryStatus.allCases.indices, using: &random)]] = 1
            }
            Self.expectSame(byString)
            Self.expectSame(byInt)
            Self.expectSame(byBool)
            Self.expectSame(byStatus)
        }
    }

    /// Keys that are canonically equivalent but not byte-equal are one key to
    /// JSONEncoder's dictionary; which bytes and which value survive must agree.
    @Test func equivalentKeysMatch() {
        let keys = ["\u{E9}", "e\u{301}", "a", "\u{212B}", "\u{C5}", "A\u{30A}", "\u{1E9B}\u{323}", "\u{17F}\u{323}\u{307}"]
        for first in keys {
            for second in keys {
                Self.expectSame(Tree.object([(first, .int(1)), (second, .int(2)), ("z", .string(first))]), "\(first) \(second)")
                Self.expectSame(Tree.object([(first, .nested(.object([("x", .int(1))]))), (second, .nested(.object([("y", .int(2))])))]))
            }
        }
    }

    @Test func edgeCasesMatch() {
        Self.expectSame(Tree.empty)
        Self.expectSame([Tree.empty])
        Self.expectSame(Tree.object([]))
        Self.expectSame(Tree.array([]))
        Self.expectSame(Tree.array([.array([]), .object([]), .empty]))
        Self.expectSame(Tree.single(.empty))
        Self.expectSame(Tree.single(.single(.int(3))))
        Self.expectSame(Tree.object([("a", .superEncoded(.empty)), ("b", .superEncoded(.int(1)))]))
        Self.expectSame(Tree.object([("a", .nested(.object([("b", .int(2))]))), ("a", .nested(.object([("c", .int(3))])))]))
        Self.expectSame(Tree.object([("a", .nested(.array([.int(1)]))), ("a", .nested(.array([.int(2)])))]))
        Self.expectSame(Tree.object([("a", .nested(.object([("b", .int(1))]))), ("a", .object([("c", .int(3))]))]))
        Self.expectSame(Optional<Int>.none)
        Self.expectSame([Optional<String>.none, "x"])
        Self.expectSame(Sub())
    }

    /// JSONEncoder refuses 512 nested containers; 511 are fine.
    @Test(arguments: [510, 511, 512, 513])
    func nestingDepthMatches(depth: Int) {
        // Innermost: a number, a value that encodes nothing (written `{}`), an
        // unused super encoder (`{}` too), a single value, a nested container.
        for innermost in [Tree.int(1), .empty, .object([("s", .superEncoded(.empty))]), .single(.int(2)),
                          .object([("n", .nested(.array([])))])] {
            var tree = innermost
            for level in 0..<depth { tree = level % 2 == 0 ? .array([tree]) : .object([("k", tree)]) }
            Self.expectSame(tree, "\(depth) around \(innermost)")
        }
    }

    /// The types that hand their members to the encoder directly (advisories,
    /// people, severities, and the view of an advisory with its severities
    /// that the CLI prints) give what their `encode(to:)` gives through
    /// JSONEncoder: each optional field set or not, tricky text, at any depth.
    @Test func directObjectsMatch() throws {
        var random = SeededGenerator(seed: 0x0E4C_0DE5)
        func text() -> String { TrickyText.string(&random, maxPieces: 6) }
        func maybe() -> String? { Bool.random(using: &random) ? text() : nil }
        func people() -> [Person] {
            (0..<Int.random(in: 0...3, using: &random)).map { _ in Person(name: text(), contact: maybe(), type: maybe()) }
        }
        for index in 0..<400 {
            let risks = ["AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon", "bad", ""]
            let cvss = ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"]
            let advisory = Advisory(
                id: text(), project: text(), status: AdvisoryStatus.allCases[index % AdvisoryStatus.allCases.count],
                privateTitle: text(), publicTitle: maybe(), vulnerabilityType: maybe(), description: maybe(), solution: maybe(),
                branches: (0..<Int.random(in: 0...3, using: &random)).map { _ in text() },
                cwes: (0..<Int.random(in: 0...3, using: &random)).map { _ in Int.random(in: -5...1_000_000, using: &random) },
                reporters: people(), reportedAt: maybe(), fixers: people(), coordinators: people(), credits: people(),
                saID: maybe(), cveID: maybe(), ghsaID: maybe(), references: (0..<Int.random(in: 0...2, using: &random)).map { _ in text() },
                riskVector: Bool.random(using: &random) ? risks[index % 3] : maybe(), cvss31Vector: Bool.random(using: &random) ? cvss[0] : nil,
                cvss40Vector: Bool.random(using: &random) ? cvss[1] : maybe(), disclosureAt: maybe(),
                createdAt: text(), createdBy: text(), updatedAt: text())
            let view = AdvisoryView(advisory)
            Self.expectSame(advisory, "advisory \(index)")
            Self.expectSame(view, "view \(index)")
            Self.expectSame(["advisories": [view, view]], "list \(index)")
            Self.expectSame(["severity": view.severity, "none": []], "severities \(index)")
            Self.expectSame([[advisory.reporters]], "people \(index)")
        }
        Self.expectSame([AdvisoryView]())
    }

    /// The direct path is the one taken: a type whose members differ from its
    /// `encode(to:)` is written from its members.
    @Test func directObjectsAreWrittenFromTheirMembers() throws {
        let written = String(decoding: try PrettyJSONEncoder().encode([Probe()]), as: UTF8.self)
        #expect(written == "[\n  {\n    \"members\" : \"used\"\n  }\n]")
    }
}

/// A value encoded through a chosen container operation.
indirect enum Tree: Encodable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    /// Through a keyed container; duplicates allowed.
    case object([(String, Tree)])
    case array([Tree])
    /// In a keyed container, through `nestedContainer`/`nestedUnkeyedContainer`;
    /// in an unkeyed one likewise; elsewhere as itself.
    case nested(Tree)
    /// Through `superEncoder(forKey:)` (or `superEncoder()` in an array).
    case superEncoded(Tree)
    /// Through `singleValueContainer().encode(_:)`.
    case single(Tree)
    /// Encodes nothing at all.
    case empty
    /// `encodeIfPresent(nil)` in a keyed container: no key at all.
    case absent

    struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { return nil }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .double(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .null, .absent:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .object(let entries):
            var container = encoder.container(keyedBy: Key.self)
            for (name, value) in entries { try Self.encode(value, in: &container, forKey: Key(stringValue: name)) }
        case .array(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try Self.encode(item, in: &container) }
        case .nested(let inner), .superEncoded(let inner):
            try inner.encode(to: encoder)
        case .single(let inner):
            var container = encoder.singleValueContainer()
            try container.encode(inner)
        case .empty:
            break
        }
    }

    static func encode(_ value: Tree, in container: inout KeyedEncodingContainer<Key>, forKey key: Key) throws {
        switch value {
        case .string(let text): try container.encode(text, forKey: key)
        case .int(let number): try container.encode(number, forKey: key)
        case .double(let number): try container.encode(number, forKey: key)
        case .bool(let flag): try container.encode(flag, forKey: key)
        case .null: try container.encodeNil(forKey: key)
        case .absent: try container.encodeIfPresent(Optional<Int>.none, forKey: key)
        case .nested(.object(let entries)):
            var nested = container.nestedContainer(keyedBy: Key.self, forKey: key)
            for (name, inner) in entries { try encode(inner, in: &nested, forKey: Key(stringValue: name)) }
        case .nested(.array(let items)):
            var nested = container.nestedUnkeyedContainer(forKey: key)
            for item in items { try encode(item, in: &nested) }
        case .superEncoded(let inner):
            try inner.encode(to: key.stringValue == "super" ? container.superEncoder() : container.superEncoder(forKey: key))
        default:
            try container.encode(value, forKey: key)
        }
    }

    static func encode(_ value: Tree, in container: inout any UnkeyedEncodingContainer) throws {
        switch value {
        case .string(let text): try container.encode(text)
        case .int(let number): try container.encode(number)
        case .double(let number): try container.encode(number)
        case .bool(let flag): try container.encode(flag)
        case .null, .absent: try container.encodeNil()
        case .nested(.object(let entries)):
            var nested = container.nestedContainer(keyedBy: Key.self)
            for (name, inner) in entries { try encode(inner, in: &nested, forKey: Key(stringValue: name)) }
        case .nested(.array(let items)):
            var nested = container.nestedUnkeyedContainer()
            for item in items { try encode(item, in: &nested) }
        case .superEncoded(let inner):
            try inner.encode(to: container.superEncoder())
        default:
            try container.encode(value)
        }
    }

    static func random(_ random: inout SeededGenerator, depth: Int) -> Tree {
        let keys = ["id", "name", "a", "b", "", "super", "Z", "_", "aa", "a b", "\u{E9}", "e\u{301}", "0", "10", "9", "/", "\u{0}"]
        func key() -> String {
            Int.random(in: 0..<3, using: &random) == 0 ? TrickyText.string(&random, maxPieces: 2) : keys[Int.random(in: keys.indices, using: &random)]
        }
        let composite = depth < 5 ? 6 : 0
        switch Int.random(in: 0..<(9 + composite), using: &random) {
        case 0: return .string(TrickyText.string(&random))
        case 1: return .int(Int.random(in: Int.min...Int.max, using: &random))
        case 2: return .double([0.5, -2, 1e300, 3.25, 0.1, 100][Int.random(in: 0..<6, using: &random)])
        case 3: return .bool(Bool.random(using: &random))
        case 4: return .null
        case 5: return .empty
        case 6: return .absent
        case 7: return .int(Int.random(in: -3...3, using: &random))
        case 8: return .string(keys[Int.random(in: keys.indices, using: &random)])
        case 9, 10:
            // JSONEncoder stops the process when a key holding one kind of
            // nested container is asked for another; those keys stay unique here
            // (edgeCasesMatch covers the reuse it allows).
            return .object((0..<Int.random(in: 0...6, using: &random)).map { index in
                let value = Tree.random(&random, depth: depth + 1)
                switch value {
                case .nested, .superEncoded: return ("n\(index)", value)
                default: return (key(), value)
                }
            })
        case 11:
            return .array((0..<Int.random(in: 0...5, using: &random)).map { _ in Tree.random(&random, depth: depth + 1) })
        case 12:
            let inner = Tree.random(&random, depth: depth + 1)
            switch inner {
            case .object, .array: return .nested(inner)
            default: return .single(inner)
            }
        case 13:
            return .superEncoded(Tree.random(&random, depth: depth + 1))
        default:
            return .single(Tree.random(&random, depth: depth + 1))
        }
    }
}

struct Integers: Encodable {
    var int: Int, int8: Int8, int16: Int16, int32: Int32, int64: Int64
    var uint: UInt, uint8: UInt8, uint16: UInt16, uint32: UInt32, uint64: UInt64
    var int128: Int128, uint128: UInt128
    var list: [Int64]

    init(random: inout SeededGenerator) {
        int = .random(in: .min ... .max, using: &random)
        int8 = .random(in: .min ... .max, using: &random)
        int16 = .random(in: .min ... .max, using: &random)
        int32 = .random(in: .min ... .max, using: &random)
        int64 = .random(in: .min ... .max, using: &random)
        uint = .random(in: .min ... .max, using: &random)
        uint8 = .random(in: .min ... .max, using: &random)
        uint16 = .random(in: .min ... .max, using: &random)
        uint32 = .random(in: .min ... .max, using: &random)
        uint64 = .random(in: .min ... .max, using: &random)
        int128 = Int128(int64) * Int128(Int64.max)
        uint128 = UInt128(uint64) * UInt128(UInt64.max)
        list = (0..<10).map { _ in .random(in: .min ... .max, using: &random) }
    }

    init(extreme maximum: Bool) {
        int = maximum ? .max : .min
        int8 = maximum ? .max : .min
        int16 = maximum ? .max : .min
        int32 = maximum ? .max : .min
        int64 = maximum ? .max : .min
        uint = maximum ? .max : .min
        uint8 = maximum ? .max : .min
        uint16 = maximum ? .max : .min
        uint32 = maximum ? .max : .min
        uint64 = maximum ? .max : .min
        int128 = maximum ? .max : .min
        uint128 = maximum ? .max : .min
        list = [.max, .min, 0, -1]
    }
}

struct Special: Encodable {
    var data: Data
    var date: Date
    var decimal: Decimal
    var url: URL?
    var optionalURL: URL?

    enum CodingKeys: String, CodingKey { case data, date, decimal, url, optionalURL = "optional_url", list }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(date, forKey: .date)
        try container.encode(decimal, forKey: .decimal)
        try container.encodeIfPresent(url, forKey: .url)
        // Optional, through the generic path, as ProjectReport encodes its optionals.
        try container.encode(optionalURL, forKey: .optionalURL)
        try container.encode([Optional(data), nil], forKey: .list)
    }
}

class Base: Encodable {
    var inherited = "base"
}

/// A subclass that encodes its superclass through `superEncoder()`.
final class Sub: Base {
    var own = 2

    enum CodingKeys: String, CodingKey { case own }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(own, forKey: .own)
        try super.encode(to: container.superEncoder())
    }
}

struct Probe: Encodable, PrettyJSONObject {
    enum Keys: String, CodingKey { case codable }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("used", forKey: .codable)
    }

    func prettyJSONMembers(into members: inout PrettyJSONMembers) {
        members.add("members", "used")
    }
}
