import EmbargoCrypto
import Foundation

/// `keyring.age`: the store's data key wrapped for every member as a standard
/// age file, so `age -d -i IDENTITY keyring.age` prints it.
public enum Keyring {
    static let prefix = "EMBARGO-DATA-KEY-1 "

    public static func seal(_ dataKey: DataKey, to recipients: [AgeX25519Recipient]) throws -> [UInt8] {
        guard !recipients.isEmpty else {
            throw EmbargoError(.refused, "the store must keep at least one member")
        }
        var text = Array(prefix.utf8) + Array(hex(dataKey.key).utf8) + [0x0A]
        defer { wipe(&text) }
        return try Age.encrypt(text, to: recipients)
    }

    /// Unwraps the data key; a foreign identity is "not a member" (exit 5), a
    /// damaged file a verification failure (exit 4).
    public static func open(_ bytes: [UInt8], identity: any AgeIdentity) throws -> DataKey {
        var text: [UInt8]
        do {
            text = try Age.decrypt(bytes, identities: [identity])
        } catch AgeError.noMatch {
            throw EmbargoError(.accessDenied, "this identity is not a member of the store",
                               hint: "ask a store admin to add you with 'embargo member add NAME --recipient age1... --signing-key RW... --role ROLE' (your keys: 'embargo identity show')")
        } catch {
            throw EmbargoError(.verification, "keyring.age is damaged: \(error)",
                               hint: "restore the store directory from a copy")
        }
        defer { wipe(&text) }
        let prefixBytes = Array(prefix.utf8)
        guard text.count == prefixBytes.count + 64 + 1, Array(text[0..<prefixBytes.count]) == prefixBytes,
              text.last == 0x0A
        else {
            throw EmbargoError(.verification, "keyring.age does not hold an embargo data key")
        }
        let key = try SecureBytes(count: 32) { out in
            for i in 0..<32 {
                guard let hi = hexValue(text[prefixBytes.count + 2 * i]),
                      let lo = hexValue(text[prefixBytes.count + 2 * i + 1])
                else { throw EmbargoError(.verification, "keyring.age does not hold an embargo data key") }
                out[i] = hi << 4 | lo
            }
        }
        return try DataKey(key)
    }

    private static func hex(_ key: SecureBytes) -> String {
        key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
