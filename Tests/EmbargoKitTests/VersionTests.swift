import EmbargoVersions
import Testing

@Suite("release versions")
struct VersionTests {
    @Test(arguments: [
        ("1.2.3", "1.2.4"), ("1.0.0", "1.0.1"), ("10.4.19", "10.4.20"),
        ("1.3.0-alpha1", "1.3.0-alpha2"), ("2.0.0-beta2", "2.0.0-beta3"), ("1.1.0-rc1", "1.1.0-rc2"),
        ("8.x-1.5", "8.x-1.6"), ("8.x-3.0-beta2", "8.x-3.0-beta3"), ("7.x-2.19", "7.x-2.20"),
    ])
    func nextSecurityReleaseIsAPatchBump(_ last: String, _ next: String) throws {
        let version = try #require(ReleaseVersion(last))
        #expect(version.description == last)
        #expect(version.nextSecurityRelease.description == next)
    }

    @Test(arguments: ["", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.3-beta", "1.2.3-gamma1", "1.2.3-rc0", "8.x-1", "8.x-1.2.3", "v1.2.3", "1.2.x"])
    func malformedVersionsAreRejected(_ text: String) {
        #expect(ReleaseVersion(text) == nil)
    }

    /// Found by fuzzing: the next release of a tag whose last number is Int.max
    /// overflowed and crashed `embargo advisory releases` and the exports.
    @Test func versionsWithoutASuccessorAreNotReleases() throws {
        for text in ["1.2.9223372036854775807", "8.x-1.9223372036854775807", "1.2.3-rc9223372036854775807"] {
            #expect(ReleaseVersion(text) == nil, "\(text)")
        }
        let largest = try #require(ReleaseVersion("1.2.9223372036854775806"))
        #expect(largest.nextSecurityRelease.description == "1.2.9223372036854775807")
        let releases = try BranchReleases.compute(branch: "1.2.x", tags: ["1.2.3", "1.2.9223372036854775807"])
        #expect(releases.lastRelease == "1.2.3" && releases.nextRelease == "1.2.4")
        let branch = try #require(ReleaseBranch("9223372036854775807.9223372036854775807.x"))
        #expect(branch.firstVersion.description == "9223372036854775807.9223372036854775807.0")
    }

    @Test func orderingFollowsStability() throws {
        let ordered = ["1.2.0-dev", "1.2.0-alpha1", "1.2.0-alpha2", "1.2.0-beta1", "1.2.0-rc1", "1.2.0", "1.2.1", "1.10.0"]
        let versions = ordered.compactMap(ReleaseVersion.init)
        #expect(versions.count == ordered.count)
        #expect(versions.shuffled().sorted() == versions)
    }

    @Test func branchReleasesFromTags() throws {
        let tags = ["1.0.0", "1.0.1", "1.1.0-beta1", "1.1.0", "1.1.1", "1.1.2", "2.0.0-alpha1", "junk", "8.x-1.5"]
        let old = try BranchReleases.compute(branch: "1.0.x", tags: tags)
        #expect(old == BranchReleases(branch: "1.0.x", firstRelease: "1.0.0", lastRelease: "1.0.1", nextRelease: "1.0.2"))
        let current = try BranchReleases.compute(branch: "1.1.x", tags: tags)
        #expect(current.firstRelease == "1.1.0-beta1" && current.lastRelease == "1.1.2" && current.nextRelease == "1.1.3")
        let next = try BranchReleases.compute(branch: "2.x", tags: tags)
        #expect(next.lastRelease == "2.0.0-alpha1" && next.nextRelease == "2.0.0-alpha2")
        let legacy = try BranchReleases.compute(branch: "8.x-1.x", tags: tags)
        #expect(legacy.lastRelease == "8.x-1.5" && legacy.nextRelease == "8.x-1.6")
        let unreleased = try BranchReleases.compute(branch: "1.2.x", tags: tags)
        #expect(unreleased.lastRelease == nil && unreleased.nextRelease == "1.2.0")
        #expect(throws: (any Error).self) { try BranchReleases.compute(branch: "main", tags: tags) }
    }

    /// The shape of real Drupal advisories (DRUPAL-CONTRIB-2025-119: `<1.0.7 || >=1.1.0 <1.1.7 || >=1.2.0 <1.2.4`).
    @Test func affectedRangesMatchDrupalAdvisories() throws {
        let releases = [
            BranchReleases(branch: "1.2.x", firstRelease: "1.2.0", lastRelease: "1.2.3", nextRelease: "1.2.4"),
            BranchReleases(branch: "1.0.x", firstRelease: "1.0.0", lastRelease: "1.0.6", nextRelease: "1.0.7"),
            BranchReleases(branch: "1.1.x", firstRelease: "1.1.0", lastRelease: "1.1.6", nextRelease: "1.1.7"),
        ]
        let ranges = AffectedRanges(releases)
        #expect(ranges.constraint == "<1.0.7 || >=1.1.0 <1.1.7 || >=1.2.0 <1.2.4")
        #expect(ranges.ranges.map(\.introduced) == [nil, "1.1.0", "1.2.0"])
        #expect(AffectedRanges([releases[0]]).constraint == "<1.2.4")
    }

    /// A flaw that came in later: the ranges start at its first affected
    /// version, and a branch fixed before it has none.
    @Test func affectedRangesStartWhereTheFlawCameIn() throws {
        let releases = [
            BranchReleases(branch: "1.1.x", firstRelease: "1.1.0", lastRelease: "1.1.6", nextRelease: "1.1.7"),
            BranchReleases(branch: "1.2.x", firstRelease: "1.2.0", lastRelease: "1.2.3", nextRelease: "1.2.4"),
        ]
        #expect(AffectedRanges(releases, affectedFrom: "1.1.3").constraint == ">=1.1.3 <1.1.7 || >=1.2.0 <1.2.4")
        #expect(AffectedRanges(releases, affectedFrom: "1.2.1").constraint == ">=1.2.1 <1.2.4")
        #expect(AffectedRanges([releases[1]], affectedFrom: "1.2.0").constraint == ">=1.2.0 <1.2.4")
        // Before the oldest branch's first release: as without it.
        #expect(AffectedRanges(releases, affectedFrom: "1.0.0").constraint == ">=1.0.0 <1.1.7 || >=1.2.0 <1.2.4")
        #expect(AffectedRanges(releases, affectedFrom: nil).constraint == "<1.1.7 || >=1.2.0 <1.2.4")
    }

    /// A branch that began with alphas or betas is affected from its first
    /// stable version, as drupal.org writes it (advisories cover stable releases).
    @Test func aBranchThatBeganWithBetasStartsAtItsFirstStableVersion() throws {
        let releases = [
            BranchReleases(branch: "1.0.x", firstRelease: "1.0.0", lastRelease: "1.0.6", nextRelease: "1.0.7"),
            BranchReleases(branch: "1.1.x", firstRelease: "1.1.0-beta1", lastRelease: "1.1.2", nextRelease: "1.1.3"),
            BranchReleases(branch: "8.x-2.x", firstRelease: "8.x-2.0-alpha2", lastRelease: "8.x-2.4", nextRelease: "8.x-2.5"),
        ]
        #expect(AffectedRanges(Array(releases[0...1])).constraint == "<1.0.7 || >=1.1.0 <1.1.3")
        #expect(AffectedRanges([releases[0], releases[2]]).ranges.last?.introduced == "8.x-2.0")
        // A branch with only a beta to fix keeps its first release.
        let beta = BranchReleases(branch: "1.2.x", firstRelease: "1.2.0-beta1", lastRelease: "1.2.0-beta2", nextRelease: "1.2.0-beta3")
        #expect(AffectedRanges([releases[0], beta]).constraint == "<1.0.7 || >=1.2.0-beta1 <1.2.0-beta3")
    }
}
