import AscentCore

/// Ascent's own crash-point formula, computed exactly in integers.
///
/// d = HMAC-SHA256(key = the salt's UTF-8 text, message = the round seed's 32 raw bytes);
/// r = the first 52 bits of d; with house edge E basis points,
///
///     crash (hundredths) = max(100, ceil( (10000 − E) · 2^52 / (100 · (2^52 − r)) ))
///
/// With X = r / 2^52 and Y = (1 − e) / (1 − X), the crash point C = ceil(100·Y) / 100 satisfies
/// C > m ⟺ Y > m for every hundredth m, so P(C > m) = (1 − e) / m (up to 2^-52): an instant crash
/// at 1.00x has probability e, and every fixed auto cash-out target returns exactly 1 − e.
/// docs/fairness.md derives this.
public struct AscentCrashScheme: Sendable {
    /// The public salt, fixed after the chain's terminating hash was published.
    public let salt: String
    /// The house edge in basis points (100 = 1%), 0 ..< 10000.
    public let houseEdgeBasisPoints: Int64
    private let mac: HMACSHA256

    /// The scheme for one chain: `salt` keys the HMAC; `houseEdgeBasisPoints` must be 0 ..< 10000.
    public init(salt: String, houseEdgeBasisPoints: Int64 = 100) {
        precondition((0..<10_000).contains(houseEdgeBasisPoints), "house edge must be 0 ..< 10000 basis points")
        self.salt = salt
        self.houseEdgeBasisPoints = houseEdgeBasisPoints
        mac = HMACSHA256(utf8Key: salt)
    }

    /// The 52 bits of HMAC(salt, seed) that decide the round.
    public func leading52Bits(seed: Bytes32) -> UInt64 {
        mac.authenticationCode(for: seed).leading52Bits
    }

    /// The crash point of the round played with `seed`.
    public func crashPoint(seed: Bytes32) -> Multiplier {
        Self.crashPoint(leading52Bits: leading52Bits(seed: seed), houseEdgeBasisPoints: houseEdgeBasisPoints)
    }

    /// The round secret the authority needs: the seed in hex and its crash point.
    public func roundSecret(seed: Bytes32) -> RoundSecret {
        RoundSecret(seed: seed.hex, crashPoint: crashPoint(seed: seed))
    }

    /// The formula itself, for `r` in 0 ..< 2^52: exact integer ceiling, at least 1.00x.
    public static func crashPoint(leading52Bits r: UInt64, houseEdgeBasisPoints edge: Int64) -> Multiplier {
        precondition(r < 1 << 52, "r has 52 bits")
        precondition((0..<10_000).contains(edge), "house edge must be 0 ..< 10000 basis points")
        // Numerator < 2^66 and denominator <= 100·2^52 < 2^59: exact in 128 bits.
        let numerator = UInt128(10_000 - edge) << 52
        let denominator = 100 * ((UInt128(1) << 52) - UInt128(r))
        let ceiling = (numerator + denominator - 1) / denominator
        // At most 10000·2^52/100 ≈ 4.5·10^17 hundredths: fits Int64 and is below the curve's ceiling.
        return Multiplier(hundredths: max(100, Int64(ceiling)))
    }
}

/// The round secret for `seed` under Ascent's scheme with `salt` and `houseEdgeBasisPoints`
/// (a convenience; keep an `AscentCrashScheme` to avoid re-keying the HMAC every round).
public func roundSecret(seed: Bytes32, salt: String, houseEdgeBasisPoints: Int64) -> RoundSecret {
    AscentCrashScheme(salt: salt, houseEdgeBasisPoints: houseEdgeBasisPoints).roundSecret(seed: seed)
}
