import EmbargoStore
import Foundation

/// Turns the output of `diff -u` (or `diff -ruN`) into the form `git diff`
/// writes: a `diff --git a/PATH b/PATH` line before each file, plain
/// `a/`/`b/` names without timestamps, and `new file`/`deleted file` lines.
///
/// Git reads both forms when it applies a patch, but `git patch-id` (which
/// the guard and the duplicate check rely on) and embargo's own reading of
/// the files a patch touches need the `diff --git` lines; and the stored
/// patch should name its files one way, not leave `-p1` to be guessed again
/// on every machine.
///
/// ```swift
/// let text = try PlainDiff.gitForm(diff) { path in tree.contains(path) }
/// ```
public enum PlainDiff {
    /// One file of the diff.
    struct FileChange {
        enum Kind { case modified, created, deleted }
        var path: String
        var kind: Kind
        var hunks: [String]
    }

    /// The diff in git's form; a diff that already has `diff --git` lines is
    /// returned as it is. `pathExists` says whether a path is in the target
    /// branch's tree: it settles whether the names carry a leading directory
    /// (`a/src/x.php`) or not (`src/x.php` against `src/x.php.orig`).
    public static func gitForm(_ diff: String, pathExists: (String) -> Bool = { _ in false }) throws -> String {
        if diff.hasPrefix("diff --git ") || diff.contains("\ndiff --git ") { return diff }
        let files = try parse(diff, pathExists: pathExists)
        var out = ""
        for file in files {
            out += "diff --git a/\(file.path) b/\(file.path)\n"
            switch file.kind {
            case .modified: out += "--- a/\(file.path)\n+++ b/\(file.path)\n"
            case .created: out += "new file mode 100644\n--- /dev/null\n+++ b/\(file.path)\n"
            case .deleted: out += "deleted file mode 100644\n--- a/\(file.path)\n+++ /dev/null\n"
            }
            out += file.hunks.joined(separator: "\n") + "\n"
        }
        return out
    }

