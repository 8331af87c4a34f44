-- Appends no longer NOTIFY inside their own transaction: the appender wakes readers with a
-- separate statement after the commit (docs/log.md, "Waking readers").
--
-- A transaction that has called NOTIFY takes one database-wide lock before it commits and holds it
-- until its commit record is on disk, so notifications are queued in commit order. Every append
-- did, so every append's commit, WAL flush included, waited for the one before it: no two appends
-- could share an fsync, and a large append (thousands of payouts) held up every small one behind it
-- — a cash-out request, a round event — for as long as its WAL took to write. A NOTIFY on its own
-- writes no WAL, so the lock is now held for microseconds, and concurrent appends commit together.
create or replace function log_append(
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
end
$$;
