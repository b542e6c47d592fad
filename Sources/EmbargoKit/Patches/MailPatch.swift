import EmbargoStore
import Foundation

/// One patch in `git format-patch` (mbox) form, with what embargo needs to
/// know about it without applying it.
public struct MailPatch: Sendable, Equatable {
    /// The whole mbox entry, from its `From <sha>` line to its end.
    public var text: String
    /// The subject without the `[PATCH n/m]` prefix.
    public var subject: String
    /// The full commit message (subject, blank line, body).
    public var message: String
    /// `Name <email>`.
    public var author: String
    /// The Date header as written.
    public var date: String
    /// Files the patch touches (new names, and old names of renames).
    public var files: [String]

    /// Lines the patch adds (without the leading `+`), for the leak linter.
    public var addedLines: [String] { additions.map(\.text) }

    /// Lines the patch adds with the file each goes to, so the leak linter can
    /// say where a leaking test name is.
    public var additions: [AddedLine] {
        var file: String?
        var lines: [AddedLine] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let match = line.wholeMatch(of: /diff --git a\/(.+) b\/(.+)/) {
                file = String(match.2)
                continue
            }
            guard let current = file, line.hasPrefix("+"), !line.hasPrefix("+++ ") else { continue }
            lines.append(AddedLine(file: current, text: String(line.dropFirst())))
        }
        return lines
    }
}

/// One line a patch adds, and the file it goes to.
public struct AddedLine: Sendable, Equatable {
    public var file: String
    public var text: String

    public init(file: String, text: String) {
        self.file = file
        self.text = text
    }
}

