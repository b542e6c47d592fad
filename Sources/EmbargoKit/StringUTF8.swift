extension String {
    /// The string's UTF-8, in place when the string allows it (always, for
    /// native strings), else from a copy. Unlike `withUTF8`, not mutating.
    func withUTF8Buffer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
