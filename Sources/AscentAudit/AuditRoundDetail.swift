import AscentCore

/// A round as rebuilt from the log, column for column as the projection's `rounds` and `bets`
/// rows should hold it, so `audit round` can print it and compare it with PostgreSQL.
public struct AuditRoundDetail: Hashable, Sendable {
    /// A bet of the round as the `bets` row should hold it.
    public struct BetRow: Hashable, Sendable {
        /// The bet's id.
        public var betID: String
        /// Whose bet.
        public var player: String
        /// The stake's currency code.
        public var currency: String
        /// The stake in minor units.
        public var stakeMinor: Int64
        /// The auto cash-out target, if any.
        public var autoCashOutHundredths: Int64?
        /// placed, rejected, cancelled, cashed_out, lost or refunded (the projection's words).
        public var status: String
        /// When the bet was accepted (epoch ms).
        public var placedAt: Int64?
        /// The cash-out multiplier, if cashed out.
        public var cashOutHundredths: Int64?
        /// manual, auto or maximumWin.
        public var cashOutReason: String?
        /// The payout in minor units (0 when lost or refunded).
        public var payoutMinor: Int64?
        /// When its outcome was decided (epoch ms): cash-out instant, crash, void, cancellation or rejection.
        public var settledAt: Int64?
        /// Why the authority refused it, for rejected bets.
        public var rejectReason: String?
    }

    /// The table's id.
    public var table: String
    /// The round number.
    public var round: Int64
    /// betting, closed, flying, crashed, settled or voided.
    public var phase: String
    /// SHA-256 of the seed, shown at betting.
    public var commitment: String?
    /// The seed revealed at the crash.
    public var seed: String?
    /// The logged crash point.
    public var crashPointHundredths: Int64?
    /// When betting opened (instants are epoch milliseconds, as logged).
    public var openedAt: Int64?
    /// When betting closes.
    public var bettingClosesAt: Int64?
    /// When the curve started.
    public var tookOffAt: Int64?
    /// The crash instant.
    public var crashedAt: Int64?
    /// When `roundSettled` was logged.
    public var settledAt: Int64?
    /// When the round was voided.
    public var voidedAt: Int64?
    /// Why it was voided.
    public var voidReason: String?
    /// From `roundSettled`: how many bets it settled.
    public var bets: Int64?
    /// The totals' currency.
    public var currency: String?
    /// Total stake of the round's bets.
    public var totalStakeMinor: Int64?
    /// Total payout.
    public var totalPayoutMinor: Int64?
    /// Bets in the order they first appeared.
    public var betRows: [BetRow] = []

    init(table: String, round: Int64) {
        self.table = table
        self.round = round
        self.phase = "betting"
    }

    mutating func updateBet(_ id: BetID, player: PlayerID, stake: Money, _ change: (inout BetRow) -> Void) {
        if let index = betRows.firstIndex(where: { $0.betID == id.rawValue }) {
            change(&betRows[index])
        } else {
            var row = BetRow(betID: id.rawValue, player: player.rawValue, currency: stake.currency.code, stakeMinor: stake.minorUnits,
                             status: "placed")
            change(&row)
            betRows.append(row)
        }
    }

    /// The round's columns by their PostgreSQL names, as text (nil for SQL null), for comparison.
    public var roundColumns: [(name: String, value: String?)] {
        [("phase", phase), ("commitment", commitment), ("seed", seed), ("crash_point_hundredths", columnText(crashPointHundredths)),
         ("opened_at", columnText(openedAt)), ("betting_closes_at", columnText(bettingClosesAt)), ("took_off_at", columnText(tookOffAt)),
         ("crashed_at", columnText(crashedAt)), ("settled_at", columnText(settledAt)), ("voided_at", columnText(voidedAt)),
         ("void_reason", voidReason), ("bets", columnText(bets)), ("currency", currency),
         ("total_stake_minor", columnText(totalStakeMinor)), ("total_payout_minor", columnText(totalPayoutMinor))]
    }
}

extension AuditRoundDetail.BetRow {
    /// The bet's columns by their PostgreSQL names, as text (nil for SQL null); instants in epoch milliseconds.
    public var columns: [(name: String, value: String?)] {
        [("player_id", player), ("currency", currency), ("stake_minor", String(stakeMinor)),
         ("auto_cash_out_hundredths", columnText(autoCashOutHundredths)), ("status", status), ("placed_at", columnText(placedAt)),
         ("cash_out_hundredths", columnText(cashOutHundredths)), ("cash_out_reason", cashOutReason), ("payout_minor", columnText(payoutMinor)),
         ("settled_at", columnText(settledAt)), ("reject_reason", rejectReason)]
    }
}

private func columnText(_ value: Int64?) -> String? { value.map { String($0) } }
