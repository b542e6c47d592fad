import TerminalText

/// Whatever the input, what embargo shows on a terminal holds no control
/// byte but the newline, no ESC, DEL or C1 control, and no bidi control; a
/// single line holds no newline either, and a block's continuation lines
/// start with its indent.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let line = TerminalText.line(text)
    check(line, newlines: false)
    let block = TerminalText.block(text, indent: "  ")
    check(block, newlines: true)
    // Bytes, not Characters: a combining mark after the indent would make
    // Character-wise hasPrefix fail although the two spaces are there.
    for continuation in Array(block.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).dropFirst() {
        precondition(continuation.starts(with: [0x20, 0x20]), "a continuation line lost its indent")
    }
    return 0
}

func check(_ rendered: String, newlines: Bool) {
    for byte in rendered.utf8 {
        precondition(byte >= 0x20 || (newlines && byte == 0x0A), "control byte \(byte) reached the terminal")
        precondition(byte != 0x7F, "DEL reached the terminal")
    }
    for scalar in rendered.unicodeScalars {
        precondition(!TerminalText.isUnsafe(scalar) || (newlines && scalar == "\n"), "U+\(String(scalar.value, radix: 16)) reached the terminal")
        precondition(!(0x80...0x9F).contains(scalar.value), "a C1 control reached the terminal")
        precondition(!(0x202A...0x202E).contains(scalar.value) && !(0x2066...0x2069).contains(scalar.value), "a bidi control reached the terminal")
    }
}
