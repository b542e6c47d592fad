import EmbargoCrypto
import EmbargoKit
import EmbargoStore
import Foundation
import TerminalText

/// Everything the CLI writes: errors, JSON documents, tables, lines. Human
/// output goes through `TerminalText`, so text from the store, git or an
/// imported document cannot control the terminal or fake a line.
enum Terminal {
    static func report(_ error: EmbargoError) {
        diagnose("error", error.message, hint: error.hint)
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data("embargo: note: \(TerminalText.block(message, indent: "  "))\n".utf8))
    }

    static func warn(_ message: String, hint: String? = nil) {
        diagnose("warning", message, hint: hint)
    }

    /// `embargo: LABEL: message`, then `embargo: hint: ...`, on standard error.
    private static func diagnose(_ label: String, _ message: String, hint: String?) {
        var text = "embargo: \(label): \(TerminalText.block(message, indent: "  "))\n"
        if let hint { text += "embargo: hint: \(TerminalText.block(hint, indent: "  "))\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Warns that the SA of `advisory` shows placeholders (`when`: "goes public"), naming
    /// the `advisory edit` options that set the fields.
    static func warnUnset(_ fields: [UnsetField], of advisory: String, when: String) {
        guard !fields.isEmpty else { return }
        let command = "embargo advisory edit \(advisory) " + fields.map(\.option).joined(separator: " ")
        warn("the SA of \(advisory) \(when) with placeholders for: \(fields.map(\.field).joined(separator: ", "))",
             hint: "set them with '\(command)' (a change of public fields needs a new pre-release and approval)")
    }

    /// Prints human-readable text: controls escaped, lines after the first
    /// indented by `indent` (none for text that is a whole document).
    static func say(_ text: String, indent: String = "", terminator: String = "\n") {
        Swift.print(TerminalText.block(text, indent: indent), terminator: terminator)
    }

    /// Prints a document as it is (an export, a patch) when standard output is
    /// a file or a pipe, where its bytes matter; made safe on a terminal.
    static func document(_ text: String) {
        if isatty(STDOUT_FILENO) == 1 {
            Swift.print(TerminalText.block(text), terminator: "")
        } else {
            Swift.print(text, terminator: "")
        }
    }

    /// Prints `value` as a JSON document that carries `"format_version"`.
    static func printJSON<T: Encodable>(_ value: T) throws {
        var bytes = try JSONEncoder.document().encode(Versioned(payload: value))
        bytes.append(UInt8(ascii: "\n"))
        try bytes.withUnsafeBytes(writeStandardOutput)
    }

    /// Prints `{"<key>": elements, "format_version": 1}`, the bytes `printJSON`
    /// prints for it, without one JSONEncoder tree of the whole list: JSONEncoder
    /// writes the document around one placeholder element, and the elements,
    /// encoded in pieces on every CPU and indented as deep as the placeholder,
    /// take its place, written a round of pieces at a time.
    static func printJSONList<Element: Encodable & Sendable>(_ elements: [Element], under key: String) throws {
        guard !elements.isEmpty else { return try printJSON([key: elements]) }
        let encoder = JSONEncoder.document()
        let skeleton = Array(try encoder.encode(Versioned(payload: [key: [listPlaceholder]])))
        let placeholder = Array(try encoder.encode(listPlaceholder))
        guard let found = skeleton.firstRange(of: placeholder),
              let lineStart = skeleton[..<found.lowerBound].lastIndex(of: UInt8(ascii: "\n"))
        else { throw EmbargoError(.failure, "JSONEncoder wrote an unexpected form of the list document") }
        let indent = Array(skeleton[(lineStart + 1)..<found.lowerBound])

        try skeleton[..<found.lowerBound].withUnsafeBytes(writeStandardOutput)
        let pieceSize = 64
        let pieceCount = (elements.count + pieceSize - 1) / pieceSize
        let round = 16
        for first in stride(from: 0, to: pieceCount, by: round) {
            let pieces = EncodedPieces(count: min(round, pieceCount - first))
            DispatchQueue.concurrentPerform(iterations: pieces.count) { offset in
                let start = (first + offset) * pieceSize
                let range = start..<min(elements.count, start + pieceSize)
                pieces.set(offset, Result { try encodeListPiece(elements[range], indent: indent, leadingComma: start > 0) })
            }
            for offset in 0..<pieces.count { try pieces.get(offset).withUnsafeBytes(writeStandardOutput) }
        }
        try (skeleton[found.upperBound...] + [UInt8(ascii: "\n")]).withUnsafeBytes(writeStandardOutput)
    }

    /// Elements of a list as they appear in it, each after `,` and a new line
    /// but the list's first. JSON strings hold no raw line break: each one
    /// starts a line, indented but for the empty line of an empty array or object.
    private static func encodeListPiece<Element: Encodable>(_ elements: ArraySlice<Element>, indent: [UInt8], leadingComma: Bool) throws -> [UInt8] {
        let encoder = JSONEncoder.document()
        var output: [UInt8] = []
        for (index, element) in elements.enumerated() {
            if leadingComma || index > 0 {
                output += [UInt8(ascii: ","), UInt8(ascii: "\n")]
                output += indent
            }
            try encoder.encode(element).withUnsafeBytes { (encoded: UnsafeRawBufferPointer) in
                var start = 0
                while let newline = encoded[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    output += encoded[start...newline]
                    start = newline + 1
                    if start < encoded.count, encoded[start] != UInt8(ascii: "\n") { output += indent }
                }
                output += encoded[start...]
            }
        }
        return output
    }

    /// Stands for the elements in the list document; unlike any key of it.
    private static let listPlaceholder = "\u{1}elements\u{1}"

    /// Writes `bytes` to standard output, whatever it takes. A failed write (a
    /// closed pipe, a full disk) is an error, not a crash.
    static func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = write(STDOUT_FILENO, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw EmbargoError(.failure, "could not write to standard output: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Prints rows as aligned columns under a header.
    static func printTable(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows.map { $0.map(TerminalText.line) }
        let counts = all.map { $0.map(\.count) }
        let widths = header.indices.map { column in counts.map { $0[column] }.max() ?? 0 }
        for (row, count) in zip(all, counts) {
            // Padded by characters, as the widths are counted.
            let line = row.indices.map { index in
                index == row.count - 1 ? row[index] : row[index] + String(repeating: " ", count: widths[index] - count[index])
            }.joined(separator: "  ")
            print(line)
        }
    }
}

/// Input files named on the command line; `-` is standard input. Read up to
/// `limit` bytes, never more (a file may be /dev/zero or a pipe that never ends).
enum InputFile {
    /// A UTF-8 text file ('-' for standard input), without its trailing newlines.
    static func text(_ path: String) throws -> String {
        guard let text = String(validating: try read(path, limit: Limits.textBytes, what: "a text"), as: UTF8.self) else {
            throw EmbargoError(.failure, "\(path) is not UTF-8 text")
        }
        return text.trimmingCharacters(in: .newlines)
    }

    static func read(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        let bytes: [UInt8]
        if path == "-" {
            var collected: [UInt8] = []
            while collected.count <= limit {
                let chunk = FileHandle.standardInput.readData(ofLength: min(1 << 16, limit + 1 - collected.count))
                if chunk.isEmpty { break }
                collected += chunk
            }
            bytes = collected
        } else {
            guard let read = try SafeFile.read(URL(fileURLWithPath: path), limit: limit + 1) else {
                throw EmbargoError(.failure, "no file at \(path)")
            }
            bytes = read
        }
        guard bytes.count <= limit else {
            throw EmbargoError(.usage, "\(path) is larger than \(limit) bytes, the most \(what) may be",
                               hint: "is it the right file? see \"Limits\" in the README")
        }
        return bytes
    }
}

/// A JSON document: the payload's keys plus `"format_version": 1`.
struct Versioned<Payload: Encodable>: Encodable {
    let payload: Payload

    enum Keys: String, CodingKey { case formatVersion = "format_version" }

    func encode(to encoder: Encoder) throws {
        try payload.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(1, forKey: .formatVersion)
    }
}

/// Reads passphrases from `$EMBARGO_PASSPHRASE_FILE`, else from the terminal
/// with echo off. Never from the command line.
struct TerminalPassphraseProvider: PassphraseProvider {
    func passphrase(for purpose: PassphrasePurpose) throws -> SecureBytes {
        if let path = Settings.value("EMBARGO_PASSPHRASE_FILE") {
            guard var bytes = try SafeFile.read(URL(fileURLWithPath: path)) else {
                throw EmbargoError(.accessDenied, "the passphrase file \(path) does not exist",
                                   hint: "set EMBARGO_PASSPHRASE_FILE to a readable file, or unset it to type the passphrase")
            }
            defer { wipe(&bytes) }
            let line = bytes.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            guard !trimmed.isEmpty else {
                throw EmbargoError(.accessDenied, "the passphrase file \(path) is empty")
            }
            return SecureBytes(copying: Array(trimmed))
        }
        switch purpose {
        case .unlockIdentity(let path):
            return try prompt("passphrase for \(path): ")
        case .protectIdentity(let path):
            let first = try prompt("new passphrase for \(path): ")
            guard first.count > 0 else { throw EmbargoError(.failure, "the passphrase is empty") }
            let second = try prompt("repeat the passphrase: ")
            guard first == second else { throw EmbargoError(.failure, "the passphrases do not match") }
            return first
        }
    }

    private func prompt(_ text: String) throws -> SecureBytes {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            throw EmbargoError(.accessDenied, "a passphrase is needed but there is no terminal",
                               hint: "set EMBARGO_PASSPHRASE_FILE to a file holding the passphrase")
        }
        defer { close(fd) }
        var original = termios()
        tcgetattr(fd, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(fd, TCSAFLUSH, &silent)
        defer {
            tcsetattr(fd, TCSAFLUSH, &original)
            _ = write(fd, "\n", 1)
        }
        _ = text.withCString { write(fd, $0, strlen($0)) }
        var collected = [UInt8]()
        defer { wipe(&collected) }
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != 0x0A, byte != 0x0D {
            collected.append(byte)
        }
        return SecureBytes(copying: collected)
    }
}

/// The encoded pieces of one round of `printJSONList`, each set by one thread.
// @unchecked Sendable: each slot is written by one iteration of concurrentPerform
// only, and read after it has returned.
private final class EncodedPieces: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result<[UInt8], any Error>?>
    let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ result: Result<[UInt8], any Error>) { slots[index] = result }
    func get(_ index: Int) throws -> [UInt8] { try slots[index]!.get() }
}
