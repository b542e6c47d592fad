import Foundation

extension LeakLinter {
    /// What a patch's added lines show, as subjects: comments, string
    /// literals, the names of functions (tests and data providers included)
    /// and, in test files and fixtures, attack payloads in strings. Each is
    /// located at `branch:patch N:file:line` (the line in the new file).
    /// Code itself is not read: the fix calls escaping or access functions,
    /// and that is not a leak until the words around it say why.
    public static func diffSubjects(_ patch: String, branch: String, position: Int) -> [LintSubject] {
        var subjects: [LintSubject] = []
        var file: String?
        var line = 0
        var blockComment = false
        for raw in patch.split(separator: "\n", omittingEmptySubsequences: false) {
            if let match = raw.wholeMatch(of: /diff --git a\/(.+) b\/(.+)/) {
                file = String(match.2)
                blockComment = false
                continue
            }
            if let match = raw.firstMatch(of: /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/) {
                line = Int(match.1) ?? 0
                continue
            }
            guard let current = file, !raw.hasPrefix("+++ "), !raw.hasPrefix("--- ") else { continue }
            if raw.hasPrefix("-") || raw.hasPrefix("\\") { continue }
            defer { line += 1 }
            guard raw.hasPrefix("+") else { continue }
            let text = String(raw.dropFirst())
            let location = "\(branch):patch \(position):\(current):\(line)"
            let key = "diff-\(branch)-\(position)-\(current)-\(line)"
            func add(_ part: String, _ kind: LintSubject.Kind, _ suffix: String) {
                let part = part.trimmingCharacters(in: .whitespaces)
                guard !part.isEmpty else { return }
                subjects.append(LintSubject(location: location, text: part, kind: kind, key: "\(key)-\(suffix)"))
            }
            let parts = codeParts(text, inBlockComment: &blockComment)
            for (index, comment) in parts.comments.enumerated() { add(comment, .code, "comment\(index == 0 ? "" : "\(index + 1)")") }
            for (index, string) in parts.strings.enumerated() { add(string, .code, "string\(index == 0 ? "" : "\(index + 1)")") }
            // Test names are subjects of their own (`testNames`).
            for match in text.matches(of: /\b(?:function|def|func|fn|fun|void|sub)\s+([A-Za-z_]\w*)/)
                where !match.1.lowercased().hasPrefix("test")
            {
                add(String(match.1), .identifier, "name")
            }
            for match in text.matches(of: /@dataProvider\s+([A-Za-z_]\w*)/) { add(String(match.1), .identifier, "provider") }
            if isTestFile(current) || current.split(separator: "/").contains(where: { ["fixtures", "fixture", "testdata"].contains($0.lowercased()) }) {
                if let payload = payload(in: text) { add(payload, .payload, "payload") }
            }
        }
        return subjects
    }

    /// A string's or a comment's worth of attack payload, if the line has one.
    static func payload(in text: String) -> String? {
        let patterns: [Regex<Substring>] = [
            /(?i)<\s*script\b[^>]*>/, /(?i)\bjavascript:/, /(?i)\bon(?:error|load|mouseover)\s*=/, /(?i)'\s*or\s+'?1'?\s*=\s*'?1/,
            /(?i)\bunion\s+select\b/, /(?:\.\.\/){2,}|\.\.\\\.\.\\/, /%00|\\x00|\\0(?![0-9])/, /(?i)<!ENTITY/, /__proto__/,
            /(?i)\balert\s*\(\s*(?:1|document\.cookie|'xss'|"xss")\s*\)/,
        ]
        for pattern in patterns {
            if let match = text.firstMatch(of: pattern) { return String(match.output) }
        }
        return nil
    }

    /// The comments and string literals of one line of code; knows `//`,
    /// `#`, `--` line comments, `/* */` and `<!-- -->` block comments, and
    /// `"`, `'` and `` ` `` strings with backslash escapes.
    static func codeParts(_ line: String, inBlockComment: inout Bool) -> (comments: [String], strings: [String]) {
        var comments: [String] = []
        var strings: [String] = []
        let characters = Array(line)
        var index = 0
        var current = ""
        func starts(_ token: String) -> Bool {
            let token = Array(token)
            return index + token.count <= characters.count && Array(characters[index..<index + token.count]) == token
        }
        while index < characters.count {
            if inBlockComment {
                if starts("*/") || starts("-->") {
                    comments.append(current)
                    current = ""
                    index += starts("*/") ? 2 : 3
                    inBlockComment = false
                } else {
                    current.append(characters[index])
                    index += 1
                }
                continue
            }
            let c = characters[index]
            if starts("/*") || starts("<!--") {
                inBlockComment = true
                index += starts("/*") ? 2 : 4
                continue
            }
            if starts("//") || (c == "#" && (index == 0 || characters[index - 1].isWhitespace)) {
                comments.append(String(characters[(index + 1)...]).trimmingCharacters(in: CharacterSet(charactersIn: "/# ")))
                return (comments, strings)
            }
            if c == "\"" || c == "'" || c == "`" {
                var end = index + 1
                var literal = ""
                while end < characters.count, characters[end] != c {
                    if characters[end] == "\\", end + 1 < characters.count {
                        literal.append(characters[end])
                        end += 1
                    }
                    literal.append(characters[end])
                    end += 1
                }
                strings.append(literal)
                index = end + 1
                continue
            }
            index += 1
        }
        // A line inside a block comment, such as ` * Prevents XSS.`.
        if inBlockComment {
            comments.append(current.trimmingCharacters(in: CharacterSet(charactersIn: "* ")))
        } else if line.trimmingCharacters(in: .whitespaces).hasPrefix("*") {
            comments.append(line.trimmingCharacters(in: CharacterSet(charactersIn: "* ")))
        }
        return (comments, strings)
    }
}
