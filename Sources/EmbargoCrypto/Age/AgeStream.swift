import COpenSSL

/// The age payload: ChaCha20-Poly1305 in the STREAM construction, 64 KiB
/// chunks, nonce = 11-byte big-endian chunk counter || last-chunk flag.
///
/// Buffers are allocated once per file and reused for every chunk; the
/// plaintext buffers are wiped when the operation ends.
final class AgeStream {
    static let chunkSize = 64 * 1024
    static let tagSize = 16
    static let sealedChunkSize = chunkSize + tagSize

    private let key: SecureBytes
    private var nonce = [UInt8](repeating: 0, count: 12)
    private var counter: UInt64 = 0

    /// `key` is the payload key derived from the file key and the file's nonce.
    init(key: SecureBytes) {
        precondition(key.count == 32)
        self.key = key
    }

    private func setNonce(last: Bool) {
        var value = counter
        for index in stride(from: 10, through: 3, by: -1) {
            nonce[index] = UInt8(truncatingIfNeeded: value)
            value >>= 8
        }
        nonce[11] = last ? 1 : 0
    }

    private func advance() throws {
        // The format's counter has 88 bits; 2^64 chunks (a zettabyte) is out of reach.
        guard counter < UInt64.max else { throw AgeError.payloadFailure("payload too large") }
        counter += 1
    }

    /// Seals `input` (at most one chunk) into `output`, which gets `input.count + 16` bytes.
    private func seal(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, last: Bool) throws {
        setNonce(last: last)
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let ok = key.withUnsafeBytes { k in
            emb_aead_seal(
                EMB_AEAD_CHACHA20POLY1305, k.baseAddress!.assumingMemoryBound(to: UInt8.self), nonce, nil, 0,
                input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, out, out + input.count)
        }
        guard ok == 1 else { throw CryptoError.openSSL("STREAM seal") }
    }

    /// Opens `input` (ciphertext || tag) into `output`; false if it does not
    /// authenticate under the current counter and `last` flag.
    private func open(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, last: Bool) -> Bool {
        setNonce(last: last)
        let length = input.count - Self.tagSize
        let source = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        return key.withUnsafeBytes { k in
            emb_aead_open(
                EMB_AEAD_CHACHA20POLY1305, k.baseAddress!.assumingMemoryBound(to: UInt8.self), nonce, nil, 0,
                source, length, source + length, output.baseAddress!.assumingMemoryBound(to: UInt8.self))
        } == 1
    }

    /// Encrypts everything `source` produces. A chunk is sealed as the last one
    /// only when the next read shows the input has ended, so an input that is an
    /// exact multiple of 64 KiB ends with a full last chunk, as in age.
    func encrypt(from source: any ByteSource, to sink: any ByteSink) throws {
        var current = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        var next = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        let sealed = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.sealedChunkSize, alignment: 16)
        defer {
            for buffer in [current, next] {
                emb_cleanse(buffer.baseAddress, buffer.count)
                buffer.deallocate()
            }
            sealed.deallocate()
        }

        var currentCount = try Self.readFully(source, into: current)
        while true {
            var nextCount = 0
            var last = currentCount < Self.chunkSize
            if !last {
                nextCount = try Self.readFully(source, into: next)
                last = nextCount == 0
            }
            try seal(UnsafeRawBufferPointer(rebasing: current[0..<currentCount]), into: sealed, last: last)
            try sink.write(UnsafeRawBufferPointer(rebasing: sealed[0..<(currentCount + Self.tagSize)]))
            if last { return }
            try advance()
            swap(&current, &next)
            currentCount = nextCount
        }
    }

    /// Decrypts the payload after the nonce, releasing each chunk to `sink` only
    /// once it has authenticated. Mirrors the reference implementation so that
    /// the same plaintext is released before an error: a full chunk is tried as
    /// an inner chunk first and as the last one second, and data after the last
    /// chunk is reported only after that chunk was released.
    func decrypt(from reader: BufferedReader, to sink: any ByteSink) throws {
        let sealed = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.sealedChunkSize, alignment: 16)
        let plain = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer {
            sealed.deallocate()
            emb_cleanse(plain.baseAddress, plain.count)
            plain.deallocate()
        }

        var first = true
        while true {
            let count = try reader.read(into: sealed)
            if count == Self.sealedChunkSize {
                var last = false
                if !open(UnsafeRawBufferPointer(sealed), into: plain, last: false) {
                    guard open(UnsafeRawBufferPointer(sealed), into: plain, last: true) else {
                        throw AgeError.payloadFailure("chunk \(counter) failed to authenticate")
                    }
                    last = true
                }
                try sink.write(UnsafeRawBufferPointer(plain))
                if last {
                    var extra = [UInt8](repeating: 0, count: 1)
                    guard try extra.withUnsafeMutableBytes({ try reader.read(into: $0) }) == 0 else {
                        throw AgeError.payloadFailure("data after the last chunk")
                    }
                    return
                }
                try advance()
                first = false
                continue
            }
            // A short read means the input ended: this must be the last chunk.
            if count == 0 {
                throw AgeError.payloadFailure(first ? "payload has no chunks" : "payload is truncated")
            }
            guard count >= Self.tagSize else { throw AgeError.payloadFailure("payload is truncated") }
            let input = UnsafeRawBufferPointer(rebasing: sealed[0..<count])
            guard open(input, into: plain, last: true) else {
                throw AgeError.payloadFailure("chunk \(counter) failed to authenticate")
            }
            // Only an empty file may end with an empty chunk.
            guard count > Self.tagSize || first else { throw AgeError.payloadFailure("last chunk is empty") }
            try sink.write(UnsafeRawBufferPointer(rebasing: plain[0..<(count - Self.tagSize)]))
            return
        }
    }

    private static func readFully(_ source: any ByteSource, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}
