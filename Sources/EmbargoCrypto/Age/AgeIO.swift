import COpenSSL
import Foundation

// Byte plumbing for the age code. Everything moves through caller-owned raw
// buffers so that the STREAM loop copies each chunk at most once per stage and
// allocates nothing per chunk.

/// A producer of bytes. `read` fills some prefix of `buffer` (which is never
/// empty) and returns how much it filled; 0 means end of input.
protocol ByteSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A consumer of bytes.
protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Reads from memory the caller keeps alive for the duration of the operation.
final class RawBufferSource: ByteSource {
    private let data: UnsafeRawBufferPointer
    private var offset = 0

    init(_ data: UnsafeRawBufferPointer) { self.data = data }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, data.count - offset)
        guard count > 0 else { return 0 }
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: data[offset..<(offset + count)]))
        offset += count
        return count
    }
}

/// Adapts the public `read: (Int) throws -> [UInt8]` callback. Once the callback
/// has reported the end, it is not called again.
final class ClosureSource: ByteSource {
    private let callback: (Int) throws -> [UInt8]
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var finished = false

    init(_ callback: @escaping (Int) throws -> [UInt8]) { self.callback = callback }

    deinit { wipe(&pending) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if pendingOffset == pending.count {
            guard !finished else { return 0 }
            wipe(&pending)
            pending = try callback(buffer.count)
            pendingOffset = 0
            if pending.isEmpty {
                finished = true
                return 0
            }
        }
        // A callback may hand back more than asked for; keep the rest for later.
        let count = min(buffer.count, pending.count - pendingOffset)
        pending.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[pendingOffset..<(pendingOffset + count)]))
        }
        pendingOffset += count
        return count
    }
}

/// Reads a file descriptor the caller owns.
final class FileDescriptorSource: ByteSource {
    private let fd: Int32

    init(fd: Int32) { self.fd = fd }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw POSIXError.current() }
        }
    }
}

/// Collects output in memory (the one-shot API). Wiped if the operation fails,
/// so a partly decrypted plaintext does not linger.
final class ArraySink: ByteSink {
    var bytes: [UInt8] = []

    init(reserving capacity: Int) { bytes.reserveCapacity(capacity) }

    func write(_ piece: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: piece)
    }

    func discard() { wipe(&bytes) }
}

/// Adapts the public `write: ([UInt8]) throws -> Void` callback.
final class ClosureSink: ByteSink {
    private let callback: ([UInt8]) throws -> Void

    init(_ callback: @escaping ([UInt8]) throws -> Void) { self.callback = callback }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try callback(Array(bytes))
    }
}

/// Writes to a file descriptor the caller owns.
final class FileDescriptorSink: ByteSink {
    private let fd: Int32

    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXError.current()
            }
            offset += n
        }
    }
}

/// Buffers a source so that the header can be read line by line and the first
/// bytes peeked at, while large payload reads bypass the buffer.
final class BufferedReader {
    private let source: any ByteSource
    private var storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var atEnd = false

    init(_ source: any ByteSource, capacity: Int = 64 * 1024) {
        self.source = source
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        emb_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    /// Buffers at least `count` bytes unless the input ends first; returns how
    /// many bytes are buffered.
    @discardableResult
    private func fill(atLeast count: Int) throws -> Int {
        if end - start >= count || atEnd { return end - start }
        if start > 0 {
            if end > start {
                UnsafeMutableRawPointer(storage.baseAddress!).copyMemory(
                    from: storage.baseAddress! + start, byteCount: end - start)
            }
            end -= start
            start = 0
        }
        if count > storage.count {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, storage.count * 2), alignment: 16)
            larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<end]))
            emb_cleanse(storage.baseAddress, storage.count)
            storage.deallocate()
            storage = larger
        }
        while end < count && !atEnd {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
            if n == 0 { atEnd = true } else { end += n }
        }
        return end - start
    }

    /// Up to `count` upcoming bytes, without consuming them.
    func peek(_ count: Int) throws -> [UInt8] {
        let available = try fill(atLeast: count)
        return Array(UnsafeRawBufferPointer(rebasing: storage[start..<(start + min(count, available))]))
    }

    /// Calls `body` with the next line including its "\n" (missing only on the last
    /// line of the input) and consumes it; nil at the end of input. A line longer
    /// than `maxLength` is passed truncated to `maxLength + 1` bytes without "\n",
    /// so that the caller can reject it without buffering all of it.
    func withLine<R>(maxLength: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        var scanned = 0
        while true {
            let available = end - start
            if scanned < available {
                let from = storage.baseAddress! + start + scanned
                if let hit = memchr(from, Int32(UInt8(ascii: "\n")), available - scanned) {
                    let length = (hit - UnsafeMutableRawPointer(storage.baseAddress! + start)) + 1
                    if length <= maxLength + 1 {
                        let line = UnsafeRawBufferPointer(rebasing: storage[start..<(start + length)])
                        start += length
                        return try body(line)
                    }
                }
                scanned = available
            }
            if available > maxLength {
                let line = UnsafeRawBufferPointer(rebasing: storage[start..<(start + maxLength + 1)])
                start += maxLength + 1
                return try body(line)
            }
            if atEnd {
                guard available > 0 else { return nil }
                let line = UnsafeRawBufferPointer(rebasing: storage[start..<end])
                start = end
                return try body(line)
            }
            try fill(atLeast: available + 1)
        }
    }

    func readLine(maxLength: Int) throws -> [UInt8]? {
        try withLine(maxLength: maxLength) { Array($0) }
    }

    /// Fills `buffer` completely unless the input ends first; returns the count.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var written = min(buffer.count, end - start)
        if written > 0 {
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[start..<(start + written)]))
            start += written
        }
        while written < buffer.count && !atEnd {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[written...]))
            if n == 0 { atEnd = true } else { written += n }
        }
        return written
    }
}

extension POSIXError {
    static func current() -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
}
