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
/// Types that a document repeats thousands of times (the advisories of a
/// list) can conform to `PrettyJSONObject` and hand over their members
/// directly, skipping the Encoder machinery; the output is the same.
///
/// Tests compare its output with JSONEncoder's, byte for byte.
///
/// ```swift
/// let bytes = try PrettyJSONEncoder().encode(["id": "ADV-2026-001"])
/// String(decoding: bytes, as: UTF8.self)   // "{\n  \"id\" : \"ADV-2026-001\"\n}"
/// ```
public struct PrettyJSONEncoder: Sendable {
    public init() {}

    /// The document, whole.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try encode(value) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Hands the document to `write` in order, in pieces of at most 256 KiB, so
    /// that a large one is never held whole. Nothing is handed over if encoding
    /// fails; only an error from `write` itself stops it part way.
    public func encode<T: Encodable>(_ value: T, to write: (UnsafeRawBufferPointer) throws -> Void) throws {
        let root = TreeEncoder(context: EncodingContext(), parent: nil, level: 0, containerPath: [], key: nil)
        let node = try root.box(value, level: 0)
        if let failure = root.context.failure { throw failure }
        // Nothing at all, as opposed to a value inside that encoded nothing (`{}`).
        if case .container(let container) = node, container.kind == .empty, container.parent === root {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        // The context's bound is rarely near the limit; only then is the tree walked.
        guard root.context.deepest < JSONTreeWriter.maximumDepth || !JSONTreeWriter.tooDeep(node) else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: [], debugDescription: "Unable to encode the given top-level value to JSON.",
                underlyingError: JSONTreeWriter.TooDeep()))
        }
        try withoutActuallyEscaping(write) { write in
            var writer = JSONTreeWriter(capacity: 1 << 18, write: write)
            defer { writer.deallocate() }
            try writer.write(node, depth: 0)
            try writer.flush()
        }
    }
}

// MARK: The tree

/// Writes a value at a depth (the depth its container would be written at).
typealias JSONWrite = (inout JSONTreeWriter, Int) throws -> Void

enum JSONNode {
    case string(String)
    case integer(Int64)
    case unsigned(UInt64)
    /// Already formatted: floating-point numbers, Decimal, 128-bit integers.
    case number(String)
    case bool(Bool)
    case null
    /// An object or an array; or what a super encoder received (a single
    /// value, or nothing, which is written `{}`).
    case container(TreeEncoder)
    case strings([String])
    case integers([Int])
    /// A `PrettyJSONObject`, or an array of them: written by the closure.
    case written(JSONWrite)

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

/// Misuse that JSONEncoder stops the process for (a keyed container asked
/// for where an array was encoded, say) is reported as an error instead.
final class EncodingContext {
    var failure: EncodingError?
    /// At least as deep as the deepest container written (containers replaced
    /// by a later value under the same key count too).
    var deepest = 0

    func note(depth: Int) {
        deepest = max(deepest, depth)
    }

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

// MARK: Objects that hand over their members

/// A type that `PrettyJSONEncoder` writes without an Encoder: it hands over
/// the members its `encode(to:)` encodes, and the encoder writes them as it
/// would have written what `encode(to:)` produced. For values a document
/// repeats thousands of times; its tests must compare the result with
/// JSONEncoder's.
///
/// ```swift
/// extension Person: PrettyJSONObject {
///     public func prettyJSONMembers(into members: inout PrettyJSONMembers) {
///         members.add(CodingKeys.name.stringValue, name)
///         members.add(CodingKeys.contact.stringValue, contact)   // left out when nil
///     }
/// }
/// ```
///
/// Conform value types or final classes: a subclass that overrides
/// `encode(to:)` would still be written from its superclass's members.
/// Conform in EmbargoKit: from another module the generic `add` methods run
/// unspecialized, several times slower.
public protocol PrettyJSONObject: Encodable {
    /// Adds the members, in any order, under the keys `encode(to:)` uses.
    /// Such types nest a few levels, far from the encoder's limit of 512.
    func prettyJSONMembers(into members: inout PrettyJSONMembers)
}

/// The members of a `PrettyJSONObject`, as `encode(to:)` would encode them.
public struct PrettyJSONMembers {
    var entries: [TreeEncoder.Entry] = []

