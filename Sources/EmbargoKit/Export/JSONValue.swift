/// A JSON value with a deterministic rendering, for the JSON exports.
///
/// Foundation's encoders write `"key" : value` and escape `/`, and their
/// output differs between platforms; the Drupal advisory database writes its
/// records with Python's `json.dump(indent=2)`. Rendering ourselves gives the
/// same bytes on every platform and keeps diffs against those records small.
enum JSONValue: Equatable, Sendable {
    case string(String)
    case int(Int)
    /// Written in the shortest form that reads back as the same number (`9.8`, `10.0`).
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    /// Like Python's `json.dumps(value, indent=2, sort_keys=True)` (with its
    /// default `ensure_ascii=True`), plus a final newline.
    func rendered() -> String {
        var out = ""
        write(to: &out, indent: 0)
        out += "\n"
        return out
    }

    private func write(to out: inout String, indent: Int) {
        switch self {
        case .string(let text): Self.writeString(text, to: &out)
        case .int(let value): out += String(value)
        case .number(let value): out += value.description
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (index, item) in items.enumerated() {
                out += index == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: indent + 2)
                item.write(to: &out, indent: indent + 2)
            }
            out += "\n" + String(repeating: " ", count: indent) + "]"
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            // Python sorts keys by code point; Swift's String order is by grapheme.
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (index, key) in keys.enumerated() {
                out += index == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: indent + 2)
                Self.writeString(key, to: &out)
                out += ": "
                members[key]!.write(to: &out, indent: indent + 2)
            }
            out += "\n" + String(repeating: " ", count: indent) + "}"
        }
    }

    private static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                // Everything else as \uXXXX (UTF-16, so astral characters become surrogate pairs).
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        out += "\""
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// Builds a JSON object whose optional members are left out when nil or empty.
struct JSONObject {
    private(set) var members: [String: JSONValue] = [:]

    subscript(key: String) -> JSONValue? {
        get { members[key] }
        set { members[key] = newValue }
    }

    /// Sets `key` unless `value` is nil or empty text.
    mutating func set(_ key: String, _ value: String?) {
        if let value, !value.isEmpty { members[key] = .string(value) }
    }

    /// Sets `key` unless `values` is empty.
    mutating func set(_ key: String, _ values: [JSONValue]) {
        if !values.isEmpty { members[key] = .array(values) }
    }

    var value: JSONValue { .object(members) }
}
