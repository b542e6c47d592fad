#ifndef EMBARGO_CLIBFUZZER_H
#define EMBARGO_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that have their own main
/// (compiler-rt/lib/fuzzer/FuzzerInterface.h). SwiftPM links every executable
/// with `main` renamed to `<module>_main`, so libFuzzer's own main cannot be
/// used; each fuzz target's main.swift calls this instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*callback)(const uint8_t *data, size_t size));

#endif
