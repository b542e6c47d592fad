import EmbargoKit
import Foundation

let date = Date(timeIntervalSince1970: 1_767_225_600)

/// Patch input either parses or throws an EmbargoError; a trap or a sanitizer
/// report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // `embargo patch add --file`: git format-patch output.
    if let patches = try? Mbox.parse(bytes) {
        for patch in patches { _ = patch.addedLines }
    }
    // `--file` with a plain diff and --message/--author.
    if let patch = try? Mbox.fromDiff(bytes, message: "Fix access bypass\n\nDetails.", author: "A U Thor <author@example.com>", date: date) {
        _ = patch.addedLines
    }
    // The same with the message and author taken from the input's first two
    // lines, the diff from the rest, so their checks are fuzzed too.
    let lines = bytes.split(separator: 0x0A, maxSplits: 2, omittingEmptySubsequences: false)
    if lines.count == 3 {
        _ = try? Mbox.fromDiff(Array(lines[2]), message: String(decoding: lines[0], as: UTF8.self),
                               author: String(decoding: lines[1], as: UTF8.self), date: date)
    }
    return 0
}
