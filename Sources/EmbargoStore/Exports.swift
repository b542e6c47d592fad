// Every module that opens a store reports its failures as `EmbargoError`.
@_exported import EmbargoErrors
