import EmbargoVersions

/// The input's first line is a branch name, the other lines tag names, as
/// `embargo advisory releases` reads them from git. Parsing either succeeds or
/// returns nil / throws; a trap or a sanitizer report is a bug, and so is a
/// version that does not survive printing and parsing again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var versions: [ReleaseVersion] = []
    for line in lines {
        if let version = ReleaseVersion(line) {
            guard ReleaseVersion(version.description) == version else {
                fatalError("\(line) parses but its description \(version.description) does not parse back")
            }
            precondition(version.nextSecurityRelease > version)
            versions.append(version)
        }
        if let branch = ReleaseBranch(line) {
            _ = branch.firstVersion
            _ = versions.filter(branch.contains)
        }
    }
    _ = versions.sorted()
    guard let branch = lines.first else { return 0 }
    if let releases = try? BranchReleases.compute(branch: branch, tags: Array(lines.dropFirst())) {
        _ = AffectedRanges([releases]).constraint
    }
    return 0
}
