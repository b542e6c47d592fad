import EmbargoStore
import Foundation

/// A deterministic POSIX ustar archive: entries in the order given, fixed
/// modification time, owner 0:0, mode 0644 (0755 for directories), so the
/// same content always gives the same bytes. Standard `tar -x` reads it.
public struct TarWriter {
    private(set) public var bytes: [UInt8] = []
    let mtime: Int
    private var directories: Set<String> = []

    public init(mtime: Date) {
        self.mtime = max(0, Int(mtime.timeIntervalSince1970))
    }

    /// Adds a file; parent directories are added first, once.
    public mutating func add(_ path: String, _ content: [UInt8]) throws {
        let parts = path.split(separator: "/")
        for depth in 1..<max(parts.count, 1) {
            let directory = parts.prefix(depth).joined(separator: "/") + "/"
            if directories.insert(directory).inserted {
                try appendHeader(name: directory, size: 0, mode: 0o755, type: UInt8(ascii: "5"))
            }
        }
        try appendHeader(name: path, size: content.count, mode: 0o644, type: UInt8(ascii: "0"))
        bytes += content
        bytes += [UInt8](repeating: 0, count: (512 - content.count % 512) % 512)
    }

    /// The archive with its two zero end blocks.
    public func finished() -> [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }

    private mutating func appendHeader(name: String, size: Int, mode: Int, type: UInt8) throws {
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
        bytes += header
    }
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
