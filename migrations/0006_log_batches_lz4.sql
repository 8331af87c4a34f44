-- Record batches are stored compressed with LZ4 (new batches; stored ones stay as they are).
--
-- Migration 0003 stored them uncompressed because pglz, PostgreSQL's default, cost the writer more
-- CPU than the space was worth. LZ4 is another matter: a batch is mostly JSON, which LZ4 shrinks
-- about sevenfold, and writing it compressed is faster than writing it plain, because the plain
-- batch is cut into seven times as many TOAST chunks, each a heap row and an index entry with its
-- WAL (measured here: 100 batches of 5,000 payout-sized records, 97 MB, in 171 ms with LZ4 against
-- 416 ms uncompressed, 13 MB on disk against 96 MB; reading them back was no slower). Under
-- `ascent bench stack` the log's batches were most of the WAL written.
--
-- A server built without LZ4 keeps the uncompressed layout (a notice says so); nothing else changes.
do $$
begin
    alter table log_batches alter column records set compression lz4;
    alter table log_batches alter column records set storage extended;
exception when feature_not_supported then
    raise notice 'this PostgreSQL has no LZ4 support: log batches stay uncompressed';
end
$$;
