-- The projection's write path, measured under `ascent bench stack` (docs/performance.md, "Stack"):
-- the projector's session was about half of PostgreSQL's CPU, and most of it went to index entries.
--
-- bets: a bet's row is written when it is placed and updated once when it is settled (cashed out,
-- lost or refunded). The index on settled_at changed with every settlement, so no update could be
-- HOT (heap-only): each wrote a new row version plus an entry in every index. Now no indexed column
-- changes on settlement, and pages keep room for the settled versions (fillfactor), so the update
-- stays on its page with no index work. Time-range queries use a BRIN index on placed_at instead:
-- a bet settles seconds after it is placed, and rows are stored in placement order, so the block
-- ranges of a day's bets are found from a few hundred bytes of index.
drop index bets_settled;
create index bets_placed on bets using brin (placed_at);
alter table bets set (fillfactor = 60);

-- balances: every bet updates its player's row twice (stake held, then settled); none of the
-- updated columns is indexed, so with room on the page each update is HOT.
alter table balances set (fillfactor = 50);

-- ledger_entries: six entries per bet, each with a B-tree entry per index. The (account, currency)
-- index cost as much as the row itself; a player's entries are found by ledger_entries_player, the
-- finance views read whole tables, and a time range (a day's house entries) by BRIN on occurred_at.
drop index ledger_entries_account;
create index ledger_entries_occurred on ledger_entries using brin (occurred_at);
