// SwiftPM needs a source file in a C target; the declaration is all it provides.
#include "CLibFuzzer.h"
