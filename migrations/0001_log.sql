-- The PostgreSQL event log (docs/log.md): topics, per-partition offset counters, records,
-- idempotent producers, consumer groups and their committed positions.

create table log_topics (
    topic        text primary key,
    partitions   integer not null check (partitions between 1 and 10000),
    retention_ms bigint check (retention_ms > 0),          -- null: kept forever
    created_at   timestamptz not null default now()
);

-- One row per partition; next_offset is the offset the next record gets. Appenders update this
-- row in their transaction, which serialises them per partition: offsets are handed out in
-- commit order and a rollback returns them, so there are never gaps or reorderings.
create table log_partitions (
    topic       text not null references log_topics (topic),
    partition   integer not null check (partition >= 0),
    next_offset bigint not null default 0,
    primary key (topic, partition)
);

-- Append-only. headers holds the record's headers in Ascent's own length-prefixed encoding.
create table log_records (
    topic         text not null,
    partition     integer not null,
    record_offset bigint not null,
    key           bytea not null,
    value         bytea not null,
    headers       bytea not null,
    appended_at   timestamptz not null,
    primary key (topic, partition, record_offset)
);

-- The last batch each producer appended to each partition: a retry of that batch (same first
-- sequence) is answered with its original offsets instead of being appended again.
create table log_producers (
    producer_id    text not null,
    topic          text not null,
    partition      integer not null,
    first_sequence bigint not null,
    last_sequence  bigint not null,
    first_offset   bigint not null,
    updated_at     timestamptz not null default now(),
    primary key (producer_id, topic, partition)
);

create table log_groups (
    group_name text primary key,
    generation bigint not null default 0
);

create table log_group_members (
    group_name       text not null references log_groups (group_name),
    member_id        text not null,
    topics           text[] not null,
    lease_expires_at timestamptz not null,
    primary key (group_name, member_id)
);

create table log_group_positions (
    group_name   text not null,
    topic        text not null,
    partition    integer not null,
    next_offset  bigint not null check (next_offset >= 0),
    committed_at timestamptz not null default now(),
    primary key (group_name, topic, partition)
);

-- Appends one producer batch in one statement. Records come grouped by partition, groups sorted
-- by (topic, partition) so concurrent appenders lock counters in the same order (no deadlocks).
-- Returns the first offset of each group, in order.
create function log_append(
    p_producer        text,
    p_topics          text[],
    p_partitions      integer[],
    p_first_sequences bigint[],
    p_counts          integer[],
    p_keys            bytea[],
    p_values          bytea[],
    p_headers         bytea[]
) returns setof bigint
language plpgsql as $$
declare
    group_index integer;
    start_index integer := 1;
    n           integer;
    base        bigint;
    previous    log_producers%rowtype;
begin
    for group_index in 1 .. coalesce(array_length(p_topics, 1), 0) loop
        n := p_counts[group_index];
        select * into previous from log_producers
         where producer_id = p_producer and topic = p_topics[group_index] and partition = p_partitions[group_index]
           for update;
        if found and p_first_sequences[group_index] = previous.first_sequence then
            if previous.last_sequence - previous.first_sequence + 1 <> n then
                raise exception 'producer % retried sequence % of %[%] with % records, not %',
                    p_producer, previous.first_sequence, p_topics[group_index], p_partitions[group_index],
                    n, previous.last_sequence - previous.first_sequence + 1
                    using errcode = 'AL409';
            end if;
            -- A retry of a batch whose commit did happen: report where it landed.
            return next previous.first_offset;
        elsif (found and p_first_sequences[group_index] <> previous.last_sequence + 1)
           or (not found and p_first_sequences[group_index] <> 0) then
            raise exception 'producer % sent sequence % to %[%], expected %',
                p_producer, p_first_sequences[group_index], p_topics[group_index], p_partitions[group_index],
                case when found then previous.last_sequence + 1 else 0 end
                using errcode = 'AL409';
        else
            update log_partitions set next_offset = next_offset + n
             where topic = p_topics[group_index] and partition = p_partitions[group_index]
            returning next_offset - n into base;
            if not found then
                raise exception 'no partition %[%]', p_topics[group_index], p_partitions[group_index]
                    using errcode = 'AL404';
            end if;
            insert into log_records (topic, partition, record_offset, key, value, headers, appended_at)
            select p_topics[group_index], p_partitions[group_index], base + r.ordinal - 1, r.key, r.value, r.headers, now()
              from unnest(p_keys[start_index : start_index + n - 1],
                          p_values[start_index : start_index + n - 1],
                          p_headers[start_index : start_index + n - 1]) with ordinality as r (key, value, headers, ordinal);
            insert into log_producers (producer_id, topic, partition, first_sequence, last_sequence, first_offset)
            values (p_producer, p_topics[group_index], p_partitions[group_index],
                    p_first_sequences[group_index], p_first_sequences[group_index] + n - 1, base)
            on conflict (producer_id, topic, partition) do update
               set first_sequence = excluded.first_sequence, last_sequence = excluded.last_sequence,
                   first_offset = excluded.first_offset, updated_at = now();
            return next base;
        end if;
        start_index := start_index + n;
    end loop;
    -- Wake readers: delivered at commit, one per topic (PostgreSQL folds duplicates in a transaction).
    perform pg_notify('ascent_log', t) from (select distinct unnest(p_topics) as t) as topics;
end
$$;

-- Renews a member's lease (or removes it when leaving), expels members whose lease ran out, and
-- bumps the group's generation whenever membership changed. Returns the generation and the live
-- members, sorted: every member computes the same assignment from them.
create function log_group_heartbeat(
    p_group      text,
    p_member     text,
    p_topics     text[],
    p_session_ms integer,
    p_leaving    boolean
) returns table (group_generation bigint, live_member text)
language plpgsql as $$
declare
    changed  boolean := false;
    inserted boolean;
begin
    insert into log_groups (group_name) values (p_group) on conflict do nothing;
    -- Serialise membership changes of this group.
    perform 1 from log_groups g where g.group_name = p_group for update;
    delete from log_group_members m where m.group_name = p_group and m.lease_expires_at < clock_timestamp();
    if found then changed := true; end if;
    if p_leaving then
        delete from log_group_members m where m.group_name = p_group and m.member_id = p_member;
        if found then changed := true; end if;
    else
        insert into log_group_members as m (group_name, member_id, topics, lease_expires_at)
        values (p_group, p_member, p_topics, clock_timestamp() + p_session_ms * interval '1 millisecond')
        on conflict (group_name, member_id) do update
           set lease_expires_at = excluded.lease_expires_at, topics = excluded.topics
        returning (m.xmax = 0) into inserted;
        if inserted then changed := true; end if;
    end if;
    if changed then
        update log_groups g set generation = g.generation + 1 where g.group_name = p_group;
        perform pg_notify('ascent_log_group', p_group);
    end if;
    return query
        select g.generation, m.member_id
          from log_groups g left join log_group_members m on m.group_name = g.group_name
         where g.group_name = p_group
         order by m.member_id;
end
$$;
