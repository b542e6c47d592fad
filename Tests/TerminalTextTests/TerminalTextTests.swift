import Testing
import TerminalText

@Suite("text made safe for a terminal")
struct TerminalTextTests {
    @Test func escapesEveryKindOfControl() {
        #expect(TerminalText.line("Title\u{1B}]0;pwned\u{7}") == "Title\\e]0;pwned\\u{7}")
        #expect(TerminalText.line("clear\u{1B}[2J") == "clear\\e[2J")
        #expect(TerminalText.line("a\rb") == "a\\rb")
        #expect(TerminalText.line("a\tb") == "a\\tb")
        #expect(TerminalText.line("nul\u{0}del\u{7F}c1\u{9B}") == "nul\\u{0}del\\u{7F}c1\\u{9B}")
        #expect(TerminalText.line("evil\u{202E}txt.exe") == "evil\\u{202E}txt.exe")
        for scalar: UInt32 in [0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B, 0x202C, 0x202D, 0x2066, 0x2067, 0x2068, 0x2069] {
            let text = "a" + String(Character(Unicode.Scalar(scalar)!)) + "b"
            #expect(!TerminalText.line(text).unicodeScalars.contains { $0.value == scalar }, "U+\(String(scalar, radix: 16)) passed")
        }
    }

    @Test func aSingleLineNeverBreaks() {
        let note = "done\n2026-01-01T00:00:00Z  alice  status  fake row"
        #expect(TerminalText.line(note) == "done\\n2026-01-01T00:00:00Z  alice  status  fake row")
        #expect(!TerminalText.line(note).contains("\n"))
    }

    @Test func aBlockIndentsItsContinuationLines() {
        #expect(TerminalText.block("one\ntwo\n\u{1B}[31mthree", indent: "  ") == "one\n  two\n  \\e[31mthree")
        #expect(TerminalText.block("a\tb") == "a    b")
    }

    @Test func ordinaryTextIsUnchanged() {
        for text in ["plain", "é and e\u{301}", "日本語", "emoji 😀", "quotes \" ' \\ /", "عربى", ""] {
            #expect(TerminalText.line(text) == text)
            #expect(TerminalText.block(text, indent: "  ") == text)
        }
    }
}