    public mutating func add(_ key: String, _ value: String) {
        entries.append(.init(key: key, value: .string(value), nested: false))
    }

    /// Nothing for nil, as `encodeIfPresent` does.
    public mutating func add(_ key: String, _ value: String?) {
        if let value { add(key, value) }
    }

    public mutating func add(_ key: String, _ value: [String]) {
        entries.append(.init(key: key, value: .strings(value), nested: false))
    }

    public mutating func add(_ key: String, _ value: [Int]) {
        entries.append(.init(key: key, value: .integers(value), nested: false))
    }

    public mutating func add<Object: PrettyJSONObject>(_ key: String, _ value: Object) {
        entries.append(.init(key: key, value: .written { writer, depth in try writer.writeObject(value, depth: depth) },
                             nested: false))
    }

    public mutating func add<Object: PrettyJSONObject>(_ key: String, _ value: [Object]) {
        entries.append(.init(key: key, value: .written { writer, depth in try writer.writeArray(value, depth: depth) },
                             nested: false))
    }
}

// MARK: Encoder

/// An encoder, and the value it received: nothing yet, one value, an
/// object's entries or an array's items.
final class TreeEncoder: Encoder {
    enum Kind { case empty, single, object, array }

    struct Entry {
        let key: String
        let value: JSONNode
        /// Made by `nestedContainer`, `nestedUnkeyedContainer` or `superEncoder`:
        /// asking again for the same kind of container under the key reuses it.
        let nested: Bool
    }

    let context: EncodingContext
    let parent: TreeEncoder?
    /// How many containers enclose the value this encoder receives.
    let level: Int
    /// Keys of nested containers between the parent encoder and this one's key.
    let containerPath: [any CodingKey]
    let key: (any CodingKey)?

    // One encoding runs on one thread, and no access to these spans another
    // (values are boxed before they are appended): the runtime's exclusivity
    // checks, a large share of the time spent building the tree, can go.
    @exclusivity(unchecked) private(set) var kind = Kind.empty
    @exclusivity(unchecked) private(set) var single = JSONNode.null
    /// In the order set; the writer sorts them and keeps the last value of a key.
    @exclusivity(unchecked) private(set) var entries: [Entry] = []
    @exclusivity(unchecked) private(set) var items: [JSONNode] = []

