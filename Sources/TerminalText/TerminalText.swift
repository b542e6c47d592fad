/// Text from the store, from git or from imported documents, made safe to
/// show on a terminal: nothing in it can move the cursor, change the title,
/// clear the screen, ring the bell, reorder what follows (bidi controls) or
/// start a line that looks like output embargo wrote itself.
///
/// Every control character and every bidi or line-separator format character
/// is shown as a visible escape: `\e` for ESC, `\r`, `\t` in a single line,
/// otherwise `\u{XX}`. Other text, in any script, is unchanged.
///
/// ```swift
/// TerminalText.line("Title\u{1B}]0;pwned\u{7}")   // "Title\e]0;pwned\u{7}"
/// TerminalText.block("one\ntwo", indent: "  ")     // "one\n  two"
/// ```
public enum TerminalText {
    /// One line: a newline is shown as `\n` too, so a value can never add a row.
    public static func line(_ text: String) -> String {
        render(text, newline: nil, tabs: false)
    }

    /// Several lines: each continuation line starts with `indent`, so it
    /// cannot pass for a line of its own; tabs become spaces.
    public static func block(_ text: String, indent: String = "") -> String {
        render(text, newline: "\n" + indent, tabs: true)
    }

    /// Whether a scalar would be escaped.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F, 0x80...0x9F: return true
        // Bidi embeddings, overrides and isolates, marks, line and paragraph separators.
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func render(_ text: String, newline: String?, tabs: Bool) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = String.UnicodeScalarView()
        out.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            guard isUnsafe(scalar) else {
                out.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x0A:
                if let newline { out.append(contentsOf: newline.unicodeScalars) } else { out.append(contentsOf: "\\n".unicodeScalars) }
            case 0x09 where tabs:
                out.append(contentsOf: "    ".unicodeScalars)
            case 0x09: out.append(contentsOf: "\\t".unicodeScalars)
            case 0x0D: out.append(contentsOf: "\\r".unicodeScalars)
            case 0x1B: out.append(contentsOf: "\\e".unicodeScalars)
            default:
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }
}
