import AscentLog
import AscentPostgres
import AscentServices

/// The steps that apply a `ProjectionBatch`: a handful per batch whatever its size. Rows that may
/// change later (players, balances, rounds, bets) travel as arrays unpacked with `unnest` into
/// upserts; the ledger, only ever appended to and the most rows by far (a few per bet), is copied in
/// (`COPY … FROM STDIN`): no array literals to parse, and multi-row WAL records.
enum ProjectionSQL {
    struct Statement {
        var sql: String
        var parameters: [PQParameter]
    }

    enum Step {
        case statement(Statement)
        /// `COPY … FROM STDIN` with its rows.
        case copy(sql: String, rows: PQCopyRows)
    }

    /// The steps for `batch`; `knownPlayers` are players whose row the projector has written
    /// before, so merely seeing them again writes nothing.
    static func steps(for batch: ProjectionBatch, projector: String, knownPlayers: Set<String> = []) -> [Step] {
        var steps: [Step] = []
        let changes = batch.players.values.filter { !knownPlayers.contains($0.player) || !$0.isSighting }
        if !changes.isEmpty { steps.append(.statement(players(changes))) }
        if !batch.balances.isEmpty { steps.append(.statement(balances(batch))) }
        if !batch.ledger.isEmpty { steps.append(ledger(batch)) }
        if !batch.rounds.isEmpty { steps.append(.statement(rounds(batch))) }
        if !batch.bets.isEmpty { steps.append(.statement(bets(batch))) }
        steps.append(.statement(positions(batch, projector: projector)))
        return steps
    }

    private static func players(_ changes: [ProjectionBatch.PlayerChange]) -> Statement {
        var id = PQArrayLiteral(), seen = PQArrayLiteral(), stake = PQArrayLiteral(), loss = PQArrayLiteral()
        var limitsSet = PQArrayLiteral(), effective = PQArrayLiteral(), excluded = PQArrayLiteral()
        for change in changes.sorted(by: { $0.player < $1.player }) {
            id.append(text: change.player)
            seen.append(change.firstSeenAt)
            stake.append(change.limits?.dailyStakeMinorUnits)
            loss.append(change.limits?.dailyLossMinorUnits)
            limitsSet.append(change.limits == nil ? 0 : 1)
            effective.append(change.limitsEffectiveAt)
            excluded.append(change.excludedUntil)
        }
        return Statement(sql: """
            insert into players (player_id, first_seen_at, daily_stake_limit_minor, daily_loss_limit_minor, limits_effective_at, self_excluded_until)
            select p, to_timestamp(s / 1000.0), st, lo, to_timestamp(e / 1000.0), to_timestamp(x / 1000.0)
            from unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::int[], $6::bigint[], $7::bigint[]) as u(p, s, st, lo, l, e, x)
            on conflict (player_id) do update set
              daily_stake_limit_minor = case when excluded.limits_effective_at is null then players.daily_stake_limit_minor else excluded.daily_stake_limit_minor end,
              daily_loss_limit_minor = case when excluded.limits_effective_at is null then players.daily_loss_limit_minor else excluded.daily_loss_limit_minor end,
              limits_effective_at = coalesce(excluded.limits_effective_at, players.limits_effective_at),
              self_excluded_until = greatest(excluded.self_excluded_until, players.self_excluded_until)
            -- A player merely seen again changes nothing: skip the row version, its index entries and WAL.
            where excluded.limits_effective_at is not null
               or excluded.self_excluded_until > coalesce(players.self_excluded_until, '-infinity')
            """, parameters: [.text(id.text), .text(seen.text), .text(stake.text), .text(loss.text), .text(limitsSet.text),
                              .text(effective.text), .text(excluded.text)])
    }

