import AscentCore
import AscentFairness

/// A player's credential, issued by the operator: `base64url(playerId) "." expiry "." hex(HMAC)`, the
/// HMAC-SHA256 keyed by the operator's secret over the first two parts. Whoever holds the token acts
/// as that player and no other, until it expires.
public struct PlayerToken: Hashable, Sendable {
    /// The player it speaks for.
    public let player: PlayerID
    /// Seconds since the Unix epoch after which it is refused.
    public let expiresAt: Int64

    /// Why a token was refused.
    public enum Refusal: Error, Hashable, Sendable {
        /// Not three dot-separated parts of the right alphabet.
        case malformed
        /// The HMAC does not match: forged or signed with another secret.
        case badSignature
        /// Past its expiry.
        case expired
    }

    /// A token for `player` valid until `expiresAt`.
    public init(player: PlayerID, expiresAt: Int64) {
        self.player = player
        self.expiresAt = expiresAt
    }

    /// The signed token text.
    public func signed(secret: [UInt8]) -> String {
        let body = Self.base64URL(Array(player.rawValue.utf8)) + "." + String(expiresAt)
        return body + "." + HMACSHA256(key: secret).authenticationCode(utf8: body).hex
    }

    /// Checks `text` against `secret` at `nowSeconds` and returns the token it carries.
    public static func verify(_ text: String, secret: [UInt8], nowSeconds: Int64) throws(Refusal) -> PlayerToken {
        guard text.utf8.count <= 512 else { throw .malformed }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let expiry = Int64(parts[1]), let playerBytes = decodeBase64URL(parts[0]),
              !playerBytes.isEmpty, playerBytes.count <= 64, let player = String(validating: playerBytes, as: UTF8.self),
              parts[2].utf8.count == 64 else { throw .malformed }
        let expected = HMACSHA256(key: secret).authenticationCode(utf8: parts[0] + "." + parts[1]).hex
        // Compare every byte whatever the first difference, so timing reveals nothing.
        var difference: UInt8 = 0
        for (a, b) in zip(expected.utf8, parts[2].utf8) { difference |= a ^ b }
        guard difference == 0 else { throw .badSignature }
        guard nowSeconds < expiry else { throw .expired }
        return PlayerToken(player: PlayerID(player), expiresAt: expiry)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<(chunk.count + 1) { out.append(alphabet[Int((value >> (18 - 6 * UInt32(position))) & 63)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        var values: [UInt32] = []
        for byte in text.utf8 {
            guard let position = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt32(position))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = Array(values[index..<min(index + 4, values.count)])
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | $1.element << (18 - 6 * UInt32($1.offset)) }
            for position in 0..<(chunk.count - 1) { out.append(UInt8((value >> (16 - 8 * UInt32(position))) & 255)) }
            index += 4
        }
        // Reject non-canonical encodings (stray low bits), so one player has one token text.
        guard base64URL(out) == String(text) else { return nil }
        return out
    }
}
