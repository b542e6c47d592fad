@testable import EmbargoKit
import Foundation
import GRDB
import Testing

/// The advisory list columns are read by a small reader with JSONDecoder behind
/// it. Whatever the text, the result must be JSONDecoder's: the same value, byte
/// for byte, or an error where JSONDecoder fails.
@Suite("stored JSON: advisory list columns read as JSONDecoder reads them")
struct StoredJSONTests {
    /// What `Advisory.encodeJSON` writes, with tricky text, is read without JSONDecoder.
    @Test func theStoredFormIsReadWithoutJSONDecoder() throws {
        var random = SeededGenerator(seed: 0x5EED_0001)
        for round in 0..<1500 {
            let strings = (0..<Int.random(in: 0...4, using: &random)).map { _ in TrickyText.string(&random) }
            let numbers = (0..<Int.random(in: 0...4, using: &random)).map { _ in Self.integer(&random) }
            let people = (0..<Int.random(in: 0...3, using: &random)).map { _ in Self.person(&random) }
            for text in try Self.encodings(strings, round: round) {
                let read = try #require(Self.direct(text) { $0.string() }, "not read directly: \(text)")
                #expect(utf8Bytes(read) == utf8Bytes(strings), "\(text)")
                #expect(utf8Bytes(try StoredJSON.strings(text)) == utf8Bytes(strings))
            }
            for text in try Self.encodings(numbers, round: round) {
                #expect(Self.direct(text) { $0.integer() } == numbers, "\(text)")
                #expect(try StoredJSON.integers(text) == numbers)
            }
            for text in try Self.encodings(people, round: round) {
                let read = try #require(Self.direct(text) { $0.person() }, "not read directly: \(text)")
                #expect(Self.bytes(read) == Self.bytes(people), "\(text)")
                #expect(Self.bytes(try StoredJSON.people(text)) == Self.bytes(people))
            }
        }
    }

    /// Damaged text (bytes deleted, inserted, swapped or repeated) gives exactly
    /// JSONDecoder's answer, and the direct reader never accepts what
    /// JSONDecoder refuses or reads differently.
    @Test func damagedTextGetsJSONDecodersAnswer() throws {
        var random = SeededGenerator(seed: 0x5EED_0002)
        var direct = 0, deferred = 0
        for _ in 0..<1200 {
            let strings = (0..<Int.random(in: 1...3, using: &random)).map { _ in TrickyText.string(&random, maxPieces: 4) }
            let numbers = (0..<Int.random(in: 1...3, using: &random)).map { _ in Self.integer(&random) }
            let people = (0..<Int.random(in: 1...2, using: &random)).map { _ in Self.person(&random) }
            for _ in 0..<4 {
                let s = Self.damaged(try Advisory.encodeJSON(strings), &random)
                Self.check(s, reader: { $0.string() }, ours: StoredJSON.strings, as: [String].self,
                           same: { utf8Bytes($0) == utf8Bytes($1) }, direct: &direct, deferred: &deferred)
                let n = Self.damaged(try Advisory.encodeJSON(numbers), &random)
                Self.check(n, reader: { $0.integer() }, ours: StoredJSON.integers, as: [Int].self,
                           same: { $0 == $1 }, direct: &direct, deferred: &deferred)
                let p = Self.damaged(try Advisory.encodeJSON(people), &random)
                Self.check(p, reader: { $0.person() }, ours: StoredJSON.people, as: [Person].self,
                           same: { Self.bytes($0) == Self.bytes($1) }, direct: &direct, deferred: &deferred)
            }
        }
        // Both paths were exercised, many times.
        #expect(direct > 1000)
        #expect(deferred > 1000)
    }

