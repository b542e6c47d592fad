import EmbargoKit
import Foundation
import Testing

@Suite("process runner: exit status, output and input of child processes")
struct ProcessRunnerTests {
    let runner = SystemProcessRunner()

    @Test func theExitStatusAndBothOutputsComeBack() throws {
        let result = try runner.run("sh", ["-c", "printf out; printf err >&2; exit 7"], environment: nil, directory: nil, input: nil)
        #expect(result.status == 7)
        #expect(result.stdoutText == "out")
        #expect(result.stderrText == "err")
    }

    @Test func inputReachesTheChildAndLargeOutputDoesNotBlock() throws {
        let input = [UInt8]((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let result = try runner.run("cat", [], environment: nil, directory: nil, input: input)
        #expect(result.status == 0)
        #expect(result.stdout == input)
    }

    @Test func manyShortProcessesInARowEachReportTheirOwnStatus() throws {
        for index in 0..<40 {
            let result = try runner.run("sh", ["-c", "echo \(index); exit \(index % 3)"], environment: nil, directory: nil, input: nil)
            #expect(result.status == Int32(index % 3))
            #expect(result.stdoutText == "\(index)\n")
        }
    }

    @Test func theEnvironmentAndDirectoryAreTheOnesGiven() throws {
        let directory = FileManager.default.temporaryDirectory.resolvingSymlinksInPath()
        let result = try runner.run("sh", ["-c", "printf '%s %s' \"$EMBARGO_RUNNER_TEST\" \"$(pwd -P)\""],
                                    environment: ["EMBARGO_RUNNER_TEST": "yes", "PATH": "/usr/bin:/bin"], directory: directory,
                                    input: nil)
        #expect(result.stdoutText == "yes \(directory.path)")
    }

    @Test func aMissingExecutableIsReportedByEnv() throws {
        let result = try runner.run("embargo-no-such-program", [], environment: nil, directory: nil, input: nil)
        #expect(result.status == 127)
    }
}
