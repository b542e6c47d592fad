import Foundation

extension LeakLinter {
    /// Findings in a bare commit message, as a commit-msg hook sees it: the
    /// default vocabulary and remedy rules, no advisory's own words. Comment
    /// lines and a verbose commit's diff are left out first (`commitMessage`).
    ///
    /// ```swift
    /// LeakLinter.lintMessage("Escape the title in the greeting block").map(\.rule)  // ["escape-output"]
    /// ```
    public static func lintMessage(_ text: String) -> [LintFinding] {
        lint([LintSubject(location: "message", text: commitMessage(text), kind: .message, key: "message")],
             vocabulary: LintVocabulary.defaults)
    }

    /// The message git will record from a commit message file: lines up to
    /// the scissors line (`# ------------------------ >8 ------------------------`,
    /// above the diff of `git commit --verbose`), less `#` comment lines.
    public static func commitMessage(_ text: String) -> String {
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let bare = line.hasSuffix("\r") ? line.dropLast() : line
            if bare.hasPrefix("# ") && bare.contains(">8") && bare.allSatisfy({ "#->8 ".contains($0) }) { break }
            if bare.hasPrefix("#") { continue }
            lines.append(bare)
        }
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