    @Test(arguments: [
        "[]", " [ ] ", "\n[\t]\r\n", "[1.0]", "[1e2]", "[1E2]", "[-0]", "[01]", "[+1]", "[1,]", "[,1]", "[1 2]",
        "[9223372036854775807]", "[9223372036854775808]", "[-9223372036854775808]", "[-9223372036854775809]",
        "[\"\\ud83d\\ude00\"]", "[\"\\uD83D\\uDE00\"]", "[\"\\ud83d\"]", "[\"\\ude00\"]", "[\"\\ud83dx\"]",
        "[\"\\u0000\"]", "[\"\\u00e9\"]", "[\"\\x\"]", "[\"\\u12\"]", "[\"a\tb\"]", "[\"a\u{1}b\"]", "[\"a\"]x",
        "[\"a\" ]", "[\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"]", "[\"unterminated]", "[\"é\"]", "[\"\u{FEFF}\"]",
        "[{\"name\":\"a\"}]", "[{\"name\":\"a\",\"name\":\"b\"}]", "[{\"name\":null}]", "[{}]", "[{\"name\":1}]",
        "[{\"contact\":null,\"name\":\"x\",\"type\":null}]", "[{\"name\":\"x\",\"extra\":1}]",
        "[{\"n\\u0061me\":\"x\"}]", "[{\"name\":\"x\",}]", "[{\"name\" \"x\"}]", "[{\"name\":\"x\"}",
        "[null]", "[true]", "null", "", " ", "[", "]", "{}", "\u{FEFF}[]", "[]\u{0}", "[\"a\"]]",
    ])
    func edgeCasesGetJSONDecodersAnswer(text: String) {
        var direct = 0, deferred = 0
        Self.check(text, reader: { $0.string() }, ours: StoredJSON.strings, as: [String].self,
                   same: { utf8Bytes($0) == utf8Bytes($1) }, direct: &direct, deferred: &deferred)
        Self.check(text, reader: { $0.integer() }, ours: StoredJSON.integers, as: [Int].self,
                   same: { $0 == $1 }, direct: &direct, deferred: &deferred)
        Self.check(text, reader: { $0.person() }, ours: StoredJSON.people, as: [Person].self,
                   same: { Self.bytes($0) == Self.bytes($1) }, direct: &direct, deferred: &deferred)
    }

    /// A character that is escaped (or, raw, refused) at every offset of short
    /// strings: the reader looks at eight bytes at a time.
    @Test func escapesAtEveryOffsetAreRead() throws {
        for special in ["\"", "\\", "\u{1}", "\u{1F}", "/", "\n", "é", "😀"] {
            for length in 0..<40 {
                for offset in 0..<max(length, 1) {
                    var characters = Array(repeating: "x", count: length)
                    if offset < length { characters[offset] = special }
                    let strings = [characters.joined(), "y"]
                    let text = try Advisory.encodeJSON(strings)
                    #expect(Self.direct(text) { $0.string() }.map(utf8Bytes) == utf8Bytes(strings), "\(text)")
                    // Unescaped, a control character is refused, as JSONDecoder refuses it.
                    let raw = "[\"" + characters.joined() + "\"]"
                    var direct = 0, deferred = 0
                    Self.check(raw, reader: { $0.string() }, ours: StoredJSON.strings, as: [String].self,
                               same: { utf8Bytes($0) == utf8Bytes($1) }, direct: &direct, deferred: &deferred)
                }
            }
        }
    }

    /// A NULL column reads as the empty list, as the column's default says.
    @Test func aMissingColumnIsAnEmptyList() throws {
        #expect(try StoredJSON.strings(nil) == [])
        #expect(try StoredJSON.integers(nil) == [])
        #expect(try StoredJSON.people(nil) == [])
    }

