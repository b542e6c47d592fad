import COpenSSL
import Foundation

/// The ASCII armor of age files: PEM-like, type `AGE ENCRYPTED FILE`, no
/// headers, standard padded base64 in 64-column lines, strict everywhere except
/// that whitespace around the whole block and CRLF line ends are tolerated.
///
/// `Age.decrypt` recognises armor by itself; these helpers are for callers that
/// handle armored text directly.
///
/// ```swift
/// let text = AgeArmor.encode(binaryAgeFile)
/// let binary = try AgeArmor.decode(text)
/// ```
public enum AgeArmor {
    public static let header = "-----BEGIN AGE ENCRYPTED FILE-----"
    public static let footer = "-----END AGE ENCRYPTED FILE-----"

    static let headerBytes = Array(header.utf8)
    static let footerBytes = Array(footer.utf8)
    static let columns = 64
    static let bytesPerLine = 48
    /// Whitespace tolerated before and after the armor, as in the reference
    /// implementation.
    static let maxWhitespace = 1024

    /// Armors `data` exactly as `age -a` does.
    public static func encode<D: ContiguousBytes>(_ data: D) -> [UInt8] {
        data.withUnsafeBytes { raw in
            let lines = (raw.count + bytesPerLine - 1) / bytesPerLine
            let sink = ArraySink(reserving: headerBytes.count + footerBytes.count + 2 + lines * (columns + 1))
            let encoder = ArmorEncoder(sink)
            // Writing to memory cannot fail.
            try? encoder.write(raw)
            try? encoder.finish()
            return sink.bytes
        }
    }

    /// Removes the armor; throws `AgeError.armorFailure` if it is malformed.
    public static func decode<D: ContiguousBytes>(_ armored: D) throws -> [UInt8] {
        try armored.withUnsafeBytes { raw in
            let decoder = ArmorDecoder(BufferedReader(RawBufferSource(raw)))
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try decoder.read(into: $0) }
                if n == 0 { break }
                out.append(contentsOf: chunk[0..<n])
            }
            return out
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}

/// Encodes to armor as data arrives; `finish` writes the last line and footer.
final class ArmorEncoder: ByteSink {
    private let sink: any ByteSink
    private var started = false
    private var partial = [UInt8](repeating: 0, count: AgeArmor.bytesPerLine)
    private var partialCount = 0
    private let output: UnsafeMutableRawBufferPointer
    private var outputCount = 0
    private static let outputCapacity = 1024 * (AgeArmor.columns + 1)

    init(_ sink: any ByteSink) {
        self.sink = sink
        output = .allocate(byteCount: Self.outputCapacity, alignment: 16)
    }

    deinit { output.deallocate() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try start()
        var offset = 0
        if partialCount > 0 {
            let take = min(AgeArmor.bytesPerLine - partialCount, bytes.count)
            partial.withUnsafeMutableBytes { p in
                UnsafeMutableRawBufferPointer(rebasing: p[partialCount..<(partialCount + take)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
            }
            partialCount += take
            offset = take
            guard partialCount == AgeArmor.bytesPerLine else { return }
            try partial.withUnsafeBytes { try emitLine($0) }
            partialCount = 0
        }
        while bytes.count - offset >= AgeArmor.bytesPerLine {
            try emitLine(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + AgeArmor.bytesPerLine)]))
            offset += AgeArmor.bytesPerLine
        }
        let rest = bytes.count - offset
        if rest > 0 {
            partial.withUnsafeMutableBytes { p in
                UnsafeMutableRawBufferPointer(rebasing: p[0..<rest])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            }
            partialCount = rest
        }
    }

    /// Writes the final short line (if any) and the footer. A payload that fills
    /// its last line exactly gets no empty line before the footer.
    func finish() throws {
        try start()
        if partialCount > 0 {
            try partial.withUnsafeBytes { try emitLine(UnsafeRawBufferPointer(rebasing: $0[0..<partialCount])) }
            partialCount = 0
        }
        try append(AgeArmor.footerBytes + [0x0A])
        try flush()
    }

    private func start() throws {
        guard !started else { return }
        started = true
        try append(AgeArmor.headerBytes + [0x0A])
    }

    private func emitLine(_ line: UnsafeRawBufferPointer) throws {
        if outputCount + AgeArmor.columns + 1 > output.count { try flush() }
        let target = UnsafeMutableRawBufferPointer(rebasing: output[outputCount...])
        let n = AgeBase64.encode(line, into: target, padded: true)
        target[n] = 0x0A
        outputCount += n + 1
    }

    private func append(_ bytes: [UInt8]) throws {
        if outputCount + bytes.count > output.count { try flush() }
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawBufferPointer(rebasing: output[outputCount..<(outputCount + source.count)])
                .copyMemory(from: source)
        }
        outputCount += bytes.count
    }

    private func flush() throws {
        guard outputCount > 0 else { return }
        try sink.write(UnsafeRawBufferPointer(rebasing: output[0..<outputCount]))
        outputCount = 0
    }
}

