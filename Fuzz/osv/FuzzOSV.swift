import EmbargoKit

/// `embargo advisory import`: an OSV document either imports or throws an
/// EmbargoError; a trap or a sanitizer report is a bug. The CVSS vectors it
/// carries go through the severity parser, as the import does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let result = try? OSVImport.parse(bytes) else { return 0 }
    for vector in result.input.cvssVectors ?? [] {
        _ = try? Severity(parsing: vector)
    }
    return 0
}
