import EmbargoKit
import EmbargoStore
import Testing

@Suite("plain diffs in git's form")
struct PlainDiffTests {
    let hunk = "@@ -1,2 +1,2 @@\n line one\n-old\n+new\n"

    @Test func namesWithALeadingDirectoryOfTheirOwnLoseIt() throws {
        let diff = "--- a/src/x.php\t2026-01-01 00:00:00.000000000 +0000\n+++ b/src/x.php\t2026-01-01 00:00:01.000000000 +0000\n" + hunk
        #expect(try PlainDiff.gitForm(diff) == "diff --git a/src/x.php b/src/x.php\n--- a/src/x.php\n+++ b/src/x.php\n" + hunk)
        let trees = "diff -ru orig/src/x.php new/src/x.php\n--- orig/src/x.php\t2026-01-01\n+++ new/src/x.php\t2026-01-01\n" + hunk
        #expect(try PlainDiff.gitForm(trees).hasPrefix("diff --git a/src/x.php b/src/x.php\n--- a/src/x.php\n"))
    }

    @Test func namesWithoutOneStayAsTheyAreAndTheTreeSettlesTheRest() throws {
        let orig = "--- src/x.php.orig\t2026-01-01\n+++ src/x.php\t2026-01-01\n" + hunk
        #expect(try PlainDiff.gitForm(orig).hasPrefix("diff --git a/src/x.php b/src/x.php\n"))
        let bare = "--- x.php.orig\n+++ x.php\n" + hunk
        #expect(try PlainDiff.gitForm(bare).hasPrefix("diff --git a/x.php b/x.php\n"))
        // Against a copy elsewhere: only the old name is in the tree.
        let copy = "--- src/x.php\t2026-01-01\n+++ ../x.php.fixed\t2026-01-01\n" + hunk
        #expect(try PlainDiff.gitForm(copy) { $0 == "src/x.php" }.hasPrefix("diff --git a/src/x.php b/src/x.php\n"))
        // a/ and b/ look alike, but the tree has a directory named a.
        let ambiguous = "--- a/x.php\n+++ a/x.php\n" + hunk
        #expect(try PlainDiff.gitForm(ambiguous) { $0 == "a/x.php" }.hasPrefix("diff --git a/a/x.php b/a/x.php\n"))
    }

    @Test func newAndDeletedFilesGetGitsModeLines() throws {
        let created = "--- /dev/null\n+++ b/src/new.php\n@@ -0,0 +1 @@\n+<?php\n"
        #expect(try PlainDiff.gitForm(created) == "diff --git a/src/new.php b/src/new.php\nnew file mode 100644\n--- /dev/null\n+++ b/src/new.php\n@@ -0,0 +1 @@\n+<?php\n")
        // diff -N dates a missing side at the epoch.
        let epoch = "--- orig/src/new.php\t1970-01-01 00:00:00.000000000 +0000\n+++ new/src/new.php\t2026-01-01\n@@ -0,0 +1 @@\n+<?php\n"
        #expect(try PlainDiff.gitForm(epoch).hasPrefix("diff --git a/src/new.php b/src/new.php\nnew file mode 100644\n"))
        let deleted = "--- orig/src/old.php\t2026-01-01\n+++ new/src/old.php\t1970-01-01 00:00:00.000000000 +0000\n@@ -1 +0,0 @@\n-<?php\n"
        #expect(try PlainDiff.gitForm(deleted) == "diff --git a/src/old.php b/src/old.php\ndeleted file mode 100644\n--- a/src/old.php\n+++ /dev/null\n@@ -1 +0,0 @@\n-<?php\n")
    }

    @Test func hunkLinesAreCountedNotGuessed() throws {
        // A removed SQL comment starts with '--- ', and a line without a final newline is marked.
        let diff = "--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,2 @@\n--- old note\n+-- new note\n SELECT 1;\n\\ No newline at end of file\n"
        let form = try PlainDiff.gitForm(diff)
        #expect(form == "diff --git a/q.sql b/q.sql\n--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,2 @@\n--- old note\n+-- new note\n SELECT 1;\n\\ No newline at end of file\n")
        // Two files, the second after a command line of diff -r; a context line an editor emptied.
        let two = "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\ndiff -ru a/y b/y\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-d\n+e\n"
        let both = try PlainDiff.gitForm(two)
        #expect(both.contains("@@ -1,3 +1,3 @@\n a\n \n-b\n+c\ndiff --git a/y b/y\n"))
        #expect(!both.contains("diff -ru"))
    }

    @Test func gitDiffsAreKeptAsTheyAre() throws {
        let git = "diff --git a/x b/x\nindex 1111111..2222222 100644\n--- a/x\n+++ b/x\n" + hunk
        #expect(try PlainDiff.gitForm(git) == git)
    }

    @Test(arguments: [
        ("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n", "it ends inside the last hunk of b/x ('@@ -1,3 +1,3 @@' counts 3 old and 3 new lines)"),
        ("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n+c\n", "line 6 does not fit its hunk ('@@ -1 +1 @@' counts 1 old and 1 new lines)"),
        ("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n?b\n", "line 5 does not fit its hunk ('@@ -1 +1 @@' counts 1 old and 1 new lines)"),
        ("--- a/x\n+++ b/x\n@@ one @@\n", "line 3 is not a hunk header: '@@ one @@'"),
        ("@@ -1 +1 @@\n-a\n+b\n", "the hunk at line 1 has no '--- OLD' and '+++ NEW' lines before it"),
        ("--- a/x\n+++ b/x\n", "the change of b/x (line 1) has no hunk"),
        ("--- a/../../etc/x\n+++ b/../../etc/x\n@@ -1 +1 @@\n-a\n+b\n", "the diff names '../../etc/x', which is not a path inside the project"),
        ("--- /dev/null\n+++ /dev/null\n@@ -0,0 +0,0 @@\n", "a file section has /dev/null on both sides"),
    ])
    func malformedDiffsSayWhatIsWrong(diff: String, message: String) throws {
        let error = try #require(throws: EmbargoError.self) { try PlainDiff.gitForm(diff) }
        #expect(error.message.hasPrefix("the diff is malformed: " + message), "\(error.message)")
        #expect(error.hint == "create it again with 'diff -u OLD NEW' or 'git diff', and do not edit it by hand")
    }
}