/// Decodes armor as the decrypter reads, so memory stays bounded for large
/// files. Any error is an `AgeError.armorFailure` and is sticky.
final class ArmorDecoder: ByteSource {
    private enum State { case beforeHeader, body, finished }

    private let input: BufferedReader
    private var state = State.beforeHeader
    private var failure: AgeError?
    private var pending = [UInt8](repeating: 0, count: AgeArmor.bytesPerLine)
    private var pendingStart = 0
    private var pendingEnd = 0
    /// Long enough for any valid line plus CRLF; longer lines are rejected
    /// without being buffered whole.
    private static let maxLine = AgeArmor.maxWhitespace + 2

    init(_ input: BufferedReader) { self.input = input }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let failure { throw failure }
        do {
            return try decode(into: buffer)
        } catch let error as AgeError {
            failure = error
            throw error
        }
    }

    private func decode(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var written = 0
        while written < buffer.count {
            if pendingStart < pendingEnd {
                let count = min(buffer.count - written, pendingEnd - pendingStart)
                pending.withUnsafeBytes { p in
                    UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + count)])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: p[pendingStart..<(pendingStart + count)]))
                }
                pendingStart += count
                written += count
                continue
            }
            switch state {
            case .finished:
                return written
            case .beforeHeader:
                try readHeader()
            case .body:
                if buffer.count - written >= AgeArmor.bytesPerLine {
                    written += try decodeLine(into: UnsafeMutableRawBufferPointer(rebasing: buffer[written...]))
                } else {
                    pendingEnd = try pending.withUnsafeMutableBytes { try decodeLine(into: $0) }
                    pendingStart = 0
                }
            }
        }
        return written
    }

    /// The line's content without its "\n" and one "\r" before it.
    private static func content(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var length = line.count
        if length > 0 && line[length - 1] == 0x0A { length -= 1 }
        if length > 0 && line[length - 1] == 0x0D { length -= 1 }
        return UnsafeRawBufferPointer(rebasing: line[0..<length])
    }

    private static func equals(_ content: UnsafeRawBufferPointer, _ expected: [UInt8]) -> Bool {
        content.count == expected.count && memcmp(content.baseAddress!, expected, expected.count) == 0
    }

    private func readHeader() throws {
        enum Line { case blank(Int), header, other }
        var skipped = 0
        while true {
            let kind = try input.withLine(maxLength: Self.maxLine) { line -> Line in
                if line.allSatisfy(AgeArmor.isWhitespace) { return .blank(line.count) }
                return Self.equals(Self.content(line), AgeArmor.headerBytes) ? .header : .other
            }
            switch kind {
            case nil:
                throw AgeError.armorFailure("unexpected end of file")
            case .blank(let count):
                skipped += count
                guard skipped <= AgeArmor.maxWhitespace else { throw AgeError.armorFailure("too much leading whitespace") }
            case .header:
                state = .body
                return
            case .other:
                throw AgeError.armorFailure("first line is not the armor begin line")
            }
        }
    }

    /// Decodes one line into `out` (room for 48 bytes); returns 0 at the footer.
    private func decodeLine(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        enum Line { case footer, data(Int) }
        let line = try input.withLine(maxLength: Self.maxLine) { raw -> Line in
            let text = Self.content(raw)
            if Self.equals(text, AgeArmor.footerBytes) { return .footer }
            guard text.count <= AgeArmor.columns else { throw AgeError.armorFailure("line longer than 64 columns") }
            // An empty line is never part of the encoding, not even as the last line.
            guard text.count > 0 else { throw AgeError.armorFailure("empty line") }
            guard let n = AgeBase64.decode(text, into: out, padded: true) else {
                throw AgeError.armorFailure("invalid base64")
            }
            return .data(n)
        }
        switch line {
        case nil:
            throw AgeError.armorFailure("missing end line")
        case .footer:
            try drainTrailing()
            return 0
        case .data(let n):
            if n < AgeArmor.bytesPerLine {
                // Only the last line may be short, so the footer must follow.
                let isFooter = try input.withLine(maxLength: Self.maxLine) {
                    Self.equals(Self.content($0), AgeArmor.footerBytes)
                }
                guard isFooter == true else { throw AgeError.armorFailure("short line before the end of the armor") }
                try drainTrailing()
            }
            return n
        }
    }

    private func drainTrailing() throws {
        state = .finished
        var rest = [UInt8](repeating: 0, count: AgeArmor.maxWhitespace)
        let n = try rest.withUnsafeMutableBytes { try input.read(into: $0) }
        guard rest[0..<n].allSatisfy(AgeArmor.isWhitespace) else {
            throw AgeError.armorFailure("data after the end line")
        }
        guard n < AgeArmor.maxWhitespace else { throw AgeError.armorFailure("too much trailing whitespace") }
    }
}
