import AscentCore

extension AuditReport {
    /// The report for people: totals, money, and every finding with the record it names.
    public func text(source: String) -> String {
        var lines: [String] = []
        let s = summary
        lines.append("audit of \(source)")
        lines.append("  records      \(s.records) read: \(s.roundRecords) round events, \(s.walletRecords) wallet events" + (s.otherRecords > 0 ? ", \(s.otherRecords) others ignored" : ""))
        lines.append("  rounds       \(s.rounds) checked: \(s.roundsCrashed) crashed, \(s.roundsVoided) voided" + (s.openRounds > 0 ? "; \(s.openRounds) still open at the end of the log" : ""))
        lines.append("  bets         \(s.bets) accepted: \(s.betsCashedOut) cashed out, \(s.betsLost) lost, \(s.betsRefunded) refunded, \(s.betsCancelled) cancelled; \(s.betsRejected) rejected")
        if s.crashPointsNotRecomputed > 0 {
            lines.append("  fairness     crash points NOT recomputed for \(s.crashPointsNotRecomputed) rounds: give the public salt (--salt)")
        } else if s.roundsCrashed > 0 {
            lines.append("  fairness     every crash point recomputed from its seed and the salt; every seed checked against its commitment and the chain")
        }
        let configured = Money.formatDecimal(s.configuredReturnToPlayerBasisPoints, exponent: 2)
        for code in s.currencies.keys.sorted() {
            let totals = s.currencies[code]!
            let exponent = Currency(code: code)?.exponent ?? 2
            func amount(_ minor: Int64) -> String { Money.formatDecimal(minor, exponent: exponent) }
            let rtp = totals.returnToPlayerBasisPoints.map { Money.formatDecimal($0, exponent: 2) + "%" } ?? "n/a"
            lines.append("  \(code) play     stake \(amount(totals.stakeMinor)), payouts \(amount(totals.payoutMinor)), RTP \(rtp) (configured \(configured)%), house result \(amount(totals.houseResultFromRoundsMinor))")
            let conserved = totals.imbalanceMinor == 0 ? "conserved" : "NOT conserved (off by \(amount(totals.imbalanceMinor)))"
            lines.append("  \(code) money    deposits \(amount(totals.depositsMinor)) − withdrawals \(amount(totals.withdrawalsMinor)) = balances \(amount(totals.availableMinor)) + held \(amount(totals.reservedMinor)) + house \(amount(totals.houseResultFromWalletMinor)): \(conserved)")
        }
        lines.append("  mismatches   \(s.findings)")
        for finding in findings { lines.append("    ✗ \(finding)") }
        if s.findings > findings.count { lines.append("    … and \(s.findings - findings.count) more") }
        return lines.joined(separator: "\n")
    }
}

extension AuditRoundDetail {
    /// The rebuilt round for people: its proof, instants and bets.
    public var text: String {
        var lines = ["round \(round) at table \(table): \(phase)"]
        lines.append("  commitment   \(commitment ?? "-")")
        lines.append("  seed         \(seed ?? "(not revealed)")")
        lines.append("  crash point  \(crashPointHundredths.map { Multiplier(hundredths: $0).description } ?? "-")")
        lines.append("  opened \(openedAt.map(String.init) ?? "-")  betting closes \(bettingClosesAt.map(String.init) ?? "-")  took off \(tookOffAt.map(String.init) ?? "-")  crashed \(crashedAt.map(String.init) ?? "-")  (ms since the epoch)")
        if let voidReason { lines.append("  voided       \(voidReason)") }
        if let totalStakeMinor, let totalPayoutMinor, let currency {
            lines.append("  totals       \(bets ?? 0) bets, stake \(totalStakeMinor), payout \(totalPayoutMinor) \(currency) minor units")
        }
        for bet in betRows {
            var line = "  bet \(bet.betID)  \(bet.player)  stake \(bet.stakeMinor) \(bet.currency)"
            if let auto = bet.autoCashOutHundredths { line += "  auto \(Multiplier(hundredths: auto))" }
            line += "  \(bet.status)"
            if let multiplier = bet.cashOutHundredths { line += " at \(Multiplier(hundredths: multiplier)) (\(bet.cashOutReason ?? "?"))" }
            if let payout = bet.payoutMinor { line += "  paid \(payout)" }
            if let reason = bet.rejectReason { line += "  (\(reason))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
