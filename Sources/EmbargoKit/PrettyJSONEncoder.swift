import Foundation

/// Writes `Encodable` values as JSON, byte for byte as `JSONEncoder` does with
/// `outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]`
/// and its default strategies: the format of every JSON document the CLI prints.
///
/// JSONEncoder took 0.6 s to write the 28 MB of `advisory list --json` at
/// 10,000 advisories; this encoder builds a plainer tree and writes it in one
/// pass. It follows JSONEncoder's rules:
/// - keys sorted by their UTF-8 bytes, written `"key" : value`; a key set twice
///   keeps its last value; a nested container asked for again under the same
///   key is the same container;
/// - two spaces of indent per level; an empty array or object keeps its two
///   line breaks (`[`, empty line, indented `]`);
/// - strings escape `"`, `\` and control characters (`\b \f \n \r \t`, the
///   others as `\u00xx`), and nothing else: not `/`, DEL or non-ASCII;
/// - integers in decimal; floating-point numbers as their `description`
///   without a trailing `.0`; NaN and infinities are refused;
/// - `Data` as Base64, `URL` as its absolute string, `Decimal` as its
///   description; `Date` encodes itself (seconds since 2001);
/// - a value that encodes nothing is `{}` (at the top, an error); containers
///   nested 512 deep are refused.
///
/// Tests compare its output with JSONEncoder's, byte for byte.
///
/// ```swift
/// let bytes = try PrettyJSONEncoder().encode(["id": "ADV-2026-001"])
/// String(decoding: bytes, as: UTF8.self)   // "{\n  \"id\" : \"ADV-2026-001\"\n}"
/// ```
public struct PrettyJSONEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = TreeEncoder(context: EncodingContext(), parent: nil, containerPath: [], key: nil)
        let node = try root.box(value)
        if let failure = root.context.failure { throw failure }
        guard let node else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        var writer = JSONTreeWriter()
        do {
            try writer.write(node, depth: 0)
        } catch let error as JSONTreeWriter.TooDeep {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: [], debugDescription: "Unable to encode the given top-level value to JSON.", underlyingError: error))
        }
        return writer.bytes
    }
}

// MARK: The tree

enum JSONNode {
    case string(String)
    case integer(Int64)
    case unsigned(UInt64)
    /// Already formatted: floating-point numbers, Decimal, 128-bit integers.
    case number(String)
    case bool(Bool)
    case null
    case array(JSONArrayBox)
    case object(JSONObjectBox)
    /// A super encoder's value, known once it has been used: `{}` if it encodes nothing.
    case deferred(TreeEncoder)

    static func floatingPoint<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F, at path: @autoclosure () -> [any CodingKey]) throws -> JSONNode {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: path(), debugDescription: "Unable to encode \(F.self).\(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }
}

final class JSONArrayBox {
    var items: [JSONNode] = []
}

final class JSONObjectBox {
    /// In the order set; the writer sorts them and keeps the last value of a key.
    var entries: [Entry] = []

    struct Entry {
        let key: String
        let value: JSONNode
        /// Made by `nestedContainer`, `nestedUnkeyedContainer` or `superEncoder`:
        /// asking again for the same kind of container under the key reuses it.
        let nested: Bool
    }

    func set(_ key: String, _ value: JSONNode, nested: Bool = false) {
        entries.append(Entry(key: key, value: value, nested: nested))
    }

    /// The entry last set for `key`, compared as Swift compares strings, as
    /// JSONEncoder's dictionary of keys does.
    func entry(for key: String) -> Entry? {
        entries.last { $0.key == key }
    }
}

/// Misuse that JSONEncoder stops the process for (a keyed container asked
/// for where an array was encoded, say) is reported as an error instead.
final class EncodingContext {
    var failure: EncodingError?

    func fail(_ message: String, at path: [any CodingKey]) {
        if failure == nil {
            failure = EncodingError.invalidValue(message, EncodingError.Context(codingPath: path, debugDescription: message))
        }
    }
}

struct JSONIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { intValue.map { "Index \($0)" } ?? "super" }

    init(index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { return nil }
    private init() { intValue = nil }

    static let superKey = JSONIndexKey()
}

// MARK: Encoder

final class TreeEncoder: Encoder {
    let context: EncodingContext
    let parent: TreeEncoder?
    /// Keys of nested containers between the parent encoder and this one's key.
    let containerPath: [any CodingKey]
    let key: (any CodingKey)?
    var node: JSONNode?

