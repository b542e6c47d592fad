import EmbargoKit
import EmbargoStore
import Foundation
import Testing

@Suite("bundle tar: streamed from memory and files")
struct TarTests {
    @Test func aStreamedArchiveIsTheSameInAnyPiecesAndTarReadsIt() throws {
        let root = try TemporaryDirectory.create(prefix: "embargo-tar-test")
        defer { TemporaryDirectory.remove(root) }
        let file = root.appendingPathComponent("big.bin")
        let content = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(content).write(to: file)
        func archive() throws -> TarWriter {
            let tar = TarWriter(mtime: Date(timeIntervalSince1970: 0))
            try tar.add("SHA256SUMS", Array("sums\n".utf8))
            try tar.add("artifacts/big.bin", .file(file, size: content.count))
            try tar.add("artifacts/empty", .bytes([]))
            return tar
        }
        let whole = try archive().finished()
        #expect(whole.count == 512 + 512 + 512 + 512 + 70_144 + 512 + 1024)
        let pieces = try archive()
        #expect(pieces.size == whole.count)
        var streamed: [UInt8] = []
        while true {
            let piece = try pieces.read(4093)
            if piece.isEmpty { break }
            #expect(piece.count <= 4093)
            streamed += piece
        }
        #expect(streamed == whole)
        let files = try TarReader.files(whole)
        #expect(files.map(\.path) == ["SHA256SUMS", "artifacts/big.bin", "artifacts/empty"])
        #expect(files[1].content == content)

        // A file that changed size after it was added is an error, not a lying header.
        let changed = try archive()
        try Data(content + [1]).write(to: file)
        #expect(throws: EmbargoError.self) { _ = try changed.finished() }
    }
}