    private static func balances(_ batch: ProjectionBatch) -> Statement {
        var player = PQArrayLiteral(), currency = PQArrayLiteral(), available = PQArrayLiteral(), reserved = PQArrayLiteral(), at = PQArrayLiteral()
        for (key, delta) in batch.balances.sorted(by: { ($0.key.player, $0.key.currency) < ($1.key.player, $1.key.currency) }) {
            player.append(text: key.player)
            currency.append(text: key.currency)
            available.append(delta.available)
            reserved.append(delta.reserved)
            at.append(delta.at)
        }
        // Update existing rows by their deltas first, then insert the new ones: a CHECK constraint is
        // evaluated on an INSERT's proposed row even when ON CONFLICT would turn it into an update.
        return Statement(sql: """
            with u as (select * from unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) as u(p, c, a, r, t)),
            updated as (
              update balances b set available_minor = b.available_minor + u.a, reserved_minor = b.reserved_minor + u.r,
                                    updated_at = greatest(b.updated_at, to_timestamp(u.t / 1000.0))
              from u where b.player_id = u.p and b.currency = u.c
              returning b.player_id, b.currency)
            insert into balances (player_id, currency, available_minor, reserved_minor, updated_at)
            select u.p, u.c, u.a, u.r, to_timestamp(u.t / 1000.0) from u
            where not exists (select 1 from updated d where d.player_id = u.p and d.currency = u.c)
            """, parameters: [.text(player.text), .text(currency.text), .text(available.text), .text(reserved.text), .text(at.text)])
    }

    private static func ledger(_ batch: ProjectionBatch) -> Step {
        var rows = PQCopyRows(reservingCapacity: batch.ledger.count * 160)
        for entry in batch.ledger {
            rows.append(text: entry.transactionID)
            rows.append(text: entry.account)
            rows.append(text: entry.currency)
            rows.append(entry.amountMinor)
            rows.append(text: entry.kind)
            rows.append(text: entry.player)
            rows.append(text: entry.table)
            rows.append(entry.round)
            rows.append(text: entry.betID)
            rows.append(timestampMilliseconds: entry.atMilliseconds)
            rows.append(text: entry.source.topic)
            rows.append(Int64(entry.source.partition))
            rows.append(entry.sourceOffset)
            rows.endRow()
        }
        return .copy(sql: """
            copy ledger_entries (transaction_id, account, currency, amount_minor, kind, player_id, table_id, round, bet_id,
                                 occurred_at, source_topic, source_partition, source_offset) from stdin
            """, rows: rows)
    }

    private static func rounds(_ batch: ProjectionBatch) -> Statement {
        var c = [PQArrayLiteral](repeating: PQArrayLiteral(), count: 17)
        for r in batch.rounds {
            c[0].append(text: r.table); c[1].append(r.round); c[2].append(text: r.phase); c[3].append(text: r.commitment)
            c[4].append(text: r.seed); c[5].append(r.crashPointHundredths); c[6].append(r.openedAt); c[7].append(r.bettingClosesAt)
            c[8].append(r.tookOffAt); c[9].append(r.crashedAt); c[10].append(r.settledAt); c[11].append(r.voidedAt)
            c[12].append(text: r.voidReason); c[13].append(r.bets); c[14].append(text: r.currency); c[15].append(r.totalStakeMinor)
            c[16].append(r.totalPayoutMinor)
        }
        return Statement(sql: """
            insert into rounds (table_id, round, phase, commitment, seed, crash_point_hundredths, opened_at, betting_closes_at, took_off_at,
                                crashed_at, settled_at, voided_at, void_reason, bets, currency, total_stake_minor, total_payout_minor)
            select t, r, ph, cm, sd, cp, to_timestamp(oa / 1000.0), to_timestamp(bc / 1000.0), to_timestamp(ta / 1000.0),
                   to_timestamp(ca / 1000.0), to_timestamp(sa / 1000.0), to_timestamp(va / 1000.0), vr, n, cu, ts, tp
            from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[],
                        $10::bigint[], $11::bigint[], $12::bigint[], $13::text[], $14::int[], $15::text[], $16::bigint[], $17::bigint[])
                 as u(t, r, ph, cm, sd, cp, oa, bc, ta, ca, sa, va, vr, n, cu, ts, tp)
            on conflict (table_id, round) do update set
              phase = excluded.phase,
              commitment = coalesce(excluded.commitment, rounds.commitment),
              seed = coalesce(excluded.seed, rounds.seed),
              crash_point_hundredths = coalesce(excluded.crash_point_hundredths, rounds.crash_point_hundredths),
              opened_at = coalesce(excluded.opened_at, rounds.opened_at),
              betting_closes_at = coalesce(excluded.betting_closes_at, rounds.betting_closes_at),
              took_off_at = coalesce(excluded.took_off_at, rounds.took_off_at),
              crashed_at = coalesce(excluded.crashed_at, rounds.crashed_at),
              settled_at = coalesce(excluded.settled_at, rounds.settled_at),
              voided_at = coalesce(excluded.voided_at, rounds.voided_at),
              void_reason = coalesce(excluded.void_reason, rounds.void_reason),
              bets = coalesce(excluded.bets, rounds.bets),
              currency = coalesce(excluded.currency, rounds.currency),
              total_stake_minor = coalesce(excluded.total_stake_minor, rounds.total_stake_minor),
              total_payout_minor = coalesce(excluded.total_payout_minor, rounds.total_payout_minor)
            """, parameters: c.map { .text($0.text) })
    }