    init(context: EncodingContext, parent: TreeEncoder?, containerPath: [any CodingKey], key: (any CodingKey)?) {
        self.context = context
        self.parent = parent
        self.containerPath = containerPath
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var path = parent?.codingPath ?? []
        path += containerPath
        if let key { path.append(key) }
        return path
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: JSONObjectBox
        switch node {
        case .object(let existing)?:
            object = existing
        case nil:
            object = JSONObjectBox()
            node = .object(object)
        default:
            context.fail("Attempt to push new keyed encoding container when already previously encoded at this path.", at: codingPath)
            object = JSONObjectBox()
        }
        return KeyedEncodingContainer(ObjectContainer<Key>(encoder: self, object: object, path: []))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: JSONArrayBox
        switch node {
        case .array(let existing)?:
            array = existing
        case nil:
            array = JSONArrayBox()
            node = .array(array)
        default:
            context.fail("Attempt to push new unkeyed encoding container when already previously encoded at this path.", at: codingPath)
            array = JSONArrayBox()
        }
        return ArrayContainer(encoder: self, array: array, path: [])
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }

    /// `value` as a node; nil if it encoded nothing. JSONEncoder's special
    /// types first, then a child encoder for anything else.
    func box<T: Encodable>(_ value: T, containerPath: [any CodingKey] = [], key: (any CodingKey)? = nil) throws -> JSONNode? {
        if T.self == String.self, let string = value as? String {
            return .string(string)
        }
        if T.self == [String].self, let strings = value as? [String] {
            let array = JSONArrayBox()
            array.items = strings.map(JSONNode.string)
            return .array(array)
        }
        if T.self == Data.self, let data = value as? Data {
            return .string(data.base64EncodedString())
        }
        if T.self == URL.self, let url = value as? URL {
            return .string(url.absoluteString)
        }
        if T.self == Decimal.self, let decimal = value as? Decimal {
            return .number(decimal.description)
        }
        let child = TreeEncoder(context: context, parent: self, containerPath: containerPath, key: key)
        try value.encode(to: child)
        return child.node
    }
}

struct ObjectContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TreeEncoder
    let object: JSONObjectBox
    /// Keys of the nested containers between the encoder and this one.
    let path: [any CodingKey]

    var codingPath: [any CodingKey] { encoder.codingPath + path }

    func encodeNil(forKey key: Key) throws { object.set(key.stringValue, .null) }
    func encode(_ value: Bool, forKey key: Key) throws { object.set(key.stringValue, .bool(value)) }
    func encode(_ value: String, forKey key: Key) throws { object.set(key.stringValue, .string(value)) }
    func encode(_ value: Double, forKey key: Key) throws {
        object.set(key.stringValue, try .floatingPoint(value, at: codingPath + [key]))
    }
    func encode(_ value: Float, forKey key: Key) throws {
        object.set(key.stringValue, try .floatingPoint(value, at: codingPath + [key]))
    }
    func encode(_ value: Int, forKey key: Key) throws { object.set(key.stringValue, .integer(Int64(value))) }
    func encode(_ value: Int8, forKey key: Key) throws { object.set(key.stringValue, .integer(Int64(value))) }
    func encode(_ value: Int16, forKey key: Key) throws { object.set(key.stringValue, .integer(Int64(value))) }
    func encode(_ value: Int32, forKey key: Key) throws { object.set(key.stringValue, .integer(Int64(value))) }
    func encode(_ value: Int64, forKey key: Key) throws { object.set(key.stringValue, .integer(value)) }
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: Int128, forKey key: Key) throws { object.set(key.stringValue, .number(value.description)) }
    func encode(_ value: UInt, forKey key: Key) throws { object.set(key.stringValue, .unsigned(UInt64(value))) }
    func encode(_ value: UInt8, forKey key: Key) throws { object.set(key.stringValue, .unsigned(UInt64(value))) }
    func encode(_ value: UInt16, forKey key: Key) throws { object.set(key.stringValue, .unsigned(UInt64(value))) }
    func encode(_ value: UInt32, forKey key: Key) throws { object.set(key.stringValue, .unsigned(UInt64(value))) }
    func encode(_ value: UInt64, forKey key: Key) throws { object.set(key.stringValue, .unsigned(value)) }
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: UInt128, forKey key: Key) throws { object.set(key.stringValue, .number(value.description)) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.set(key.stringValue, try encoder.box(value, containerPath: path, key: key) ?? .object(JSONObjectBox()))
    }

    /// As in JSONEncoder, a nested container asked for again under the same key
    /// is the same one; a value under the key is replaced; a container of the
    /// other kind, or a super encoder, is an error.
    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        var nested = JSONObjectBox()
        switch object.entry(for: key.stringValue) {
        case let entry? where entry.nested:
            if case .object(let existing) = entry.value {
                nested = existing
            } else {
                encoder.context.fail("For key \"\(key.stringValue)\" another container has already been created.", at: codingPath)
            }
        default:
            object.set(key.stringValue, .object(nested), nested: true)
        }
        return KeyedEncodingContainer(ObjectContainer<NestedKey>(encoder: encoder, object: nested, path: path + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        var nested = JSONArrayBox()
        switch object.entry(for: key.stringValue) {
        case let entry? where entry.nested:
            if case .array(let existing) = entry.value {
                nested = existing
            } else {
                encoder.context.fail("For key \"\(key.stringValue)\" another container has already been created.", at: codingPath)
            }
        default:
            object.set(key.stringValue, .array(nested), nested: true)
        }
        return ArrayContainer(encoder: encoder, array: nested, path: path + [key])
    }

    func superEncoder() -> any Encoder {
        superEncoder(named: JSONIndexKey.superKey)
    }

    func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(named: key)
    }

    private func superEncoder(named key: any CodingKey) -> any Encoder {
        let child = TreeEncoder(context: encoder.context, parent: encoder, containerPath: path, key: key)
        object.set(key.stringValue, .deferred(child), nested: true)
        return child
    }
}