    static func parse(_ diff: String, pathExists: (String) -> Bool) throws -> [FileChange] {
        var lines = diff.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        var files: [FileChange] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("--- "), index + 1 < lines.count, lines[index + 1].hasPrefix("+++ ") {
                let old = try Name(lines[index].dropFirst(4), line: index + 1)
                let new = try Name(lines[index + 1].dropFirst(4), line: index + 2)
                index += 2
                var hunks: [String] = []
                var ranges: [(oldStart: Int, oldCount: Int, newStart: Int, newCount: Int)] = []
                while index < lines.count, lines[index].hasPrefix("@@ ") {
                    let header = lines[index]
                    guard let match = header.prefixMatch(of: /@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/),
                          let oldStart = Int(match.1), let newStart = Int(match.3),
                          let oldCount = match.2.map({ Int($0) }) ?? 1, let newCount = match.4.map({ Int($0) }) ?? 1
                    else {
                        throw malformed("line \(index + 1) is not a hunk header: '\(header.prefix(60))'")
                    }
                    func misfit(_ line: Int) -> EmbargoError {
                        malformed("line \(line) does not fit its hunk ('\(header.prefix(40))' counts \(oldCount) old and \(newCount) new lines)")
                    }
                    ranges.append((oldStart, oldCount, newStart, newCount))
                    hunks.append(String(header))
                    index += 1
                    var oldLeft = oldCount
                    var newLeft = newCount
                    while oldLeft > 0 || newLeft > 0 || (index < lines.count && lines[index].hasPrefix("\\")) {
                        guard index < lines.count else {
                            throw malformed("it ends inside the last hunk of \(new.text ?? old.text ?? "?") ('\(header.prefix(40))' counts \(oldCount) old and \(newCount) new lines)")
                        }
                        let body = lines[index]
                        let marker = body.first ?? " "
                        if marker == " ", oldLeft > 0, newLeft > 0 {
                            oldLeft -= 1
                            newLeft -= 1
                        } else if marker == "-", oldLeft > 0 {
                            oldLeft -= 1
                        } else if marker == "+", newLeft > 0 {
                            newLeft -= 1
                        } else if marker != "\\" {
                            throw misfit(index + 1)
                        }
                        // An empty context line (an editor trimmed its space) is a context line.
                        hunks.append(body.isEmpty ? " " : String(body))
                        index += 1
                    }
                    // A changed line right after the counted ones: the counts are wrong.
                    if index < lines.count, let next = lines[index].first, next == "+" || next == "-",
                       !(lines[index].hasPrefix("--- ") && index + 1 < lines.count && lines[index + 1].hasPrefix("+++ "))
                    {
                        throw misfit(index + 1)
                    }
                }
                guard !hunks.isEmpty else {
                    throw malformed("the change of \(new.text ?? old.text ?? "?") (line \(index - 1)) has no hunk")
                }
                files.append(try change(old: old, new: new, ranges: ranges, hunks: hunks, pathExists: pathExists))
            } else if line.hasPrefix("@@ ") {
                throw malformed("the hunk at line \(index + 1) has no '--- OLD' and '+++ NEW' lines before it")
            } else if line.hasPrefix("*** ") {
                throw EmbargoError(.failure, "the diff is a context diff (line \(index + 1) starts with '***')",
                                   hint: "create a unified diff with 'diff -u OLD NEW' or 'git diff'")
            } else {
                // `diff -ru`'s command lines, `Only in ...`, `Index:` lines and the like carry nothing to apply.
                index += 1
            }
        }
        guard !files.isEmpty else {
            throw EmbargoError(.failure, "the file is not a unified diff (no '--- OLD' and '+++ NEW' lines)",
                               hint: "create it with 'diff -u OLD NEW', 'git diff' or 'git format-patch'")
        }
        return files
    }

    /// A name from a `---` or `+++` line: the path up to its timestamp, or
    /// nil for `/dev/null`; whether the timestamp is the epoch, which
    /// `diff -N` gives a file that does not exist.
    struct Name {
        var text: String?
        var epoch: Bool

        init(_ field: Substring, line: Int) throws {
            let parts = field.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            epoch = parts.count > 1 && (parts[1].hasPrefix("1970-01-01") || parts[1].hasPrefix("1969-12-31"))
            guard name != "/dev/null" else {
                text = nil
                return
            }
            guard !name.isEmpty, !name.hasPrefix("\""), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\\" }) else {
                throw PlainDiff.malformed("line \(line) names a file that cannot be read as written: '\(name.prefix(60))'")
            }
            text = name
        }
    }

    private static func change(old: Name, new: Name, ranges: [(oldStart: Int, oldCount: Int, newStart: Int, newCount: Int)],
                               hunks: [String], pathExists: (String) -> Bool) throws -> FileChange
    {
        // `diff -N` writes a missing side as an empty file dated at the epoch.
        let onlyHunk = ranges.count == 1 ? ranges[0] : nil
        let created = old.text == nil || (old.epoch && onlyHunk.map { $0.oldStart == 0 && $0.oldCount == 0 } == true)
        let deleted = new.text == nil || (new.epoch && onlyHunk.map { $0.newStart == 0 && $0.newCount == 0 } == true)
        guard !(created && deleted) else { throw malformed("a file section has /dev/null on both sides") }
        // `diff -u a/src/x b/src/x` names the file with a leading directory of its own;
        // `diff -u src/x.orig src/x` does not. Two different leading directories, or git's
        // a/ and b/, mean the former; the branch's tree settles the rest, and for a changed
        // file it also picks the old name when only that one is there (`diff -u src/x ../x.new`).
        func firstComponent(_ path: String?) -> Substring? {
            guard let path, let slash = path.firstIndex(of: "/") else { return nil }
            return path[..<slash]
        }
        let leading: Bool
        if let oldFirst = firstComponent(old.text), let newFirst = firstComponent(new.text) {
            leading = oldFirst != newFirst
        } else {
            leading = ["a", "b"].contains(firstComponent(deleted ? old.text : new.text) ?? "")
        }
        func candidates(_ name: String?) -> [String] {
            guard let name else { return [] }
            guard let first = firstComponent(name), name.count > first.count + 1 else { return [name] }
            let stripped = String(name.dropFirst(first.count + 1))
            return leading ? [stripped, name] : [name, stripped]
        }
        let names = created ? candidates(new.text) : deleted ? candidates(old.text) : candidates(new.text) + candidates(old.text)
        guard let preferred = names.first else { throw malformed("a file section names no file") }
        let path = created ? preferred : names.first(where: pathExists) ?? preferred
        guard !path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) else {
            throw malformed("the diff names '\(path.prefix(60))', which is not a path inside the project")
        }
        return FileChange(path: path, kind: created ? .created : deleted ? .deleted : .modified, hunks: hunks)
    }

    static func malformed(_ what: String) -> EmbargoError {
        EmbargoError(.failure, "the diff is malformed: \(what)",
                     hint: "create it again with 'diff -u OLD NEW' or 'git diff', and do not edit it by hand")
    }
}
