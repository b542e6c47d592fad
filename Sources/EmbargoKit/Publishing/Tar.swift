import EmbargoStore
import Foundation

/// What a tar entry holds: bytes in memory, or a file read in pieces only as
/// the archive is written (large artifacts never sit in memory whole).
public enum TarContent {
    case bytes([UInt8])
    case file(URL, size: Int)

    var size: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .file(_, let size): size
        }
    }
}

/// A deterministic POSIX ustar archive: entries in the order given, fixed
/// modification time, owner 0:0, mode 0644 (0755 for directories), so the
/// same content always gives the same bytes. Standard `tar -x` reads it.
/// The archive is produced as a stream, by `read`, in bounded memory.
// A class, not Sendable: it owns the descriptor of the file being read.
public final class TarWriter {
    /// Headers, contents, paddings and the end blocks, in order.
    private var pieces: [TarContent] = []
    let mtime: Int
    private var directories: Set<String> = []
    private var closed = false
    private var pieceIndex = 0
    private var pieceOffset = 0
    private var descriptor: Int32 = -1

    public init(mtime: Date) {
        self.mtime = max(0, Int(mtime.timeIntervalSince1970))
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Adds a file; parent directories are added first, once.
    public func add(_ path: String, _ content: TarContent) throws {
        precondition(!closed, "an entry added to a tar archive that is being read")
        let parts = path.split(separator: "/")
        for depth in 1..<max(parts.count, 1) {
            let directory = parts.prefix(depth).joined(separator: "/") + "/"
            if directories.insert(directory).inserted {
                pieces.append(.bytes(try header(name: directory, size: 0, mode: 0o755, type: UInt8(ascii: "5"))))
            }
        }
        pieces.append(.bytes(try header(name: path, size: content.size, mode: 0o644, type: UInt8(ascii: "0"))))
        pieces.append(content)
        let padding = (512 - content.size % 512) % 512
        if padding > 0 { pieces.append(.bytes([UInt8](repeating: 0, count: padding))) }
    }

    public func add(_ path: String, _ bytes: [UInt8]) throws {
        try add(path, .bytes(bytes))
    }

    /// The size of the whole archive, with its two zero end blocks.
    public var size: Int {
        pieces.reduce(closed ? 0 : 1024) { $0 + $1.size }
    }

    /// Call once every entry is added: the archive's next bytes, at most `count`
    /// of them, and an empty array at the end. A file that is not of the size it
    /// was added with is an error, so the headers never lie.
    public func read(_ count: Int) throws -> [UInt8] {
        if !closed {
            pieces.append(.bytes([UInt8](repeating: 0, count: 1024)))
            closed = true
        }
        while pieceIndex < pieces.count {
            switch pieces[pieceIndex] {
            case .bytes(let bytes) where pieceOffset < bytes.count:
                let end = min(bytes.count, pieceOffset + count)
                defer { pieceOffset = end }
                return Array(bytes[pieceOffset..<end])
            case .file(let url, let size) where pieceOffset < size:
                return try readFile(url, size: size, count: count)
            case .file(let url, _):
                try endOfFile(url)
            case .bytes:
                break
            }
            pieceIndex += 1
            pieceOffset = 0
        }
        return []
    }

    /// The whole archive in memory (for a small one, or a consumer that takes it whole).
    public func finished() throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        while true {
            let piece = try read(1 << 20)
            if piece.isEmpty { return bytes }
            bytes += piece
        }
    }

    private func openFile(_ url: URL) throws {
        guard descriptor < 0 else { return }
        descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw EmbargoError(.failure, "cannot read \(url.lastPathComponent): \(String(cString: strerror(errno)))") }
    }

    private func readFile(_ url: URL, size: Int, count: Int) throws -> [UInt8] {
        try openFile(url)
        var buffer = [UInt8](repeating: 0, count: min(count, size - pieceOffset))
        while true {
            let got = buffer.withUnsafeMutableBytes { readDescriptor(descriptor, $0.baseAddress, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { throw EmbargoError(.failure, "\(url.lastPathComponent) changed while the bundle was written") }
            pieceOffset += got
            buffer.removeLast(buffer.count - got)
            return buffer
        }
    }

    /// Closes the file once its announced size is read, and checks that nothing follows.
    private func endOfFile(_ url: URL) throws {
        try openFile(url)
        defer {
            close(descriptor)
            descriptor = -1
        }
        var probe: UInt8 = 0
        guard readDescriptor(descriptor, &probe, 1) == 0 else {
            throw EmbargoError(.failure, "\(url.lastPathComponent) changed while the bundle was written")
        }
    }

    private func header(name: String, size: Int, mode: Int, type: UInt8) throws -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        var nameBytes = Array(name.utf8)
        var prefix: [UInt8] = []
        if nameBytes.count > 100 {
            // ustar splits long paths at a slash: prefix (155) / name (100).
            guard let split = nameBytes.indices.reversed().first(where: { nameBytes[$0] == UInt8(ascii: "/") && $0 <= 155 && nameBytes.count - $0 - 1 <= 100 }) else {
                throw EmbargoError(.failure, "path too long for the bundle: \(name.prefix(80))")
            }
            prefix = Array(nameBytes[..<split])
            nameBytes = Array(nameBytes[(split + 1)...])
        }
        func put(_ value: [UInt8], at offset: Int) { for (i, b) in value.enumerated() { header[offset + i] = b } }
        func octal(_ value: Int, width: Int) -> [UInt8] { Array(String(format: "%0\(width - 1)o", value).utf8) + [0] }
        put(nameBytes, at: 0)
        put(octal(mode, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(mtime, width: 12), at: 136)
        put([UInt8](repeating: 0x20, count: 8), at: 148)
        header[156] = type
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        put(Array("root".utf8), at: 265)
        put(Array("root".utf8), at: 297)
        put(prefix, at: 345)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(Array(String(format: "%06o", checksum).utf8) + [0, 0x20], at: 148)
        return header
    }
}

private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// Reads the regular files of a ustar archive (for `prerelease verify`).
public enum TarReader {
    public static func files(_ bytes: [UInt8]) throws -> [(path: String, content: [UInt8])] {
        var result: [(String, [UInt8])] = []
        var offset = 0
        func malformed() -> EmbargoError { EmbargoError(.verification, "the bundle's tar archive is malformed") }
        while offset + 512 <= bytes.count {
            let header = Array(bytes[offset..<(offset + 512)])
            if header.allSatisfy({ $0 == 0 }) { return result }
            let stored = Int(String(decoding: header[148..<156].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self), radix: 8)
            var copy = header
            for i in 148..<156 { copy[i] = 0x20 }
            guard stored == copy.reduce(0, { $0 + Int($1) }) else { throw malformed() }
            func text(_ range: Range<Int>) -> String { String(decoding: header[range].prefix { $0 != 0 }, as: UTF8.self) }
            guard let size = Int(text(124..<136).trimmingCharacters(in: .whitespaces), radix: 8), size >= 0 else { throw malformed() }
            let prefix = text(345..<500)
            let name = prefix.isEmpty ? text(0..<100) : prefix + "/" + text(0..<100)
            offset += 512
            guard offset + size <= bytes.count else { throw malformed() }
            if header[156] == UInt8(ascii: "0") || header[156] == 0 {
                result.append((name, Array(bytes[offset..<(offset + size)])))
            }
            offset += (size + 511) / 512 * 512
        }
        throw malformed()
    }
}