struct ArrayContainer: UnkeyedEncodingContainer {
    let encoder: TreeEncoder
    let array: JSONArrayBox
    let path: [any CodingKey]

    var codingPath: [any CodingKey] { encoder.codingPath + path }
    var count: Int { array.items.count }

    private var nextKey: JSONIndexKey { JSONIndexKey(index: array.items.count) }

    func encodeNil() throws { array.items.append(.null) }
    func encode(_ value: Bool) throws { array.items.append(.bool(value)) }
    func encode(_ value: String) throws { array.items.append(.string(value)) }
    func encode(_ value: Double) throws { array.items.append(try .floatingPoint(value, at: codingPath + [nextKey])) }
    func encode(_ value: Float) throws { array.items.append(try .floatingPoint(value, at: codingPath + [nextKey])) }
    func encode(_ value: Int) throws { array.items.append(.integer(Int64(value))) }
    func encode(_ value: Int8) throws { array.items.append(.integer(Int64(value))) }
    func encode(_ value: Int16) throws { array.items.append(.integer(Int64(value))) }
    func encode(_ value: Int32) throws { array.items.append(.integer(Int64(value))) }
    func encode(_ value: Int64) throws { array.items.append(.integer(value)) }
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: Int128) throws { array.items.append(.number(value.description)) }
    func encode(_ value: UInt) throws { array.items.append(.unsigned(UInt64(value))) }
    func encode(_ value: UInt8) throws { array.items.append(.unsigned(UInt64(value))) }
    func encode(_ value: UInt16) throws { array.items.append(.unsigned(UInt64(value))) }
    func encode(_ value: UInt32) throws { array.items.append(.unsigned(UInt64(value))) }
    func encode(_ value: UInt64) throws { array.items.append(.unsigned(value)) }
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: UInt128) throws { array.items.append(.number(value.description)) }

    func encode<T: Encodable>(_ value: T) throws {
        let node = try encoder.box(value, containerPath: path, key: nextKey)
        array.items.append(node ?? .object(JSONObjectBox()))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONObjectBox()
        let key = nextKey
        array.items.append(.object(nested))
        return KeyedEncodingContainer(ObjectContainer<NestedKey>(encoder: encoder, object: nested, path: path + [key]))
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = JSONArrayBox()
        let key = nextKey
        array.items.append(.array(nested))
        return ArrayContainer(encoder: encoder, array: nested, path: path + [key])
    }

    func superEncoder() -> any Encoder {
        let child = TreeEncoder(context: encoder.context, parent: encoder, containerPath: path, key: nextKey)
        array.items.append(.deferred(child))
        return child
    }
}

