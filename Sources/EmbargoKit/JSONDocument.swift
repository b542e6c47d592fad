import Foundation

extension JSONEncoder {
    /// The form of every JSON document embargo writes for people and tools
    /// (command output, manifests, settings): pretty-printed, keys sorted, `/`
    /// left as it is.
    public static func document() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