    init(context: EncodingContext, parent: TreeEncoder?, level: Int, containerPath: [any CodingKey], key: (any CodingKey)?) {
        self.context = context
        self.parent = parent
        self.level = level
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

    /// Makes an empty encoder an object or an array; false if it holds
    /// something else already.
    func start(_ wanted: Kind) -> Bool {
        if kind == .empty {
            kind = wanted
            context.note(depth: level + 1)
            if wanted == .object { entries.reserveCapacity(8) }
        }
        return kind == wanted
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(ObjectContainer<Key>(encoder: self, storage: storage(.object), path: []))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        ArrayContainer(encoder: self, storage: storage(.array), path: [])
    }

    /// This encoder, or a detached one after reporting the misuse.
    private func storage(_ kind: Kind) -> TreeEncoder {
        if start(kind) { return self }
        context.fail("Attempt to push new \(kind == .object ? "keyed" : "unkeyed") encoding container when already previously encoded at this path.",
                     at: codingPath)
        let detached = TreeEncoder(context: context, parent: self, level: level, containerPath: [], key: nil)
        _ = detached.start(kind)
        return detached
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }

    func set(_ node: JSONNode) {
        guard kind == .empty else {
            context.fail("Attempt to encode value through single value container when previously value already encoded.", at: codingPath)
            return
        }
        kind = .single
        single = node
    }

    func append(_ key: String, _ value: JSONNode, nested: Bool = false) {
        entries.append(Entry(key: key, value: value, nested: nested))
    }

    func append(_ item: JSONNode) {
        items.append(item)
    }

    /// The entry last set for `key`, compared as Swift compares strings, as
    /// JSONEncoder's dictionary of keys does.
    func entry(for key: String) -> Entry? {
        entries.last { $0.key == key }
    }

    private static let stringArray: Any.Type = [String].self

    /// PrettyJSONObject types nest a few levels; deeper than this, which no
    /// document comes near, their values go through `encode(to:)` so that
    /// the nesting limit is checked as for any other value.
    private static let directLevels = 256

    /// `value` as a node, for a place inside `level` containers. JSONEncoder's
    /// special types first, then a child encoder; a child that received a
    /// single value gives way to the value.
    func box<T: Encodable>(_ value: T, level: Int, containerPath: [any CodingKey] = [], key: (any CodingKey)? = nil) throws -> JSONNode {
        if T.self == String.self, let string = value as? String {
            return .string(string)
        }
        if T.self == Self.stringArray, let strings = value as? [String] {
            context.note(depth: level + 1)
            return .strings(strings)
        }
        if level < Self.directLevels, let object = value as? any PrettyJSONObject {
            context.note(depth: level + 1)
            return .written { writer, depth in try writer.writeObject(any: object, depth: depth) }
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
        let child = TreeEncoder(context: context, parent: self, level: level, containerPath: containerPath, key: key)
        try value.encode(to: child)
        switch child.kind {
        case .single: return child.single
        case .empty: context.note(depth: level + 1)
        case .object, .array: break
        }
        return .container(child)
    }
}

struct ObjectContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TreeEncoder
    /// The encoder itself, or the storage of a nested container.
    let storage: TreeEncoder
    /// Keys of the nested containers between the encoder and this one.
    let path: [any CodingKey]

    var codingPath: [any CodingKey] { encoder.codingPath + path }

    func encodeNil(forKey key: Key) throws { storage.append(key.stringValue, .null) }
    func encode(_ value: Bool, forKey key: Key) throws { storage.append(key.stringValue, .bool(value)) }
    func encode(_ value: String, forKey key: Key) throws { storage.append(key.stringValue, .string(value)) }
    func encode(_ value: Double, forKey key: Key) throws {
        storage.append(key.stringValue, try .floatingPoint(value, at: codingPath + [key]))
    }
    func encode(_ value: Float, forKey key: Key) throws {
        storage.append(key.stringValue, try .floatingPoint(value, at: codingPath + [key]))
    }
    func encode(_ value: Int, forKey key: Key) throws { storage.append(key.stringValue, .integer(Int64(value))) }
    func encode(_ value: Int8, forKey key: Key) throws { storage.append(key.stringValue, .integer(Int64(value))) }
    func encode(_ value: Int16, forKey key: Key) throws { storage.append(key.stringValue, .integer(Int64(value))) }
    func encode(_ value: Int32, forKey key: Key) throws { storage.append(key.stringValue, .integer(Int64(value))) }
    func encode(_ value: Int64, forKey key: Key) throws { storage.append(key.stringValue, .integer(value)) }
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: Int128, forKey key: Key) throws { storage.append(key.stringValue, .number(value.description)) }
    func encode(_ value: UInt, forKey key: Key) throws { storage.append(key.stringValue, .unsigned(UInt64(value))) }
    func encode(_ value: UInt8, forKey key: Key) throws { storage.append(key.stringValue, .unsigned(UInt64(value))) }
    func encode(_ value: UInt16, forKey key: Key) throws { storage.append(key.stringValue, .unsigned(UInt64(value))) }
    func encode(_ value: UInt32, forKey key: Key) throws { storage.append(key.stringValue, .unsigned(UInt64(value))) }
    func encode(_ value: UInt64, forKey key: Key) throws { storage.append(key.stringValue, .unsigned(value)) }
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: UInt128, forKey key: Key) throws { storage.append(key.stringValue, .number(value.description)) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let node = try encoder.box(value, level: storage.level + 1, containerPath: path, key: key)
        storage.append(key.stringValue, node)
    }

    /// As in JSONEncoder, a nested container asked for again under the same key
    /// is the same one; a container of the other kind, or a super encoder,
    /// under the key is an error. (A plain value under the key, which stops
    /// JSONEncoder, is replaced.)
    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(ObjectContainer<NestedKey>(encoder: encoder, storage: nested(.object, forKey: key), path: path + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ArrayContainer(encoder: encoder, storage: nested(.array, forKey: key), path: path + [key])
    }

    private func nested(_ kind: TreeEncoder.Kind, forKey key: Key) -> TreeEncoder {
        if let entry = storage.entry(for: key.stringValue), entry.nested {
            if case .container(let existing) = entry.value, existing.kind == kind {
                return existing
            }
            encoder.context.fail("For key \"\(key.stringValue)\" another container has already been created.", at: codingPath)
        }
        let nested = TreeEncoder(context: encoder.context, parent: encoder, level: storage.level + 1, containerPath: path, key: key)
        _ = nested.start(kind)
        storage.append(key.stringValue, .container(nested), nested: true)
        return nested
    }

    func superEncoder() -> any Encoder {
        superEncoder(named: JSONIndexKey.superKey)
    }

    func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(named: key)
    }

