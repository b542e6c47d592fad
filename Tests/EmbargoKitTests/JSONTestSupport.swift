import Foundation
import TestSupport

/// Strings that exercise JSON escaping and Unicode handling.
enum TrickyText {
    /// Every character JSON escapes, characters that look escapable but are not
    /// (`/`, DEL, U+2028), and multi-byte, combining and non-BMP characters.
    static let pieces: [String] = [
        "a", "Z", "0", "9", " ", "_", "-", ".", ":", ",", "{", "}", "[", "]",
        "\"", "\\", "/", "\\/", "\\u0041", "\u{7F}", "\u{2028}", "\u{2029}", "\u{FEFF}",
        "é", "e\u{301}", "ß", "€", "中文", "😀", "👩‍👩‍👧", "\u{1F1EB}\u{1F1F7}", "\u{10FFFF}", "\u{FFFD}",
        "\r\n", "CVSS:3.1/AV:N", "https://www.drupal.org/u/jane", "<script>", "null", "true", "1e5", "-0",
    ] + (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }

    static func string(_ random: inout SeededGenerator, maxPieces: Int = 8) -> String {
        let count = Int.random(in: 0...maxPieces, using: &random)
        return (0..<count).map { _ in pieces[Int.random(in: pieces.indices, using: &random)] }.joined()
    }
}

/// The exact UTF-8 bytes: String's `==` treats canonically equivalent strings
/// ("é" and "e\u{301}") as equal, and these tests must not.
func utf8Bytes(_ strings: [String]) -> [[UInt8]] {
    strings.map { Array($0.utf8) }
}
