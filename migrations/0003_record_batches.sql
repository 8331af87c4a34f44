-- Records are stored in batches: one row per partition per append, holding that append's records
-- packed one after the other, as Kafka stores record batches. A row per record cost a heap tuple,
-- a primary-key entry and their WAL for each of them; a batch of 5,000 auto cash-outs took
-- hundreds of milliseconds to append and as long again to read. Offsets, ordering, idempotent
-- producers and consumer groups are unchanged: `log_partitions` still hands out gapless offsets,
-- and a batch covers base_offset .. last_offset.
--
-- Packed records: per record a 4-byte key length, the key, a 4-byte value length, the value, a
-- 4-byte headers length and the headers (lengths big-endian; headers as packed by
-- LogHeaderCodec). `log_read` unpacks them in SQL, for people and tools.
create table log_batches (
    topic        text not null,
    partition    integer not null,
    base_offset  bigint not null,
    last_offset  bigint not null check (last_offset >= base_offset),
    record_count integer not null check (record_count = last_offset - base_offset + 1),
    value_bytes  bigint not null,
    records      bytea not null,
    appended_at  timestamptz not null,
    primary key (topic, partition, last_offset)
);
-- Batches are mostly JSON and compress well, but compressing them costs the writer more CPU than
-- the disk space is worth here: store them out of line, uncompressed.
alter table log_batches alter column records set storage external;

-- Every stored record becomes a batch of one, with its offset, so nothing moves.
insert into log_batches (topic, partition, base_offset, last_offset, record_count, value_bytes, records, appended_at)
select topic, partition, record_offset, record_offset, 1, octet_length(value),
       int4send(octet_length(key)) || key || int4send(octet_length(value)) || value
           || int4send(octet_length(headers)) || headers,
       appended_at
  from log_records;
drop table log_records;

drop function log_append(text, text[], integer[], bigint[], integer[], bytea[], bytea[], bytea[]);

-- Appends one producer batch in one statement: per partition group (sorted by topic, partition,
-- so concurrent appenders lock counters in the same order), its record count, value bytes and
-- packed records. Returns the first offset of each group, in order.
create function log_append(
    p_producer        text,
    p_topics          text[],
    p_partitions      integer[],
    p_first_sequences bigint[],
    p_counts          integer[],
    p_value_bytes     bigint[],
    p_batches         bytea[]
) returns setof bigint
language plpgsql as $$
declare
    group_index integer;
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
            insert into log_batches (topic, partition, base_offset, last_offset, record_count, value_bytes, records, appended_at)
            values (p_topics[group_index], p_partitions[group_index], base, base + n - 1, n,
                    p_value_bytes[group_index], p_batches[group_index], now());
            insert into log_producers (producer_id, topic, partition, first_sequence, last_sequence, first_offset)
            values (p_producer, p_topics[group_index], p_partitions[group_index],
                    p_first_sequences[group_index], p_first_sequences[group_index] + n - 1, base)
            on conflict (producer_id, topic, partition) do update
               set first_sequence = excluded.first_sequence, last_sequence = excluded.last_sequence,
                   first_offset = excluded.first_offset, updated_at = now();
            return next base;
        end if;
    end loop;
    -- Wake readers: delivered at commit, one per topic (PostgreSQL folds duplicates in a transaction).
    perform pg_notify('ascent_log', t) from (select distinct unnest(p_topics) as t) as topics;
end
$$;

-- The records of a partition from offset p_from on (at most p_limit), unpacked: for people and
-- tools (`select * from log_read('ascent.round-events', 3, 1200, 10)`); services read through the
-- EventLog protocol.
create function log_read(p_topic text, p_partition integer, p_from bigint, p_limit integer default 100)
returns table (record_offset bigint, key bytea, value bytea, headers bytea, appended_at timestamptz)
language plpgsql stable as $$
declare
    batch    log_batches%rowtype;
    position integer;
    i        integer;
    size     integer;
    returned integer := 0;
begin
    for batch in select * from log_batches b
                  where b.topic = p_topic and b.partition = p_partition and b.last_offset >= p_from
                  order by b.last_offset loop
        position := 0;
        for i in 0 .. batch.record_count - 1 loop
            record_offset := batch.base_offset + i;
            size := (get_byte(batch.records, position) << 24) | (get_byte(batch.records, position + 1) << 16)
                    | (get_byte(batch.records, position + 2) << 8) | get_byte(batch.records, position + 3);
            key := substring(batch.records from position + 5 for size);
            position := position + 4 + size;
            size := (get_byte(batch.records, position) << 24) | (get_byte(batch.records, position + 1) << 16)
                    | (get_byte(batch.records, position + 2) << 8) | get_byte(batch.records, position + 3);
            value := substring(batch.records from position + 5 for size);
            position := position + 4 + size;
            size := (get_byte(batch.records, position) << 24) | (get_byte(batch.records, position + 1) << 16)
                    | (get_byte(batch.records, position + 2) << 8) | get_byte(batch.records, position + 3);
            headers := substring(batch.records from position + 5 for size);
            position := position + 4 + size;
            appended_at := batch.appended_at;
            if record_offset >= p_from then
                return next;
                returned := returned + 1;
                if returned >= p_limit then return; end if;
            end if;
        end loop;
    end loop;
end
$$;