    private func superEncoder(named key: any CodingKey) -> any Encoder {
        let child = TreeEncoder(context: encoder.context, parent: encoder, level: storage.level + 1, containerPath: path, key: key)
        // Written `{}` if it receives nothing.
        encoder.context.note(depth: child.level + 1)
        storage.append(key.stringValue, .container(child), nested: true)
        return child
    }
}

/// The unkeyed and single-value containers turn every primitive into one node the same way;
/// only where the node goes differs. (Int128 and UInt128 stay in each container.)
protocol PrimitiveNodes {
    /// The path a value written now gets, for the error about a non-finite number.
    var valuePath: [any CodingKey] { get }
    func put(_ node: JSONNode)
}

extension PrimitiveNodes {
    func encodeNil() throws { put(.null) }
    func encode(_ value: Bool) throws { put(.bool(value)) }
    func encode(_ value: String) throws { put(.string(value)) }
    func encode(_ value: Double) throws { put(try .floatingPoint(value, at: valuePath)) }
    func encode(_ value: Float) throws { put(try .floatingPoint(value, at: valuePath)) }
    func encode(_ value: Int) throws { put(.integer(Int64(value))) }
    func encode(_ value: Int8) throws { put(.integer(Int64(value))) }
    func encode(_ value: Int16) throws { put(.integer(Int64(value))) }
    func encode(_ value: Int32) throws { put(.integer(Int64(value))) }
    func encode(_ value: Int64) throws { put(.integer(value)) }
    func encode(_ value: UInt) throws { put(.unsigned(UInt64(value))) }
    func encode(_ value: UInt8) throws { put(.unsigned(UInt64(value))) }
    func encode(_ value: UInt16) throws { put(.unsigned(UInt64(value))) }
    func encode(_ value: UInt32) throws { put(.unsigned(UInt64(value))) }
    func encode(_ value: UInt64) throws { put(.unsigned(value)) }
}

struct ArrayContainer: UnkeyedEncodingContainer, PrimitiveNodes {
    let encoder: TreeEncoder
    let storage: TreeEncoder
    let path: [any CodingKey]

    var codingPath: [any CodingKey] { encoder.codingPath + path }
    var count: Int { storage.items.count }

    private var nextKey: JSONIndexKey { JSONIndexKey(index: storage.items.count) }

    var valuePath: [any CodingKey] { codingPath + [nextKey] }

    func put(_ node: JSONNode) { storage.append(node) }

    /// Here, not in PrimitiveNodes: the standard library's own defaults for these would make the witness ambiguous.
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: Int128) throws { put(.number(value.description)) }
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: UInt128) throws { put(.number(value.description)) }

    func encode<T: Encodable>(_ value: T) throws {
        let node = try encoder.box(value, level: storage.level + 1, containerPath: path, key: nextKey)
        storage.append(node)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = nextKey
        let nested = TreeEncoder(context: encoder.context, parent: encoder, level: storage.level + 1, containerPath: path, key: key)
        _ = nested.start(.object)
        storage.append(.container(nested))
        return KeyedEncodingContainer(ObjectContainer<NestedKey>(encoder: encoder, storage: nested, path: path + [key]))
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = nextKey
        let nested = TreeEncoder(context: encoder.context, parent: encoder, level: storage.level + 1, containerPath: path, key: key)
        _ = nested.start(.array)
        storage.append(.container(nested))
        return ArrayContainer(encoder: encoder, storage: nested, path: path + [key])
    }

    func superEncoder() -> any Encoder {
        let child = TreeEncoder(context: encoder.context, parent: encoder, level: storage.level + 1, containerPath: path, key: nextKey)
        // Written `{}` if it receives nothing.
        encoder.context.note(depth: child.level + 1)
        storage.append(.container(child))
        return child
    }
}

struct SingleValueContainer: SingleValueEncodingContainer, PrimitiveNodes {
    let encoder: TreeEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    var valuePath: [any CodingKey] { codingPath }

