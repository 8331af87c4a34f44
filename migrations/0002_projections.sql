-- Read models for people (docs/projections.md): players, balances, a double-entry ledger, rounds,
-- bets, and finance views. The projector writes them with its log position in the same
-- transaction (projector_positions), so they always reflect an exact prefix of the log.

create table projector_positions (
    projector   text not null,
    topic       text not null,
    partition   integer not null,
    next_offset bigint not null,
    primary key (projector, topic, partition)
);

create table players (
    player_id                text primary key,
    first_seen_at            timestamptz not null,
    daily_stake_limit_minor  bigint,
    daily_loss_limit_minor   bigint,
    limits_effective_at      timestamptz,
    self_excluded_until      timestamptz
);

-- Spendable and held money per player and currency: never negative (the wallet guarantees it;
-- the constraint makes a projector bug loud).
create table balances (
    player_id       text not null,
    currency        text not null,
    available_minor bigint not null check (available_minor >= 0),
    reserved_minor  bigint not null check (reserved_minor >= 0),
    updated_at      timestamptz not null,
    primary key (player_id, currency)
);

-- Every money movement as balanced entries: the amounts of one transaction_id sum to zero.
-- Accounts: player:<id>:available, player:<id>:reserved, house:<table>, operator:funding.
create table ledger_entries (
    entry_id         bigserial primary key,
    transaction_id   text not null,
    account          text not null,
    currency         text not null,
    amount_minor     bigint not null,
    kind             text not null,
    player_id        text,
    table_id         text,
    round            bigint,
    bet_id           text,
    occurred_at      timestamptz not null,
    source_topic     text not null,
    source_partition integer not null,
    source_offset    bigint not null
);
create index ledger_entries_account on ledger_entries (account, currency);
create index ledger_entries_player on ledger_entries (player_id);

create table rounds (
    table_id               text not null,
    round                  bigint not null,
    phase                  text not null,
    commitment             text,
    seed                   text,
    crash_point_hundredths bigint,
    opened_at              timestamptz,
    betting_closes_at      timestamptz,
    took_off_at            timestamptz,
    crashed_at             timestamptz,
    settled_at             timestamptz,
    voided_at              timestamptz,
    void_reason            text,
    bets                   integer,
    currency               text,
    total_stake_minor      bigint,
    total_payout_minor     bigint,
    primary key (table_id, round)
);

create table bets (
    table_id                 text not null,
    round                    bigint not null,
    bet_id                   text not null,
    player_id                text not null,
    currency                 text not null,
    stake_minor              bigint not null,
    auto_cash_out_hundredths bigint,
    status                   text not null,  -- placed, rejected, cancelled, cashed_out, lost, refunded
    placed_at                timestamptz,
    cash_out_hundredths      bigint,
    cash_out_reason          text,
    payout_minor             bigint,
    settled_at               timestamptz,
    reject_reason            text,
    primary key (table_id, round, bet_id)
);
create index bets_player on bets (player_id);
create index bets_settled on bets (settled_at);

-- Gross gaming revenue and return to player by UTC day, table and currency, over settled bets.
create view finance_daily as
select (settled_at at time zone 'UTC')::date as day,
       table_id,
       currency,
       count(*)                                   as bets,
       sum(stake_minor)                           as stake_minor,
       sum(coalesce(payout_minor, 0))             as payout_minor,
       sum(stake_minor) - sum(coalesce(payout_minor, 0)) as ggr_minor,
       round(sum(coalesce(payout_minor, 0))::numeric / nullif(sum(stake_minor), 0), 6) as rtp
from bets
where status in ('cashed_out', 'lost')
group by 1, 2, 3;

-- Each player's result per currency (positive: the player is ahead).
create view player_pnl as
select player_id,
       currency,
       count(*) filter (where status in ('cashed_out', 'lost'))                      as settled_bets,
       coalesce(sum(stake_minor) filter (where status in ('cashed_out', 'lost')), 0) as stake_minor,
       coalesce(sum(payout_minor) filter (where status = 'cashed_out'), 0)            as payout_minor,
       coalesce(sum(payout_minor) filter (where status = 'cashed_out'), 0)
         - coalesce(sum(stake_minor) filter (where status in ('cashed_out', 'lost')), 0) as net_minor
from bets
group by 1, 2;

-- What the operator owes players right now, per currency: spendable balances, stakes held, and
-- the stake riding on bets not yet settled.
create view open_liabilities as
select b.currency,
       sum(b.available_minor)                         as balances_minor,
       sum(b.reserved_minor)                          as held_stakes_minor,
       sum(b.available_minor + b.reserved_minor)      as total_minor,
       coalesce((select count(*) from bets o where o.currency = b.currency and o.status = 'placed'), 0) as open_bets,
       coalesce((select sum(stake_minor) from bets o where o.currency = b.currency and o.status = 'placed'), 0) as open_stake_minor
from balances b
group by b.currency;

-- Money conservation from the ledger: balances + house result = deposits − withdrawals.
create view money_conservation as
select currency,
       -sum(amount_minor) filter (where account = 'operator:funding')                    as net_deposits_minor,
       sum(amount_minor) filter (where account like 'player:%')                         as player_money_minor,
       coalesce(sum(amount_minor) filter (where account like 'house:%'), 0)             as house_result_minor,
       sum(amount_minor)                                                                as imbalance_minor
from ledger_entries
group by currency;
