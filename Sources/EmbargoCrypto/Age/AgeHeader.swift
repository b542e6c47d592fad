/// One recipient stanza of an age header: `-> type arguments...` followed by a
/// base64 body. Recipients produce stanzas; identities read them.
public struct AgeStanza: Sendable, Equatable {
    public var type: String
    public var arguments: [String]
    public var body: [UInt8]

    public init(type: String, arguments: [String], body: [UInt8]) {
        self.type = type
        self.arguments = arguments
        self.body = body
    }
}

/// The parsed text header of an age file.
struct AgeHeader {
    var stanzas: [AgeStanza]
    var mac: [UInt8]
    /// The header bytes the MAC covers: everything up to and including `---`.
    var macInput: [UInt8]

    static let intro = Array("age-encryption.org/v1\n".utf8)
    static let versionPrefix = Array("age-encryption.org/".utf8)
    static let stanzaPrefix = Array("->".utf8)
    static let footerPrefix = Array("---".utf8)
    static let bytesPerLine = 48
    static let columns = 64
    /// Bounds memory on hostile input; real headers are a few hundred bytes
    /// per recipient.
    static let maxLine = 1 << 20
    static let maxHeader = 16 << 20

    static func parse(_ reader: BufferedReader) throws -> AgeHeader {
        var macInput: [UInt8] = []

        func nextLine() throws -> ArraySlice<UInt8> {
            guard let line = try reader.readLine(maxLength: maxLine) else {
                throw AgeError.headerFailure(macInput.isEmpty ? "file is empty" : "unexpected end of header")
            }
            guard line.last == 0x0A else {
                throw AgeError.headerFailure(line.count > maxLine ? "header line too long" : "unexpected end of header")
            }
            guard macInput.count + line.count <= maxHeader else { throw AgeError.headerFailure("header too large") }
            macInput += line
            return line.dropLast()
        }

        let first = try nextLine()
        guard first.elementsEqual(intro.dropLast()) else {
            throw AgeError.headerFailure(first.starts(with: versionPrefix) ? "unsupported version" : "not an age file")
        }

        var stanzas: [AgeStanza] = []
        while true {
            let line = try nextLine()
            let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
            if line.starts(with: footerPrefix) {
                guard parts.count == 2, parts[0].elementsEqual(footerPrefix) else {
                    throw AgeError.headerFailure("malformed mac line")
                }
                guard let mac = AgeBase64.decode(parts[1]), mac.count == 32 else {
                    throw AgeError.headerFailure("malformed mac")
                }
                // The MAC covers the header up to "---", not the space and MAC after it.
                macInput.removeLast(line.count + 1 - footerPrefix.count)
                return AgeHeader(stanzas: stanzas, mac: mac, macInput: macInput)
            }
            guard parts.count >= 2, parts[0].elementsEqual(stanzaPrefix) else {
                throw AgeError.headerFailure("malformed stanza line")
            }
            var arguments: [String] = []
            for part in parts.dropFirst() {
                guard isValidArgument(part) else { throw AgeError.headerFailure("invalid stanza argument") }
                arguments.append(String(decoding: part, as: UTF8.self))
            }
            var body: [UInt8] = []
            while true {
                let bodyLine = try nextLine()
                guard let piece = AgeBase64.decode(bodyLine) else {
                    throw AgeError.headerFailure(
                        bodyLine.starts(with: stanzaPrefix) || bodyLine.starts(with: footerPrefix)
                            ? "stanza does not end with a short line" : "invalid stanza body")
                }
                guard piece.count <= bytesPerLine else { throw AgeError.headerFailure("stanza body line too long") }
                body += piece
                // A body always ends with a line shorter than 64 columns, possibly empty.
                if piece.count < bytesPerLine { break }
            }
            stanzas.append(AgeStanza(type: arguments[0], arguments: Array(arguments.dropFirst()), body: body))
        }
    }

    /// Non-empty and printable ASCII without spaces.
    static func isValidArgument<C: Collection>(_ text: C) -> Bool where C.Element == UInt8 {
        !text.isEmpty && text.allSatisfy { (33...126).contains($0) }
    }

    /// The header through `---`, ready for the MAC; stanzas are checked because a
    /// third-party recipient could produce text that would not parse back.
    static func encodeWithoutMAC(_ stanzas: [AgeStanza]) throws -> [UInt8] {
        var out = intro
        for stanza in stanzas {
            let words = [stanza.type] + stanza.arguments
            guard words.allSatisfy({ isValidArgument($0.utf8) }) else {
                throw AgeError.headerFailure("recipient produced an invalid stanza")
            }
            out += stanzaPrefix
            for word in words { out += [0x20] + Array(word.utf8) }
            out.append(0x0A)
            let body = AgeBase64.encode(stanza.body)
            var offset = 0
            while body.count - offset >= columns {
                out += body[offset..<(offset + columns)]
                out.append(0x0A)
                offset += columns
            }
            out += body[offset...]
            out.append(0x0A)
        }
        return out + footerPrefix
    }
}