/// Reads `git format-patch` output and plain unified diffs.
public enum Mbox {
    /// Splits an mbox into patches; rejects anything that is not a well-formed,
    /// text-only patch series.
    public static func parse(_ bytes: [UInt8]) throws -> [MailPatch] {
        let text = try checkedText(bytes)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var starts: [Int] = []
        // A regex literal is compiled each time it is evaluated (about 0.1 ms):
        // the cheap prefix test keeps that to the few lines that can match.
        for (index, line) in lines.enumerated()
        where line.hasPrefix("From ") && line.wholeMatch(of: /From [0-9a-f]{40} Mon Sep 17 00:00:00 2001/) != nil {
            starts.append(index)
        }
        guard let first = starts.first else {
            throw EmbargoError(.failure, "the input is not git format-patch output (no 'From <commit>' line)",
                               hint: "create it with 'git format-patch --stdout BASE..REF', or pass a plain diff with --message and --author")
        }
        guard lines[..<first].allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw EmbargoError(.failure, "the mbox has text before its first patch")
        }
        var patches: [MailPatch] = []
        for (n, start) in starts.enumerated() {
            let end = n + 1 < starts.count ? starts[n + 1] : lines.count
            var entry = lines[start..<end].joined(separator: "\n")
            if !entry.hasSuffix("\n") { entry += "\n" }
            patches.append(try parseEntry(entry, number: n + 1))
        }
        return patches
    }

    /// Wraps a unified diff (`git diff`, or `diff -u` put in git's form by
    /// `PlainDiff`, whose `pathExists` it takes) into a patch with the given
    /// message and author.
    public static func fromDiff(_ bytes: [UInt8], message: String, author: String, date: Date,
                                pathExists: (String) -> Bool = { _ in false }) throws -> MailPatch
    {
        let diff = try PlainDiff.gitForm(try checkedText(bytes), pathExists: pathExists)
        guard author.wholeMatch(of: /[^<>\n]+ <[^<>\s]+@[^<>\s]+>/) != nil else {
            throw EmbargoError(.usage, "--author must look like 'Name <email>'")
        }
        let trimmedMessage = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedMessage.isEmpty else { throw EmbargoError(.usage, "--message is empty") }
        let subject = trimmedMessage.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? trimmedMessage
        let body = trimmedMessage.dropFirst(subject.count).trimmingCharacters(in: .newlines)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        var text = "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
        text += "From: \(author)\nDate: \(formatter.string(from: date))\nSubject: [PATCH] \(subject)\n\n"
        if !body.isEmpty { text += body + "\n" }
        text += "---\n" + diff + (diff.hasSuffix("\n") ? "" : "\n")
        return try parseEntry(text, number: 1)
    }

    static func checkedText(_ bytes: [UInt8]) throws -> String {
        guard !bytes.isEmpty else { throw EmbargoError(.failure, "the patch input is empty") }
        guard !bytes.contains(0) else {
            throw EmbargoError(.failure, "the patch input contains NUL bytes (binary data)",
                               hint: "binary changes must come as 'git format-patch --binary' text")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw EmbargoError(.failure, "the patch input is not UTF-8 text")
        }
        return text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    static func parseEntry(_ entry: String, number: Int) throws -> MailPatch {
        let lines = entry.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var headers: [String: String] = [:]
        var index = 1
        var current: String?
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            if line.first == " " || line.first == "\t", let key = current {
                headers[key, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                let key = line[..<colon].lowercased()
                headers[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                current = key
            } else {
                throw EmbargoError(.failure, "patch \(number) has a malformed header line")
            }
            index += 1
        }
        guard let rawSubject = headers["subject"], let from = headers["from"], let date = headers["date"] else {
            throw EmbargoError(.failure, "patch \(number) lacks a From, Date or Subject header",
                               hint: "create it with 'git format-patch'")
        }
        let subject = decodeHeader(rawSubject).replacing(/^\[PATCH[^\]]*\]\s*/, with: "")
        guard !subject.isEmpty else { throw EmbargoError(.failure, "patch \(number) has an empty subject") }
        // The message body runs to the '---' line before the diffstat, or to the diff.
        var body: [String] = []
        index += 1
        while index < lines.count, lines[index] != "---", !lines[index].hasPrefix("diff --git ") {
            body.append(lines[index])
            index += 1
        }
        let bodyText = body.joined(separator: "\n").trimmingCharacters(in: .newlines)
        var files: [String] = []
        var hunks = 0
        for line in lines[index...] {
            if line.hasPrefix("diff --git a/"), let match = line.wholeMatch(of: /diff --git a\/(.+) b\/(.+)/) {
                let old = String(match.1)
                let new = String(match.2)
                if !files.contains(new) { files.append(new) }
                if old != new, !files.contains(old) { files.append(old) }
            }
            if line.hasPrefix("@@ ") || line == "GIT binary patch" { hunks += 1 }
            if line.hasPrefix("Binary files ") && line.hasSuffix(" differ") {
                throw EmbargoError(.failure, "patch \(number) has a binary change without its content",
                                   hint: "regenerate it with 'git format-patch --binary'")
            }
        }
        guard hunks > 0 || !files.isEmpty else {
            throw EmbargoError(.failure, "patch \(number) ('\(subject.prefix(60))') contains no diff")
        }
        return MailPatch(text: entry, subject: subject, message: bodyText.isEmpty ? subject : subject + "\n\n" + bodyText,
                         author: decodeHeader(from), date: date, files: files)
    }

    /// Decodes RFC 2047 encoded words (`=?UTF-8?q?...?=`, `=?UTF-8?b?...?=`), as git writes non-ASCII headers.
    static func decodeHeader(_ value: String) -> String {
        var result = value.replacing(/\?=\s+=\?/, with: "?==?")
        while let match = result.firstMatch(of: /=\?([^?]+)\?([qQbB])\?([^?]*)\?=/) {
            let data: Data?
            if match.2.lowercased() == "b" {
                data = Data(base64Encoded: String(match.3))
            } else {
                var bytes: [UInt8] = []
                var chars = Array(match.3.utf8)[...]
                while let c = chars.popFirst() {
                    if c == UInt8(ascii: "_") {
                        bytes.append(0x20)
                    } else if c == UInt8(ascii: "="), chars.count >= 2,
                              let value = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) {
                        bytes.append(value)
                        chars = chars.dropFirst(2)
                    } else {
                        bytes.append(c)
                    }
                }
                data = Data(bytes)
            }
            let decoded = data.flatMap { String(data: $0, encoding: .utf8) } ?? String(match.0)
            result.replaceSubrange(match.range, with: decoded)
            if decoded == String(match.0) { break }
        }
        return result
    }
}
