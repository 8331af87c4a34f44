import AscentCore

/// A crash point as a verification scheme reports it.
public enum SchemeCrash: Hashable, Sendable, CustomStringConvertible {
    /// A multiplier in hundredths; bustabit v1's instant bust is 0 (printed 0.00x).
    case multiplier(Multiplier)
    /// No finite value: BC.Game's formula divides by zero when X rounds to 1 (its page shows Infinity).
    case infinite

    /// `2.96x`, `0.00x`, or `Infinity`.
    public var description: String {
        switch self {
        case .multiplier(let multiplier): multiplier.description
        case .infinite: "Infinity"
        }
    }
}
