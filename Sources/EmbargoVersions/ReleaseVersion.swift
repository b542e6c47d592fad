import EmbargoErrors
import Foundation

/// A release version as Drupal projects write them: `MAJOR.MINOR.PATCH[-stability]`
/// (semantic versioning) or the legacy `8.x-MAJOR.PATCH[-stability]`, where
/// stability is `dev`, `alphaN`, `betaN` or `rcN`.
public struct ReleaseVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Stability: Sendable, Hashable, Comparable {
        case dev
        case alpha(Int)
        case beta(Int)
        case rc(Int)
        case stable

        var rank: (Int, Int) {
            switch self {
            case .dev: return (0, 0)
            case .alpha(let n): return (1, n)
            case .beta(let n): return (2, n)
            case .rc(let n): return (3, n)
            case .stable: return (4, 0)
            }
        }

        public static func < (lhs: Stability, rhs: Stability) -> Bool { lhs.rank < rhs.rank }

        public var suffix: String {
            switch self {
            case .dev: return "-dev"
            case .alpha(let n): return "-alpha\(n)"
            case .beta(let n): return "-beta\(n)"
            case .rc(let n): return "-rc\(n)"
            case .stable: return ""
            }
        }
    }

    /// The Drupal core prefix of a legacy version (`8` in `8.x-1.5`), else nil.
    public var core: Int?
    public var major: Int
    public var minor: Int
    /// Legacy versions have no separate patch number (`8.x-1.5`: minor 5).
    public var patch: Int?
    public var stability: Stability

    public init?(_ text: String) {
        var rest = Substring(text)
        // Regex literals are compiled on each evaluation: test for ".x-" first.
        if rest.contains(".x-"), let match = rest.firstMatch(of: /^([0-9]+)\.x-/) {
            guard let core = Int(match.1) else { return nil }
            self.core = core
            rest = rest[match.range.upperBound...]
        } else {
            core = nil
        }
        var stabilityText: Substring?
        if let dash = rest.firstIndex(of: "-") {
            stabilityText = rest[rest.index(after: dash)...]
            rest = rest[..<dash]
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              numbers.allSatisfy({ $0 == "0" || !$0.hasPrefix("0") })
        else { return nil }
        let values = numbers.compactMap { Int($0) }
        guard values.count == numbers.count else { return nil }
        if core != nil {
            guard values.count == 2 else { return nil }
            major = values[0]
            minor = values[1]
            patch = nil
        } else {
            guard values.count == 3 else { return nil }
            major = values[0]
            minor = values[1]
            patch = values[2]
        }
        // The number nextSecurityRelease bumps must have a successor: a tag such
        // as 1.2.9223372036854775807 is not a release version, not a crash.
        guard (patch ?? minor) < Int.max else { return nil }
        if let stabilityText {
            guard let parsed = Self.parseStability(stabilityText) else { return nil }
            stability = parsed
        } else {
            stability = .stable
        }
    }

    private static func parseStability(_ text: Substring) -> Stability? {
        if text == "dev" { return .dev }
        for (prefix, make) in [("alpha", Stability.alpha), ("beta", Stability.beta), ("rc", Stability.rc)] as [(String, (Int) -> Stability)] {
            if text.hasPrefix(prefix), let n = Int(text.dropFirst(prefix.count)), n > 0, n < Int.max,
               String(n) == text.dropFirst(prefix.count)
            {
                return make(n)
            }
        }
        return nil
    }

    public var description: String {
        let numbers = core.map { "\($0).x-\(major).\(minor)" } ?? "\(major).\(minor).\(patch ?? 0)"
        return numbers + stability.suffix
    }

    /// Compared as Composer does: a legacy `8.x-1.6` is `1.6.0`, older than `2.0.0`.
    public var numbers: [Int] { core == nil ? [major, minor, patch ?? 0] : [major, minor, 0] }

    public static func < (lhs: ReleaseVersion, rhs: ReleaseVersion) -> Bool {
        if lhs.numbers != rhs.numbers { return lhs.numbers.lexicographicallyPrecedes(rhs.numbers) }
        return lhs.stability < rhs.stability
    }

    /// The next security release: a patch bump (`1.2.3` -> `1.2.4`, `8.x-1.5` ->
    /// `8.x-1.6`); a pre-release bumps its stability number (`1.3.0-beta2` ->
    /// `1.3.0-beta3`), since its stable release is not out yet.
    public var nextSecurityRelease: ReleaseVersion {
        var next = self
        switch stability {
        case .stable, .dev:
            if core != nil { next.minor += 1 } else { next.patch = (patch ?? 0) + 1 }
            next.stability = .stable
        case .alpha(let n): next.stability = .alpha(n + 1)
        case .beta(let n): next.stability = .beta(n + 1)
        case .rc(let n): next.stability = .rc(n + 1)
        }
        return next
    }
}

