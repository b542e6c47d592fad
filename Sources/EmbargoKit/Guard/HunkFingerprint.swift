import EmbargoCrypto
import Foundation

/// What the guard matches beside the patch id: each hunk of a patch as the
/// set of its changed lines, normalised so that re-indenting, re-wrapping
/// spaces or a different context does not hide them, and each line kept
/// only as a keyed hash.
///
/// A line is its sign (`+` or `-`) and its text without any whitespace.
/// Lines that say little (fewer than `minimumLength` characters once
/// normalised, or no letter or digit: `}`, `end`, `return;`) are left out:
/// every history has them.
public enum HunkFingerprint {
    static let minimumLength = 8

    /// A patch counts as found when the hunks found hold at least this share of its lines.
    static let foundShare = 0.5
    /// A hunk counts as found when at least this share of its lines is in the push.
    static let hunkShare = 0.5
    /// And at least this many lines matched, unless the patch has fewer.
    static let minimumLines = 3

    /// The normalised changed lines of each hunk of a diff (or mbox), in order.
    public static func hunks(of diff: String) -> [[String]] {
        var hunks: [[String]] = []
        var current: [String] = []
        var inHunk = false
        func close() {
            if !current.isEmpty { hunks.append(current) }
            current = []
        }
        forEachLine(Array(diff.utf8)) { line in
            switch line.first {
            case UInt8(ascii: "@") where line.starts(with: Array("@@ ".utf8)):
                close()
                inHunk = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                if inHunk, let text = normalised(line) { current.append(text) }
            case UInt8(ascii: " "), UInt8(ascii: "\\"):
                return
            default:
                // A file header (`diff --git`), a mail signature, anything else ends the hunk.
                close()
                inHunk = false
            }
        }
        close()
        return hunks
    }

    /// The commits of `git log --format='commit %H'` output, in its order.
    static func commits(ofLog log: [UInt8]) -> [String] {
        var commits: [String] = []
        forEachLine(log) { line in
            if let sha = commitLine(line) { commits.append(sha) }
        }
        return commits
    }

    /// The changed lines of every commit in `git log --patch --format='commit %H'` output:
    /// each line with the commits that change it so. Read as bytes: a push
    /// can hold thousands of commits, and the hook runs on every push.
    static func changedLines(ofLog log: [UInt8]) -> [String: Set<String>] {
        var lines: [String: Set<String>] = [:]
        var commit = ""
        var inHunk = false
        forEachLine(log) { line in
            switch line.first {
            case UInt8(ascii: "c"):
                if let sha = commitLine(line) {
                    commit = sha
                    inHunk = false
                } else {
                    inHunk = false
                }
            case UInt8(ascii: "@"):
                inHunk = line.starts(with: Array("@@ ".utf8))
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard inHunk, let text = normalised(line) else { return }
                lines[text, default: []].insert(commit)
            case UInt8(ascii: " "), UInt8(ascii: "\\"):
                return
            default:
                inHunk = false
            }
        }
        return lines
    }

    /// Calls `body` with each line of `bytes`, without its LF or CRLF; empty lines are skipped.
    static func forEachLine(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var stop = end
            if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
            if stop > start { body(bytes[start..<stop]) }
            start = end + 1
        }
    }

    /// The object name of a `commit <sha>` line.
    static func commitLine(_ line: ArraySlice<UInt8>) -> String? {
        guard line.count == 47 || line.count == 71, line.starts(with: Array("commit ".utf8)) else { return nil }
        let sha = String(decoding: line.dropFirst(7), as: UTF8.self)
        return PushUpdate.isObjectName(sha) ? sha : nil
    }

    /// A changed line (its sign first) without whitespace, or nil when it
    /// says too little to count.
    static func normalised(_ line: ArraySlice<UInt8>) -> String? {
        var kept: [UInt8] = []
        kept.reserveCapacity(line.count)
        var meaningful = false
        for byte in line where !(byte == 0x20 || (0x09...0x0D).contains(byte)) {
            kept.append(byte)
            if byte >= 0x80 || (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) {
                meaningful = true
            }
        }
        // The sign is one of the kept bytes.
        guard kept.count > minimumLength, meaningful else { return nil }
        return String(decoding: kept, as: UTF8.self)
    }

    /// What a push holds of one fingerprinted patch: the share of its lines
    /// in hunks found, and the commits that changed them. Nil when the patch
    /// is not found.
    static func match(_ hunks: [[String]], in pushed: [String: Set<String>]) -> (share: Double, commits: Set<String>)? {
        let total = hunks.reduce(0) { $0 + $1.count }
        guard total > 0 else { return nil }
        var found = 0
        var commits = Set<String>()
        for hunk in hunks {
            let present = hunk.filter { pushed[$0] != nil }
            guard Double(present.count) >= hunkShare * Double(hunk.count) else { continue }
            found += present.count
            for line in present { commits.formUnion(pushed[line] ?? []) }
        }
        guard found >= min(minimumLines, total), Double(found) >= foundShare * Double(total) else { return nil }
        return (Double(found) / Double(total), commits)
    }
}
