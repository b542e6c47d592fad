import EmbargoKit
import EmbargoStore
import Testing

@Suite("the version each kind of release gets")
struct PlannedVersionsTests {
    func plan(_ kind: ReleaseKind, _ branch: String, _ stability: PlannedVersions.Stability? = nil, tags: [String],
              branches: Set<String> = []) throws -> PlannedVersions.Plan
    {
        try PlannedVersions.plan(kind: kind, branch: branch, stability: stability, tags: tags, branchTags: tags, branches: branches)
    }

    @Test func patchCriticalAndSecurityBumpThePatchNumber() throws {
        let tags = ["1.2.0", "1.2.1", "1.2.3", "1.1.9", "2.0.0-alpha1"]
        for kind in [ReleaseKind.patch, .critical, .security] {
            let planned = try plan(kind, "1.2.x", tags: tags)
            #expect(planned.version.description == "1.2.4")
            #expect(planned.previous?.description == "1.2.3")
            #expect(planned.newBranch == nil && planned.branch == "1.2.x")
        }
        #expect(try plan(.patch, "8.x-1.x", tags: ["8.x-1.5", "8.x-1.4"]).version.description == "8.x-1.6")
        #expect(try plan(.patch, "1.3.x", tags: []).version.description == "1.3.0")
        #expect(throws: EmbargoError.self) { try plan(.patch, "1.2.x", .rc, tags: tags) }
    }

    @Test func aMinorReleaseIsTheNextMinorOnANewBranchWhenTheProjectBranchesPerMinor() throws {
        let tags = ["1.1.0", "1.2.0", "1.2.5"]
        let perMinor = try plan(.minor, "1.2.x", tags: tags)
        #expect(perMinor.version.description == "1.3.0")
        #expect(perMinor.newBranch == "1.3.x" && perMinor.branch == "1.2.x")
        #expect(perMinor.previous?.description == "1.2.5")
        // A project with one branch per major releases its minors from it.
        let perMajor = try plan(.minor, "1.x", tags: ["1.0.0", "1.0.3", "1.1.0", "1.1.2"])
        #expect(perMajor.version.description == "1.2.0" && perMajor.newBranch == nil)
        #expect(try plan(.minor, "8.x-1.x", tags: ["8.x-1.5"]).version.description == "8.x-1.6")
    }

    @Test func stabilitySuffixesCountOnFromTheTags() throws {
        let tags = ["1.0.0", "1.1.0", "1.2.0-alpha1", "1.2.0-beta1", "1.2.0-rc1"]
        #expect(try plan(.minor, "1.x", .rc, tags: tags).version.description == "1.2.0-rc2")
        #expect(try plan(.minor, "1.x", .rc, tags: tags).previous?.description == "1.2.0-rc1")
        #expect(try plan(.minor, "1.x", tags: tags).version.description == "1.2.0")
        // The release itself follows the last stable one: its notes cover the alphas, betas and rcs.
        #expect(try plan(.minor, "1.x", tags: tags).previous?.description == "1.1.0")
        #expect(try plan(.minor, "1.x", .alpha, tags: ["1.0.0"]).version.description == "1.1.0-alpha1")
        // A beta after an rc of the same version would go backwards.
        #expect(throws: EmbargoError.self) { try plan(.minor, "1.x", .beta, tags: tags) }
        // Once started by an rc, the new minor branch is where the release is made.
        let started = try plan(.minor, "1.2.x", .rc, tags: ["1.2.0", "1.3.0-rc1"], branches: ["1.2.x", "1.3.x"])
        #expect(started.version.description == "1.3.0-rc2" && started.branch == "1.3.x" && started.newBranch == nil)
    }

    @Test func aMajorReleaseIsTheNextMajorOnANewBranch() throws {
        let tags = ["1.0.0", "1.1.4", "2.0.0-beta1"]
        let major = try plan(.major, "1.x", tags: tags)
        #expect(major.version.description == "3.0.0" && major.newBranch == "3.x")
        #expect(try plan(.major, "1.1.x", .rc, tags: ["1.1.4"]).version.description == "2.0.0-rc1")
        #expect(try plan(.major, "1.1.x", tags: ["1.1.4"]).newBranch == "2.0.x")
        #expect(try plan(.major, "8.x-1.x", tags: ["8.x-1.5"]).version.description == "8.x-2.0")
        #expect(try plan(.major, "8.x-1.x", tags: ["8.x-1.5"]).newBranch == "8.x-2.x")
    }
}