/// A release branch name and the versions released from it:
/// `1.2.x` (1.2.*), `2.x` (2.*.*), `8.x-1.x` (8.x-1.*).
public struct ReleaseBranch: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let core: Int?
    public let major: Int
    public let minor: Int?

    public init?(_ name: String) {
        self.name = name
        // Every form ends in ".x"; regex literals are compiled on each evaluation.
        guard name.hasSuffix(".x") else { return nil }
        if let match = name.wholeMatch(of: /([0-9]+)\.x-([0-9]+)\.x/), let core = Int(match.1), let major = Int(match.2) {
            self.core = core
            self.major = major
            self.minor = nil
        } else if let match = name.wholeMatch(of: /([0-9]+)\.([0-9]+)\.x/), let major = Int(match.1), let minor = Int(match.2) {
            core = nil
            self.major = major
            self.minor = minor
        } else if let match = name.wholeMatch(of: /([0-9]+)\.x/), let major = Int(match.1) {
            core = nil
            self.major = major
            minor = nil
        } else {
            return nil
        }
    }

    public var description: String { name }

    public func contains(_ version: ReleaseVersion) -> Bool {
        version.core == core && version.major == major && (minor == nil || version.minor == minor)
    }

    /// The version a branch's first release would have (`1.2.x` -> `1.2.0`, `8.x-1.x` -> `8.x-1.0`).
    public var firstVersion: ReleaseVersion {
        ReleaseVersion(core.map { "\($0).x-\(major).0" } ?? "\(major).\(minor ?? 0).0")!
    }
}

/// Releases of one branch: what was last released and what the security release will be.
public struct BranchReleases: Sendable, Equatable, Codable {
    public var branch: String
    public var firstRelease: String?
    public var lastRelease: String?
    public var nextRelease: String

    public init(branch: String, firstRelease: String?, lastRelease: String?, nextRelease: String) {
        self.branch = branch
        self.firstRelease = firstRelease
        self.lastRelease = lastRelease
        self.nextRelease = nextRelease
    }

    enum CodingKeys: String, CodingKey {
        case branch
        case firstRelease = "first_release"
        case lastRelease = "last_release"
        case nextRelease = "next_release"
    }

    /// Computes the releases from a branch's tag names (other tags are ignored).
    public static func compute(branch: String, tags: [String]) throws -> BranchReleases {
        guard let parsed = ReleaseBranch(branch) else {
            throw EmbargoError(.failure, "branch \(branch) is not a release branch name",
                               hint: "release branches look like 1.2.x, 2.x or 8.x-1.x")
        }
        let versions = tags.compactMap(ReleaseVersion.init).filter(parsed.contains).sorted()
        let last = versions.last
        return BranchReleases(
            branch: branch, firstRelease: versions.first?.description, lastRelease: last?.description,
            nextRelease: (last?.nextSecurityRelease ?? parsed.firstVersion).description)
    }
}

/// The affected version ranges of an advisory, in every form the exports need.
public struct AffectedRanges: Sendable, Equatable {
    public struct Range: Sendable, Equatable {
        /// nil for the oldest branch: every earlier version is affected.
        public var introduced: String?
        public var fixed: String

        public init(introduced: String?, fixed: String) {
            self.introduced = introduced
            self.fixed = fixed
        }

        /// Composer form: `<1.2.4` or `>=1.3.0 <1.3.8`.
        public var constraint: String {
            introduced.map { ">=\($0) <\(fixed)" } ?? "<\(fixed)"
        }
    }

    public var ranges: [Range]

    /// The oldest branch is affected from the start, or from `affectedFrom`
    /// when the flaw came in later; each later branch from its first release.
    /// A branch whose fix is not after `affectedFrom` is not affected at all,
    /// and has no range.
    public init(_ releases: [BranchReleases], affectedFrom: String? = nil) {
        let ordered = releases.sorted {
            (ReleaseVersion($0.nextRelease) ?? ReleaseVersion("0.0.0")!) < (ReleaseVersion($1.nextRelease) ?? ReleaseVersion("0.0.0")!)
        }
        var ranges = ordered.enumerated().map { index, release in
            Range(introduced: index == 0 ? nil : Self.start(of: release), fixed: release.nextRelease)
        }
        if let affectedFrom, let first = ReleaseVersion(affectedFrom) {
            ranges.removeAll { ReleaseVersion($0.fixed).map { $0 <= first } ?? false }
            if let oldest = ranges.first, oldest.introduced.flatMap(ReleaseVersion.init).map({ $0 < first }) ?? true {
                ranges[0].introduced = affectedFrom
            }
        }
        self.ranges = ranges
    }

    /// Drupal and Composer form: `<1.0.7 || >=1.1.0 <1.1.7`.
    public var constraint: String { ranges.map(\.constraint).joined(separator: " || ") }

    /// Where a later branch's range starts: its first release, or its first
    /// stable version (`1.1.0`) when it began with alphas, betas or release
    /// candidates and the fix is a stable release: a security advisory covers
    /// stable releases, as drupal.org's do (`>=1.1.0 <1.1.7`).
    static func start(of release: BranchReleases) -> String? {
        guard let first = release.firstRelease else { return ReleaseBranch(release.branch)?.firstVersion.description }
        guard let parsed = ReleaseVersion(first), parsed.stability != .stable,
              ReleaseVersion(release.nextRelease)?.stability == .stable
        else { return first }
        var stable = parsed
        stable.stability = .stable
        stable.patch = stable.patch.map { _ in 0 }
        return stable.description
    }
}
