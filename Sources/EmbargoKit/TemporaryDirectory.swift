import EmbargoStore
import Foundation

/// Throwaway directories for embargoed work: created with mode 0700 by
/// `mkdtemp`, removed by the caller (also on failure).
public enum TemporaryDirectory {
    public static func create(prefix: String) throws -> URL {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw EmbargoError(.failure, "cannot create a temporary directory in \(base)")
        }
        let path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        chmod(path, 0o700)
        return URL(fileURLWithPath: path)
    }

    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }
}