    /// Through SQLite, with the store's schema, reading every column by
    /// position: lists read as they did when each went through GRDB's String
    /// (which repairs invalid UTF-8 and stops at a NUL) and JSONDecoder.
    @Test(arguments: [
        #"["1.0.x","1.1.x"]"#, #"["https:\/\/x.org\/a"]"#, #" [ "a" , "b" ] "#, #"["a"]"# + "\u{0}trailing",
        #"["a"#, "", #"["\u00e9"]"#, "[\"\u{0}\"]", "[\"a\u{1}\"]",
    ].map { Array($0.utf8) } + [
        [0x5B, 0x22, 0xFF, 0x22, 0x5D], [0x5B, 0x22, 0x61, 0xC3, 0x22, 0x5D], [0x5B, 0x22, 0xE2, 0x82, 0x5C, 0x6E, 0x22, 0x5D],
        [0x5B, 0xFF, 0x5D], [0x5B, 0x22, 0x61, 0x22, 0x00, 0x2C, 0x22, 0x62, 0x22, 0x5D],
    ])
    func columnsReadAsGRDBAndJSONDecoderReadThem(bytes: [UInt8]) throws {
        let people = [
            Array(#"[{"contact":null,"name":"Jane","type":"FINDER"}]"#.utf8), Array(#"[{"name":"Jane","x":1}]"#.utf8),
            Array(#"[{"name":null}]"#.utf8), [0x5B, 0x7B, 0x22, 0x6E, 0x61, 0x6D, 0x65, 0x22, 0x3A, 0x22, 0xC0, 0x22, 0x7D, 0x5D],
        ]
        let integers = [Array("[352, 79]".utf8), Array("[1.0]".utf8), [0x5B, 0x31, 0x5D, 0x00, 0x31]]
        let cases: [(column: String, texts: [[UInt8]])] = [
            ("branches", [bytes]), ("reference_urls", [bytes]), ("cwes", [bytes] + integers),
            ("reporters", [bytes] + people), ("fixers", [bytes]), ("coordinators", [bytes]), ("credits", [bytes] + people),
        ]
        let queue = try DatabaseQueue()
        try queue.write { db in
            for name in ["m0001_init.sql", "m0002_advisories.sql"] {
                try db.execute(sql: try String(contentsOf: Self.schema.appendingPathComponent(name), encoding: .utf8))
            }
            try db.execute(sql: "INSERT INTO projects (name, repo_path, remote, package_name, created_at) VALUES ('p', '/r', 'origin', 'p', 't')")
            try db.execute(sql: """
                INSERT INTO advisories (id, year, seq, project, status, private_title, created_at, created_by, updated_at)
                VALUES ('ADV-2026-001', 2026, 1, 'p', 'draft', 'Title', 't', 'alice', 't')
                """)
        }
        for (column, texts) in cases {
            for text in texts {
                try queue.write { db in
                    try db.execute(sql: "UPDATE advisories SET \(column) = CAST(? AS TEXT)", arguments: [Data(text)])
                }
                // The JSON columns of the schema before m0008 hold any bytes; the store's own
                // lists are built by SQLite (AdvisoryItems.selection), read the same way.
                let ours = Result { try queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM advisories").map { Lists(try Advisory(row: $0)) } } }
                let before = Result { try queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM advisories").map(Lists.init) } }
                switch (ours, before) {
                case (.success(let value), .success(let expected)):
                    #expect(value == expected, "\(column) = \(text)")
                case (.failure, .failure):
                    break
                default:
                    Issue.record("\(column) = \(text): now \(ours), before \(before)")
                }
            }
            try queue.write { db in try db.execute(sql: "UPDATE advisories SET \(column) = '[]'") }
        }
    }

    static let schema = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schema")

    /// An advisory's lists, byte for byte.
    struct Lists: Equatable {
        var branches: [[UInt8]], cwes: [Int], references: [[UInt8]]
        var people: [[[[UInt8]?]]]

        init(_ advisory: Advisory) {
            branches = utf8Bytes(advisory.branches)
            cwes = advisory.cwes
            references = utf8Bytes(advisory.references)
            people = [advisory.reporters, advisory.fixers, advisory.coordinators, advisory.credits].map(StoredJSONTests.bytes)
        }

        /// As they were read before: a String from GRDB, then JSONDecoder.
        init(_ row: Row) throws {
            func decode<T: Decodable>(_ name: String, _ type: T.Type) throws -> T {
                try JSONDecoder().decode(type, from: Data(((row[name] as String?) ?? "[]").utf8))
            }
            branches = utf8Bytes(try decode("branches", [String].self))
            cwes = try decode("cwes", [Int].self)
            references = utf8Bytes(try decode("reference_urls", [String].self))
            people = try ["reporters", "fixers", "coordinators", "credits"].map { StoredJSONTests.bytes(try decode($0, [Person].self)) }
        }
    }

    // MARK: Helpers

    /// `value` as the store writes it, and, every few rounds, with whitespace
    /// and unescaped slashes, as another JSON writer might.
    static func encodings<T: Encodable>(_ value: T, round: Int) throws -> [String] {
        var result = [try Advisory.encodeJSON(value)]
        if round % 5 == 0 {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
            result.append(String(decoding: try encoder.encode(value), as: UTF8.self))
        }
        return result
    }

    /// The direct reader's answer alone: nil where it would ask JSONDecoder.
    static func direct<T>(_ text: String, _ element: (inout StoredJSONReader) -> T?) -> [T]? {
        StoredJSONReader.list(text, element)
    }

    static func check<T: Decodable>(
        _ text: String, reader: (inout StoredJSONReader) -> T?, ours: (String?) throws -> [T], as type: [T].Type,
        same: ([T], [T]) -> Bool, direct: inout Int, deferred: inout Int
    ) {
        let reference = Result { try JSONDecoder().decode(type, from: Data(text.utf8)) }
        let result = Result { try ours(text) }
        if let read = Self.direct(text, reader) {
            direct += 1
            guard case .success(let expected) = reference else {
                Issue.record("read directly, but JSONDecoder refuses: \(text.debugDescription)")
                return
            }
            #expect(same(read, expected), "\(text.debugDescription)")
        } else {
            deferred += 1
        }
        switch (result, reference) {
        case (.success(let value), .success(let expected)):
            #expect(same(value, expected), "\(text.debugDescription)")
        case (.failure, .failure):
            break
        default:
            Issue.record("\(text.debugDescription): ours \(result), JSONDecoder \(reference)")
        }
    }

    static func damaged(_ text: String, _ random: inout SeededGenerator) -> String {
        var bytes = Array(text.utf8)
        let alphabet = Array("[]{}\",:\\/ \t\n0123456789-+.eEnulltrfaxu".utf8) + [0x00, 0x01, 0x1F, 0xC3, 0xA9]
        for _ in 0..<Int.random(in: 1...2, using: &random) {
            let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes.remove(at: index)
            case 1:
                bytes.insert(alphabet[Int.random(in: alphabet.indices, using: &random)], at: index)
            case 2 where index + 1 < bytes.count:
                bytes.swapAt(index, index + 1)
            default:
                let end = min(bytes.count, index + Int.random(in: 1...8, using: &random))
                bytes.insert(contentsOf: bytes[index..<end], at: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func integer(_ random: inout SeededGenerator) -> Int {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return [0, 1, -1, Int.max, Int.min, 79, 352][Int.random(in: 0..<7, using: &random)]
        case 1: return Int.random(in: -1000...1000, using: &random)
        default: return Int.random(in: Int.min...Int.max, using: &random)
        }
    }

    static func person(_ random: inout SeededGenerator) -> Person {
        Person(name: TrickyText.string(&random),
               contact: Bool.random(using: &random) ? TrickyText.string(&random) : nil,
               type: Bool.random(using: &random) ? ["FINDER", "REPORTER", TrickyText.string(&random)][Int.random(in: 0..<3, using: &random)] : nil)
    }

    static func bytes(_ people: [Person]) -> [[[UInt8]?]] {
        people.map { [Array($0.name.utf8), $0.contact.map { Array($0.utf8) }, $0.type.map { Array($0.utf8) }] }
    }
}
