// Severity scores and release versions are part of the model every caller of
// the domain reads; each lives in a module of its own that compiles and tests
// without the store.
@_exported import EmbargoSeverity
@_exported import EmbargoVersions
