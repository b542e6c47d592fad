@testable import EmbargoKit
import Testing

@Suite("pre-push guard: hunk fingerprints")
struct HunkFingerprintTests {
    static let patch = """
        diff --git a/src/Greeting.php b/src/Greeting.php
        --- a/src/Greeting.php
        +++ b/src/Greeting.php
        @@ -1,5 +1,6 @@
         <?php
         function greeting(string $title): string {
        -  return 'Hello ' . $title;
        +  $title = htmlspecialchars($title, ENT_QUOTES);
        +  return 'Hello ' . $title;
         }
        +}
        @@ -20,3 +21,4 @@
         function farewell(string $name): string {
        +  $name = trim($name);
        +  return 'Bye ' . strtoupper($name);
        """

    @Test func linesAreSignedWhitespaceFreeAndShortOnesLeftOut() {
        #expect(HunkFingerprint.hunks(of: Self.patch) == [
            ["-return'Hello'.$title;", "+$title=htmlspecialchars($title,ENT_QUOTES);", "+return'Hello'.$title;"],
            ["+$name=trim($name);", "+return'Bye'.strtoupper($name);"],
        ])
    }

    /// A log with one commit changing `lines`.
    func log(_ lines: [String], commit: String = String(repeating: "a", count: 40)) -> [UInt8] {
        Array((["commit \(commit)", "diff --git a/x b/x", "--- a/x", "+++ b/x", "@@ -1 +1 @@"] + lines).joined(separator: "\r\n").utf8)
    }

    @Test func mostOfThePatchIsNeededAndWhitespaceDoesNotCount() {
        let hunks = HunkFingerprint.hunks(of: Self.patch)
        // Re-indented with tabs, the first hunk only: 3 of 5 lines.
        let reindented = HunkFingerprint.changedLines(ofLog: log(["-\treturn 'Hello '.$title;", "+\t$title = htmlspecialchars( $title, ENT_QUOTES );",
                                                                   "+\treturn 'Hello ' . $title;"]))
        let found = HunkFingerprint.match(hunks, in: reindented)
        #expect(found?.share == 0.6 && found?.commits == [String(repeating: "a", count: 40)])
        // The same lines with the opposite signs, or a third of a hunk, are not the fix.
        let reverted = HunkFingerprint.changedLines(ofLog: log(["+return 'Hello ' . $title;", "-$title = htmlspecialchars($title, ENT_QUOTES);"]))
        #expect(HunkFingerprint.match(hunks, in: reverted) == nil)
        let little = HunkFingerprint.changedLines(ofLog: log(["+  $name = trim($name);"]))
        #expect(HunkFingerprint.match(hunks, in: little) == nil)
    }
}
