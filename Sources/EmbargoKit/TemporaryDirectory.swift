import EmbargoStore
import Foundation

/// Throwaway directories for embargoed work: created with mode 0700 by
/// `mkdtemp`, removed by the caller (also on failure). Live directories are
/// tracked so that an interrupted process can remove them too
/// (`removeAllLive`, which the CLI calls from its signal handler).
public enum TemporaryDirectory {
    // Guarded by `lock`; touched from the main thread and the signal-handling queue.
    nonisolated(unsafe) private static var live: Set<String> = []
    private static let lock = NSLock()

    public static func create(prefix: String) throws -> URL {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw EmbargoError(.failure, "cannot create a temporary directory in \(base)")
        }
        let path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        chmod(path, 0o700)
        lock.lock()
        live.insert(path)
        lock.unlock()
        return URL(fileURLWithPath: path)
    }

    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
        lock.lock()
        live.remove(url.path)
        lock.unlock()
    }

    /// Removes every directory created and not yet removed.
    public static func removeAllLive() {
        lock.lock()
        let paths = live
        live.removeAll()
        lock.unlock()
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }
}
