import AscentCore

/// A round as rebuilt from the log, column for column as the projection's `rounds` and `bets`
/// rows should hold it, so `audit round` can print it and compare it with PostgreSQL.
public struct AuditRoundDetail: Hashable, Sendable {
    /// A bet of the round as the `bets` row should hold it.
    public struct BetRow: Hashable, Sendable {
        public var betID: String
        public var player: String
        public var currency: String
        public var stakeMinor: Int64
        public var autoCashOutHundredths: Int64?
        /// placed, rejected, cancelled, cashed_out, lost or refunded (the projection's words).
        public var status: String
        public var placedAt: Int64?
        public var cashOutHundredths: Int64?
        public var cashOutReason: String?
        public var payoutMinor: Int64?
        public var settledAt: Int64?
        public var rejectReason: String?
    }

    public var table: String
    public var round: Int64
    /// betting, closed, flying, crashed, settled or voided.
    public var phase: String
    public var commitment: String?
    public var seed: String?
    public var crashPointHundredths: Int64?
    public var openedAt: Int64?
    public var bettingClosesAt: Int64?
    public var tookOffAt: Int64?
    public var crashedAt: Int64?
    public var settledAt: Int64?
    public var voidedAt: Int64?
    public var voidReason: String?
    /// From `roundSettled`.
    public var bets: Int64?
    public var currency: String?
    public var totalStakeMinor: Int64?
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