    private static func bets(_ batch: ProjectionBatch) -> Statement {
        var c = [PQArrayLiteral](repeating: PQArrayLiteral(), count: 14)
        for b in batch.bets {
            c[0].append(text: b.table); c[1].append(b.round); c[2].append(text: b.betID); c[3].append(text: b.player)
            c[4].append(text: b.currency); c[5].append(b.stakeMinor); c[6].append(b.autoCashOutHundredths); c[7].append(text: b.status)
            c[8].append(b.placedAt); c[9].append(b.cashOutHundredths); c[10].append(text: b.cashOutReason); c[11].append(b.payoutMinor)
            c[12].append(b.settledAt); c[13].append(text: b.rejectReason)
        }
        return Statement(sql: """
            insert into bets (table_id, round, bet_id, player_id, currency, stake_minor, auto_cash_out_hundredths, status, placed_at,
                              cash_out_hundredths, cash_out_reason, payout_minor, settled_at, reject_reason)
            select t, r, b, p, cu, s, ac, st, to_timestamp(pa / 1000.0), co, cr, po,
                   -- A loss settles at the crash, a refund at the void: taken from the round's row (written
                   -- just before, in this transaction) so the value never depends on batch boundaries.
                   coalesce(to_timestamp(sa / 1000.0),
                            case st when 'lost' then (select crashed_at from rounds where table_id = t and round = r)
                                    when 'refunded' then (select voided_at from rounds where table_id = t and round = r) end),
                   rr
            from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::bigint[],
                        $10::bigint[], $11::text[], $12::bigint[], $13::bigint[], $14::text[])
                 as u(t, r, b, p, cu, s, ac, st, pa, co, cr, po, sa, rr)
            on conflict (table_id, round, bet_id) do update set
              status = excluded.status,
              auto_cash_out_hundredths = coalesce(excluded.auto_cash_out_hundredths, bets.auto_cash_out_hundredths),
              placed_at = coalesce(excluded.placed_at, bets.placed_at),
              cash_out_hundredths = coalesce(excluded.cash_out_hundredths, bets.cash_out_hundredths),
              cash_out_reason = coalesce(excluded.cash_out_reason, bets.cash_out_reason),
              payout_minor = coalesce(excluded.payout_minor, bets.payout_minor),
              settled_at = coalesce(excluded.settled_at, bets.settled_at),
              reject_reason = coalesce(excluded.reject_reason, bets.reject_reason)
            """, parameters: c.map { .text($0.text) })
    }

    private static func positions(_ batch: ProjectionBatch, projector: String) -> Statement {
        var topic = PQArrayLiteral(), partition = PQArrayLiteral(), offset = PQArrayLiteral()
        for (key, next) in batch.positions.sorted(by: { $0.key < $1.key }) {
            topic.append(text: key.topic)
            partition.append(key.partition)
            offset.append(next)
        }
        return Statement(sql: """
            insert into projector_positions (projector, topic, partition, next_offset)
            select $1, t, p, o from unnest($2::text[], $3::int[], $4::bigint[]) as u(t, p, o)
            on conflict (projector, topic, partition) do update set next_offset = excluded.next_offset
            """, parameters: [.text(projector), .text(topic.text), .text(partition.text), .text(offset.text)])
    }
}
