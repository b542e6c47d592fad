import EmbargoKit
import Testing

@Suite("did you mean")
struct SuggestionTests {
    @Test func editDistanceCountsInsertionsDeletionsReplacementsAndSwaps() {
        #expect(Suggestion.distance("projet", "project") == 1)
        #expect(Suggestion.distance("--branches", "--branch") == 2)
        #expect(Suggestion.distance("porject", "project") == 1)
        #expect(Suggestion.distance("", "abc") == 3)
        #expect(Suggestion.distance("kitten", "sitting") == 3)
    }

    @Test func theNearestCloseNameIsSuggestedAndAFarOneIsNot() {
        let commands = ["project", "advisory", "patch", "prerelease", "publish"]
        #expect(Suggestion.closest(to: "projet", among: commands) == "project")
        #expect(Suggestion.closest(to: "PATCH", among: commands) == "patch")
        #expect(Suggestion.closest(to: "prerelase", among: commands) == "prerelease")
        #expect(Suggestion.closest(to: "frobnicate", among: commands) == nil)
        #expect(Suggestion.closest(to: "--branches", among: ["--branch", "--remote", "--repo"]) == "--branch")
    }
}