    func put(_ node: JSONNode) { encoder.set(node) }

    /// Here, not in PrimitiveNodes: the standard library's own defaults for these would make the witness ambiguous.
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: Int128) throws { put(.number(value.description)) }
    @available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
    func encode(_ value: UInt128) throws { put(.number(value.description)) }

    /// The value encodes into a child encoder, whose node becomes this one's.
    func encode<T: Encodable>(_ value: T) throws {
        encoder.set(try encoder.box(value, level: encoder.level))
    }
}

// MARK: Writing

/// Writes a tree into a fixed buffer, handing it on whenever it fills.
struct JSONTreeWriter {
    struct TooDeep: Error {}

    /// JSONEncoder refuses containers nested this deep.
    static let maximumDepth = 512

    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var count = 0
    private let write: (UnsafeRawBufferPointer) throws -> Void

    init(capacity: Int, write: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        buffer = .allocate(capacity: capacity)
        self.capacity = capacity
        self.write = write
    }

    func deallocate() {
        buffer.deallocate()
    }

    mutating func flush() throws {
        guard count > 0 else { return }
        try write(UnsafeRawBufferPointer(start: buffer, count: count))
        count = 0
    }

    /// Whether containers nest `maximumDepth` deep, looking no deeper than that.
    /// A PrettyJSONObject counts as one level: it is written directly only
    /// far from the limit, and nests a few levels itself.
    static func tooDeep(_ node: JSONNode, depth: Int = 0) -> Bool {
        switch node {
        case .strings, .integers, .written: return depth + 1 >= maximumDepth
        default: break
        }
        guard case .container(let container) = node else { return false }
        switch container.kind {
        case .empty: return depth + 1 >= maximumDepth
        case .single: return tooDeep(container.single, depth: depth)
        case .array: return depth + 1 >= maximumDepth || container.items.contains { tooDeep($0, depth: depth + 1) }
        case .object: return depth + 1 >= maximumDepth || container.entries.contains { tooDeep($0.value, depth: depth + 1) }
        }
    }

    mutating func write(_ node: JSONNode, depth: Int) throws {
        switch node {
        case .string(let text): try putString(text)
        case .integer(let value): try putText(String(value))
        case .unsigned(let value): try putText(String(value))
        case .number(let text): try putText(text)
        case .bool(let value): try put(value ? "true" : "false")
        case .null: try put("null")
        case .container(let container):
            switch container.kind {
            case .empty, .object: try writeObject(container.entries, depth: depth + 1)
            case .single: try write(container.single, depth: depth)
            case .array: try writeArray(container.items, depth: depth + 1) { writer, item, depth in try writer.write(item, depth: depth) }
            }
        case .strings(let strings):
            try writeArray(strings, depth: depth + 1) { writer, text, _ in try writer.putString(text) }
        case .integers(let integers):
            try writeArray(integers, depth: depth + 1) { writer, value, _ in try writer.putText(String(value)) }
        case .written(let write):
            try write(&self, depth + 1)
        }
    }

    /// An array: the items, each on its line, written by `item`.
    private mutating func writeArray<Item>(_ items: [Item], depth: Int,
                                           _ item: (inout JSONTreeWriter, Item, Int) throws -> Void) throws {
        try put("[")
        var first = true
        for element in items {
            try separate(&first, depth: depth)
            try item(&self, element, depth)
        }
        try close(UInt8(ascii: "]"), depth: depth, empty: first)
    }

    /// A `PrettyJSONObject` at `depth`, from its members.
    mutating func writeObject<Object: PrettyJSONObject>(_ object: Object, depth: Int) throws {
        try writeMembers(depth: depth) { object.prettyJSONMembers(into: &$0) }
    }

    /// The same for a value of a type only known at run time: called through
    /// the existential, not through an unspecialized generic.
    mutating func writeObject(any object: any PrettyJSONObject, depth: Int) throws {
        try writeMembers(depth: depth) { object.prettyJSONMembers(into: &$0) }
    }

    private mutating func writeMembers(depth: Int, _ add: (inout PrettyJSONMembers) -> Void) throws {
        guard depth < Self.maximumDepth else { throw TooDeep() }
        // One members array per depth, reused from object to object.
        while scratch.count <= depth { scratch.append([]) }
        var members = PrettyJSONMembers()
        swap(&members.entries, &scratch[depth])
        add(&members)
        defer {
            members.entries.removeAll(keepingCapacity: true)
            swap(&members.entries, &scratch[depth])
        }
        try writeObject(members.entries, depth: depth)
    }