struct SingleValueContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ node: JSONNode) {
        guard encoder.node == nil else {
            encoder.context.fail("Attempt to encode value through single value container when previously value already encoded.",
                                 at: codingPath)
            return
        }
        encoder.node = node
    }

    func encodeNil() throws { set(.null) }
    func encode(_ value: Bool) throws { set(.bool(value)) }
    func encode(_ value: String) throws { set(.string(value)) }
    func encode(_ value: Double) throws { set(try .floatingPoint(value, at: codingPath)) }
    func encode(_ value: Float) throws { set(try .floatingPoint(value, at: codingPath)) }
    func encode(_ value: Int) throws { set(.integer(Int64(value))) }
    func encode(_ value: Int8) throws { set(.integer(Int64(value))) }
    func encode(_ value: Int16) throws { set(.integer(Int64(value))) }
    func encode(_ value: Int32) throws { set(.integer(Int64(value))) }
    func encode(_ value: Int64) throws { set(.integer(value)) }
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: Int128) throws { set(.number(value.description)) }
    func encode(_ value: UInt) throws { set(.unsigned(UInt64(value))) }
    func encode(_ value: UInt8) throws { set(.unsigned(UInt64(value))) }
    func encode(_ value: UInt16) throws { set(.unsigned(UInt64(value))) }
    func encode(_ value: UInt32) throws { set(.unsigned(UInt64(value))) }
    func encode(_ value: UInt64) throws { set(.unsigned(value)) }
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: UInt128) throws { set(.number(value.description)) }

    /// The value encodes into a child encoder, whose node becomes this one's.
    func encode<T: Encodable>(_ value: T) throws {
        set(try encoder.box(value) ?? .object(JSONObjectBox()))
    }
}

// MARK: Writing

struct JSONTreeWriter {
    struct TooDeep: Error {}

    /// JSONEncoder's limit.
    static let maximumDepth = 512

    var bytes: [UInt8] = []

    mutating func write(_ node: JSONNode, depth: Int) throws {
        switch node {
        case .string(let text): writeString(text)
        case .integer(let value): writeNumber(String(value))
        case .unsigned(let value): writeNumber(String(value))
        case .number(let text): writeNumber(text)
        case .bool(let value): append(value ? "true" : "false")
        case .null: append("null")
        case .array(let array): try writeArray(array.items, depth: depth + 1)
        case .object(let object): try writeObject(object, depth: depth + 1)
        case .deferred(let encoder): try write(encoder.node ?? .object(JSONObjectBox()), depth: depth)
        }
    }

    private mutating func writeArray(_ items: [JSONNode], depth: Int) throws {
        guard depth < Self.maximumDepth else { throw TooDeep() }
        append("[\n")
        for (index, item) in items.enumerated() {
            if index > 0 { append(",\n") }
            indent(depth)
            try write(item, depth: depth)
        }
        append("\n")
        indent(depth - 1)
        append("]")
    }

    private mutating func writeObject(_ object: JSONObjectBox, depth: Int) throws {
        guard depth < Self.maximumDepth else { throw TooDeep() }
        append("{\n")
        for (index, entry) in Self.sorted(object.entries).enumerated() {
            if index > 0 { append(",\n") }
            indent(depth)
            writeString(entry.key)
            append(" : ")
            try write(entry.value, depth: depth)
        }
        append("\n")
        indent(depth - 1)
        append("}")
    }

    /// The entries by key, sorted by UTF-8 bytes, the last value of each key.
    ///
    /// JSONEncoder keeps an object's keys in a Swift dictionary, where keys
    /// that are canonically equivalent ("é" and "e\u{301}") are one key. With
    /// ASCII keys, as nearly always, that is byte equality and a sort does;
    /// otherwise the entries go through a dictionary as in JSONEncoder.
    static func sorted(_ entries: [JSONObjectBox.Entry]) -> [(key: String, value: JSONNode)] {
        guard entries.allSatisfy({ $0.key.utf8.allSatisfy { $0 < 0x80 } }) else {
            var dictionary: [String: JSONNode] = [:]
            for entry in entries { dictionary[entry.key] = entry.value }
            return dictionary.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) }
        }
        let order = entries.indices.sorted { left, right in
            let (a, b) = (entries[left].key, entries[right].key)
            if a.utf8.elementsEqual(b.utf8) { return left < right }
            return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        var result: [(key: String, value: JSONNode)] = []
        result.reserveCapacity(order.count)
        for (position, index) in order.enumerated() {
            // Of a run of equal keys, the last set wins.
            if position + 1 < order.count, entries[order[position + 1]].key.utf8.elementsEqual(entries[index].key.utf8) { continue }
            result.append((entries[index].key, entries[index].value))
        }
        return result
    }

    private mutating func indent(_ depth: Int) {
        for _ in 0..<depth { append("  ") }
    }

    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func writeNumber(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0x00..<0x20:
                append("\\u00")
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0x0F)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)
}
