import Foundation

/// The kinds of release a team makes (DOMAIN.md, "Every release kind").
/// Every kind follows the same roles; they differ in when they may happen,
/// how the version is bumped, and what must happen before publication.
public enum ReleaseKind: String, CaseIterable, Codable, Sendable {
    /// A scheduled patch release: every other Wednesday, published 16:00-20:00 UTC.
    case patch
    /// A critical patch release: as soon as possible, any day.
    case critical
    /// A minor release: release candidates and QA; not on a patch Wednesday.
    case minor
    /// A major release: like minor, for breaking changes.
    case major
    /// A security release: a patch release with an embargo, on a Wednesday.
    case security

    /// Whether the version is a patch bump (1.2.3 -> 1.2.4).
    public var bumpsPatch: Bool { self == .patch || self == .critical || self == .security }

    /// Whether QA must pass before publication.
    public var needsQA: Bool { self == .minor || self == .major }
}
