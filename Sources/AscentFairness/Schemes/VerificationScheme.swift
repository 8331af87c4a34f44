/// The published crash formulas that `ascent verify` can check, each exactly as its public
/// JavaScript computes it (IEEE doubles where the JavaScript uses them). Sources are cited in
/// docs/fairness.md.
public enum VerificationScheme: String, CaseIterable, Sendable {
    /// Ascent's own scheme: HMAC keyed by the salt over the raw seed, exact integer ceiling.
    case ascent
    /// bustabit's first scheme (2015): HMAC keyed by the game hash's hex text over the salt text,
    /// 1 in 101 games busts instantly at 0.00x.
    case bustabitV1 = "bustabit-v1"
    /// bustabit's second scheme (2018): HMAC keyed by the salt over the raw game hash; chain of hex text.
    case bustabitV2 = "bustabit-v2"
    /// bustabit's current chain (2025): as v2, but the chain hashes the raw 32 bytes.
    case bustabit
    /// BC.Game's crash: the v2 mapping after rounding X to 9 significant digits.
    case bcgame

    /// The salt its operator published, used when `--salt` is not given; nil when one must be given.
    public var defaultSalt: String? {
        switch self {
        case .ascent: nil
        case .bustabitV1: "000000000000000007a9a31ff7f07463d91af6b5454241d5faf282e5e0fe1b3a"
        case .bustabitV2: "0000000000000000004d6ec16dafe9d8370958664c1dc422f452892264c59526"
        case .bustabit: "00000000000000000001e08b7fd44f95e3e950ac65650a8031a6d5e1750e34be"
        case .bcgame: "0000000000000000000301e2801a9a9598bfb114e574a91a887f2132f33047e6"
        }
    }

    /// The previous game's hash: SHA-256 of the raw bytes (ascent, bustabit) or of the lower-case
    /// hex text (bustabit-v1, bustabit-v2, bcgame).
    public func previousGameHash(of gameHash: Bytes32) -> Bytes32 {
        switch self {
        case .ascent, .bustabit: SHA256.hash(gameHash)
        case .bustabitV1, .bustabitV2, .bcgame: SHA256.hash(utf8: gameHash.hex)
        }
    }
}
