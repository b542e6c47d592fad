import CLibFuzzer
import Foundation

// SwiftPM renames an executable's main, so libFuzzer's own main is not linked:
// start its driver here with the command line (-max_total_time=..., corpus dirs).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) })
