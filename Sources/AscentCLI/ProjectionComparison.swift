import AscentAudit
import AscentPostgres

/// Compares a round rebuilt from the log with the projection's `rounds` and `bets` rows, naming
/// every row and column that differs.
enum ProjectionComparison {
    static func compare(_ detail: AuditRoundDetail, databaseURL: String) async throws -> [String] {
        let worker = PQWorker(url: databaseURL, name: "ascent-audit", maxPendingJobs: 1)
        defer { worker.stop() }
        let table = detail.table, round = detail.round
        // Instants are read back as epoch milliseconds, the unit of the events.
        // Every column is read as text (results come back in binary otherwise).
        func ms(_ column: String) -> String { "round(extract(epoch from \(column)) * 1000)::bigint::text" }
        let roundSQL = """
            select phase, commitment, seed, crash_point_hundredths::text, \(ms("opened_at")), \(ms("betting_closes_at")),
                   \(ms("took_off_at")), \(ms("crashed_at")), \(ms("settled_at")), \(ms("voided_at")), void_reason, bets::text,
                   currency, total_stake_minor::text, total_payout_minor::text
              from rounds where table_id = $1 and round = $2
            """
        let betSQL = """
            select bet_id, player_id, currency, stake_minor::text, auto_cash_out_hundredths::text, status, \(ms("placed_at")),
                   cash_out_hundredths::text, cash_out_reason, payout_minor::text, \(ms("settled_at")), reject_reason
              from bets where table_id = $1 and round = $2 order by bet_id
            """
        let (roundRows, betRows) = try await worker.run("audit round") { connection throws(PQError) in
            let parameters: [PQParameter] = [.text(table), .text(String(round))]
            return (try connection.execute(roundSQL, parameters, operation: "read rounds row"),
                    try connection.execute(betSQL, parameters, operation: "read bets rows"))
        }
        var differences: [String] = []
        let where_ = "table_id=\(table), round=\(round)"
        if roundRows.rows.isEmpty {
            differences.append("rounds(\(where_)): no row in the projection")
        } else {
            for (column, (name, expected)) in detail.roundColumns.enumerated() {
                let actual = roundRows.text(0, column)
                if actual != expected {
                    differences.append("rounds(\(where_)).\(name): projection \(actual ?? "null"), log \(expected ?? "null")")
                }
            }
        }
        var projected: [String: Int] = [:]
        for row in betRows.rows.indices { projected[betRows.text(row, 0)!] = row }
        for bet in detail.betRows {
            guard let row = projected.removeValue(forKey: bet.betID) else {
                differences.append("bets(\(where_), bet_id=\(bet.betID)): no row in the projection")
                continue
            }
            for (column, (name, expected)) in bet.columns.enumerated() {
                let actual = betRows.text(row, column + 1)
                if actual != expected {
                    differences.append("bets(\(where_), bet_id=\(bet.betID)).\(name): projection \(actual ?? "null"), log \(expected ?? "null")")
                }
            }
        }
        for betID in projected.keys.sorted() {
            differences.append("bets(\(where_), bet_id=\(betID)): in the projection but not in the log")
        }
        return differences
    }
}