    mutating func writeArray<Object: PrettyJSONObject>(_ objects: [Object], depth: Int) throws {
        try writeArray(objects, depth: depth) { writer, object, depth in try writer.writeObject(object, depth: depth + 1) }
    }

    private var scratch: [[TreeEncoder.Entry]] = []

    private mutating func writeObject(_ entries: [TreeEncoder.Entry], depth: Int) throws {
        try put("{")
        var first = true
        if let layout = layout(of: entries) {
            try layout.keys.withUnsafeBufferPointer { keys in
                for (position, index) in layout.order.enumerated() {
                    try separate(&first, depth: depth)
                    let key = UnsafeBufferPointer(rebasing: keys[layout.keyStarts[position]..<layout.keyStarts[position + 1]])
                    try put(key.baseAddress, key.count)
                    try write(entries[index].value, depth: depth)
                }
            }
        } else {
            for (key, index) in Self.sortedThroughDictionary(entries) {
                try separate(&first, depth: depth)
                try putString(key)
                try put(" : ")
                try write(entries[index].value, depth: depth)
            }
        }
        try close(UInt8(ascii: "}"), depth: depth, empty: first)
    }

    /// How to write an object with given keys: which entries, in which order,
    /// and each key already written out as `"key" : `.
    private final class KeyLayout {
        /// The entries' keys, to recognise the next object with the same ones.
        let names: [String]
        let order: [Int]
        let keys: [UInt8]
        /// Where each written key starts in `keys`, and where the last ends.
        let keyStarts: [Int]

