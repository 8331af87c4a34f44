import AscentCore

/// Recomputes crash points of one scheme with one salt, round after round back along a chain.
public struct CrashVerifier: Sendable {
    /// The formula.
    public let scheme: VerificationScheme
    /// The salt text.
    public let salt: String
    /// The house edge for the `ascent` scheme (ignored by the others, whose edges are fixed).
    public let houseEdgeBasisPoints: Int64
    private let saltKeyedMAC: HMACSHA256
    private let ascent: AscentCrashScheme?

    /// A verifier for `scheme` with `salt`; `houseEdgeBasisPoints` (0 ..< 10000) matters for `ascent` only.
    public init(scheme: VerificationScheme, salt: String, houseEdgeBasisPoints: Int64 = 100) {
        self.scheme = scheme
        self.salt = salt
        self.houseEdgeBasisPoints = houseEdgeBasisPoints
        saltKeyedMAC = HMACSHA256(utf8Key: salt)
        ascent = scheme == .ascent ? AscentCrashScheme(salt: salt, houseEdgeBasisPoints: houseEdgeBasisPoints) : nil
    }

    /// The crash point of the game whose hash (seed) is `gameHash`.
    public func crash(gameHash: Bytes32) -> SchemeCrash {
        switch scheme {
        case .ascent:
            return .multiplier(ascent!.crashPoint(seed: gameHash))
        case .bustabitV1:
            // HMAC keyed by the hash's hex text, over the salt's text.
            let code = HMACSHA256(utf8Key: gameHash.hex).authenticationCode(utf8: salt)
            if code.remainder(dividingBy: 101) == 0 { return .multiplier(Multiplier(hundredths: 0)) }
            let h = Double(code.leading52Bits)
            let e = 4_503_599_627_370_496.0  // 2^52
            // Math.floor((100 * e - h) / (e - h)), in doubles like the original.
            return .multiplier(Multiplier(hundredths: Int64(((100 * e - h) / (e - h)).rounded(.down))))
        case .bustabitV2, .bustabit:
            return Self.bustabitV2Crash(leading52Bits: saltKeyedMAC.authenticationCode(for: gameHash).leading52Bits)
        case .bcgame:
            return Self.bcgameCrash(leading52Bits: saltKeyedMAC.authenticationCode(for: gameHash).leading52Bits)
        }
    }

    /// The previous game's hash under this scheme's chain rule.
    public func previousGameHash(of gameHash: Bytes32) -> Bytes32 { scheme.previousGameHash(of: gameHash) }

    /// bustabit v2's mapping of r (0 ..< 2^52): `max(1, Math.floor(99 / (1 - r / 2^52)) / 100)` in doubles.
    public static func bustabitV2Crash(leading52Bits r: UInt64) -> SchemeCrash {
        precondition(r < 1 << 52)
        return ninetyNineOverOneMinus(Double(r) / 4_503_599_627_370_496.0)
    }

    /// BC.Game's mapping of r (0 ..< 2^52): bustabit v2's after `X = parseFloat(X.toPrecision(9))`;
    /// infinite when X rounds to 1.
    public static func bcgameCrash(leading52Bits r: UInt64) -> SchemeCrash {
        ninetyNineOverOneMinus(roundedToNineSignificantDigits(r))
    }

    /// `max(1, Math.floor(99 / (1 - X)) / 100)` in doubles, as hundredths.
    static func ninetyNineOverOneMinus(_ x: Double) -> SchemeCrash {
        let value = (99 / (1 - x)).rounded(.down)
        guard value.isFinite, value < 9.0e18 else { return .infinite }
        return .multiplier(Multiplier(hundredths: max(100, Int64(value))))
    }

    /// JavaScript's `parseFloat((r / 2^52).toPrecision(9))`, done exactly: the decimal with nine
    /// significant digits nearest to r / 2^52 (ties to the larger, as ECMA-262 specifies), then
    /// parsed with a correctly rounded conversion, as `parseFloat` is.
    public static func roundedToNineSignificantDigits(_ r: UInt64) -> Double {
        precondition(r < 1 << 52)
        guard r > 0 else { return 0 }
        // Find p with 10^8 <= r·10^p / 2^52 < 10^9; then n = round(r·10^p / 2^52) and the value is
        // n·10^-p. r·10^p stays below about 10^9·2^52 < 2^82, well inside 128 bits.
        let lowest = UInt128(100_000_000) << 52
        var scaled = UInt128(r) * 1_000_000_000
        var exponent = 9
        while scaled < lowest {
            scaled *= 10
            exponent += 1
        }
        let digits = (scaled + (UInt128(1) << 51)) >> 52
        return Double("\(digits)e-\(exponent)")!
    }
}