        init(names: [String], order: [Int]) {
            self.names = names
            self.order = order
            var keys: [UInt8] = []
            var starts = [0]
            for index in order {
                names[index].withUTF8Buffer { name in
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 6 * name.count + 5) { buffer in
                        guard let base = buffer.baseAddress else { return }
                        base[0] = UInt8(ascii: "\"")
                        var end = JSONTreeWriter.escape(name, into: base, at: 1)
                        for byte in "\" : ".utf8 {
                            base[end] = byte
                            end += 1
                        }
                        keys.append(contentsOf: UnsafeBufferPointer(start: base, count: end))
                    }
                }
                starts.append(keys.count)
            }
            self.keys = keys
            keyStarts = starts
        }
    }

    /// Layouts already worked out. The objects of a type repeat a few key
    /// sequences, and synthesized coding keys hand out the same strings each
    /// time, so most objects find theirs here without sorting or escaping.
    private var layouts: [KeyLayout] = []

    /// The layout for these entries' keys; nil if a key is not ASCII.
    private mutating func layout(of entries: [TreeEncoder.Entry]) -> KeyLayout? {
        search: for cached in layouts where cached.names.count == entries.count {
            for index in entries.indices where !Self.identical(cached.names[index], entries[index].key) { continue search }
            return cached
        }
        guard let order = Self.sortedASCIIKeys(entries) else { return nil }
        let layout = KeyLayout(names: entries.map(\.key), order: order)
        if layouts.count == 16 { layouts.removeFirst() }
        layouts.append(layout)
        return layout
    }

    /// Whether two strings have the same representation, which makes them the
    /// same text (and storage a cached array keeps alive cannot change). Equal
    /// texts stored apart compare unequal here; that only costs a sort.
    private static func identical(_ a: String, _ b: String) -> Bool {
        withUnsafeBytes(of: a) { a in
            withUnsafeBytes(of: b) { b in
                guard let x = a.baseAddress, let y = b.baseAddress else { return false }
                return memcmp(x, y, MemoryLayout<String>.size) == 0
            }
        }
    }

    /// `,` before all but the first element, then a new line and the indent
    /// (JSONEncoder's new line after the opening bracket, for the first).
    private mutating func separate(_ first: inout Bool, depth: Int) throws {
        try reserve(2 + 2 * depth)
        if !first {
            buffer[count] = UInt8(ascii: ",")
            count += 1
        }
        first = false
        buffer[count] = UInt8(ascii: "\n")
        (buffer + count + 1).update(repeating: UInt8(ascii: " "), count: 2 * depth)
        count += 1 + 2 * depth
    }

    /// A new line, the indent of the level above, and `bracket`; an empty
    /// container keeps the new line after its opening bracket too.
    private mutating func close(_ bracket: UInt8, depth: Int, empty: Bool) throws {
        if empty { try put("\n") }
        try reserve(2 * depth)
        buffer[count] = UInt8(ascii: "\n")
        (buffer + count + 1).update(repeating: UInt8(ascii: " "), count: 2 * (depth - 1))
        buffer[count + 2 * depth - 1] = bracket
        count += 2 * depth
    }

    /// The indexes of the entries in key order, the last entry of each key
    /// only; nil if a key is not ASCII.
    ///
    /// Keys are sorted by their UTF-8 bytes. For ASCII keys that is also where
    /// Swift's string equality, which JSONEncoder's dictionary of keys uses,
    /// holds two keys equal.
    private static func sortedASCIIKeys(_ entries: [TreeEncoder.Entry]) -> [Int]? {
        var keys: [SortKey] = []
        keys.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            guard let key = SortKey(entry.key, index: index) else { return nil }
            keys.append(key)
        }
        keys.sort { $0.precedes($1, in: entries) }
        var order: [Int] = []
        order.reserveCapacity(keys.count)
        for position in keys.indices {
            // Of a run of equal keys, the last set wins.
            if position + 1 < keys.count, keys[position + 1].sameKey(as: keys[position], in: entries) { continue }
            order.append(keys[position].index)
        }
        return order
    }

    /// An entry's place in the sort: its first eight bytes as a number, which
    /// decide nearly every comparison, its length and where it was set.
    private struct SortKey {
        let prefix: UInt64
        let length: Int
        let index: Int

        /// Nil for a key that is not ASCII.
        init?(_ key: String, index: Int) {
            let found = key.withUTF8Buffer { bytes -> (prefix: UInt64, ascii: Bool)? in
                guard let base = bytes.baseAddress else { return (0, true) }
                var position = 0
                var bits: UInt64 = 0
                while bytes.count - position >= 8 {
                    bits |= UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
                    position += 8
                }
                while position < bytes.count {
                    bits |= UInt64(base[position])
                    position += 1
                }
                var prefix: UInt64 = 0
                if bytes.count >= 8 {
                    prefix = UInt64(bigEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt64.self))
                } else {
                    for position in 0..<bytes.count { prefix |= UInt64(base[position]) << (56 - 8 * position) }
                }
                return (prefix, bits & 0x8080_8080_8080_8080 == 0)
            }
            guard let found, found.ascii else { return nil }
            prefix = found.prefix
            length = key.utf8.count
            self.index = index
        }

        func sameKey(as other: SortKey, in entries: [TreeEncoder.Entry]) -> Bool {
            prefix == other.prefix && length == other.length
                && (length <= 8 || entries[index].key.utf8.elementsEqual(entries[other.index].key.utf8))
        }

        func precedes(_ other: SortKey, in entries: [TreeEncoder.Entry]) -> Bool {
            if prefix != other.prefix { return prefix < other.prefix }
            if sameKey(as: other, in: entries) { return index < other.index }
            return entries[index].key.utf8.lexicographicallyPrecedes(entries[other.index].key.utf8)
        }
    }

    /// JSONEncoder's way: a Swift dictionary, where canonically equivalent
    /// keys ("é" and "e\u{301}") are one, sorted by UTF-8 bytes.
    private static func sortedThroughDictionary(_ entries: [TreeEncoder.Entry]) -> [(key: String, index: Int)] {
        var dictionary: [String: Int] = [:]
        for (index, entry) in entries.enumerated() { dictionary[entry.key] = index }
        return dictionary.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) }
    }

    // MARK: Bytes

    /// Room for `length` more bytes, handing the buffer on if needed. At most `capacity`.
    @inline(__always)
    private mutating func reserve(_ length: Int) throws {
        if count + length > capacity { try flush() }
    }

    private mutating func put(_ text: StaticString) throws {
        try put(text.utf8Start, text.utf8CodeUnitCount)
    }

    private mutating func putText(_ text: String) throws {
        try text.withUTF8Buffer { try put($0.baseAddress, $0.count) }
    }

    private mutating func put(_ source: UnsafePointer<UInt8>?, _ length: Int) throws {
        guard let source, length > 0 else { return }
        if length > capacity {
            try flush()
            try write(UnsafeRawBufferPointer(start: source, count: length))
            return
        }
        try reserve(length)
        (buffer + count).update(from: source, count: length)
        count += length
    }

    /// `"text"`, escaping `"`, `\` and control characters only, as JSONEncoder does.
    private mutating func putString(_ text: String) throws {
        try text.withUTF8Buffer { bytes in
            // Most strings fit whole, escapes (at most six bytes for one) and quotes included.
            if 6 * bytes.count + 2 <= capacity {
                try reserve(6 * bytes.count + 2)
                buffer[count] = UInt8(ascii: "\"")
                count = Self.escape(bytes, into: buffer, at: count + 1)
                buffer[count] = UInt8(ascii: "\"")
                count += 1
                return
            }
            try put("\"")
            var start = 0
            while start < bytes.count {
                // Pieces of capacity / 6 bytes, each one fitting the buffer escaped.
                let end = min(bytes.count, start + (capacity - 2) / 6)
                try reserve(6 * (end - start))
                count = Self.escape(UnsafeBufferPointer(rebasing: bytes[start..<end]), into: buffer, at: count)
                start = end
            }
            try put("\"")
        }
    }

    /// Copies `bytes` to `output` from `offset`, escaped; returns the end.
    /// `output` must have room for six bytes per input byte.
    static func escape(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>, at offset: Int) -> Int {
        guard let base = bytes.baseAddress else { return offset }
        var input = base
        let end = base + bytes.count
        var out = offset
        // Eight bytes at a time while none needs escaping. Each store fits:
        // eight or more input bytes remain, with room for six output bytes each.
        while end - input >= 8 {
            let word = UnsafeRawPointer(input).loadUnaligned(as: UInt64.self)
            if !JSONBytes.mayNeedEscape(word) {
                UnsafeMutableRawPointer(output + out).storeBytes(of: word, as: UInt64.self)
                out += 8
                input += 8
                continue
            }
            for _ in 0..<8 {
                out = escapeByte(input.pointee, into: output, at: out)
                input += 1
            }
        }
        // The rest: in one copy if the last eight bytes of a long enough
        // string need no escape, else byte by byte.
        let rest = end - input
        if rest > 0, bytes.count >= 8, !JSONBytes.mayNeedEscape(UnsafeRawPointer(end - 8).loadUnaligned(as: UInt64.self)) {
            (output + out).update(from: input, count: rest)
            return out + rest
        }
        while input < end {
            out = escapeByte(input.pointee, into: output, at: out)
            input += 1
        }
        return out
    }

    @inline(__always)
    private static func escapeByte(_ byte: UInt8, into output: UnsafeMutablePointer<UInt8>, at offset: Int) -> Int {
        guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
            output[offset] = byte
            return offset + 1
        }
        return putEscape(byte, into: output, at: offset)
    }

    private static func putEscape(_ byte: UInt8, into output: UnsafeMutablePointer<UInt8>, at offset: Int) -> Int {
        let named: UInt8
        switch byte {
        case UInt8(ascii: "\""): named = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): named = UInt8(ascii: "\\")
        case 0x08: named = UInt8(ascii: "b")
        case 0x0C: named = UInt8(ascii: "f")
        case 0x0A: named = UInt8(ascii: "n")
        case 0x0D: named = UInt8(ascii: "r")
        case 0x09: named = UInt8(ascii: "t")
        default:
            let hex: StaticString = "0123456789abcdef"
            output[offset] = UInt8(ascii: "\\")
            output[offset + 1] = UInt8(ascii: "u")
            output[offset + 2] = UInt8(ascii: "0")
            output[offset + 3] = UInt8(ascii: "0")
            output[offset + 4] = hex.utf8Start[Int(byte >> 4)]
            output[offset + 5] = hex.utf8Start[Int(byte & 0x0F)]
            return offset + 6
        }
        output[offset] = UInt8(ascii: "\\")
        output[offset + 1] = named
        return offset + 2
    }
}

/// JSON's byte-level tests, eight bytes at a time.
enum JSONBytes {
    /// False only if none of the eight bytes is a control character, `"` or `\`
    /// (the classic "has a byte less than n" and "has a zero byte" tests).
    @inline(__always)
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zero = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash) & highs
        return control | zero != 0
    }
}
