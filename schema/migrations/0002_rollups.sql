-- 0002: rollups the named queries read instead of scanning every packet. The collector maintains them in the
-- same transaction as the rows they summarise, so they never disagree with the packet table.

-- Packets and payload bytes per packet stream per UTC minute.
CREATE TABLE packet_minute (
    stream_id    INTEGER NOT NULL,           -- packet_stream.stream_id
    minute       INTEGER NOT NULL,           -- ts_us / 60000000: minutes since the Unix epoch, UTC
    packets_in   INTEGER NOT NULL DEFAULT 0,
    bytes_in     INTEGER NOT NULL DEFAULT 0,
    packets_out  INTEGER NOT NULL DEFAULT 0,
    bytes_out    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (stream_id, minute)
) WITHOUT ROWID;
-- Covering, so the timeline reads minutes in order without a table lookup per row (measured: bench queries).
CREATE INDEX packet_minute_by_minute ON packet_minute(minute, packets_in, bytes_in, packets_out, bytes_out);

-- Every remote address, with an integer id that flows and streams carry (queries group by the integer: twice as
-- fast as by text, measured on 100k flows) and when it was first seen, in a flow or a packet.
CREATE TABLE remote (
    remote_id      INTEGER PRIMARY KEY,
    remote_address TEXT    NOT NULL UNIQUE,
    first_ts_us    INTEGER NOT NULL,          -- earliest FlowEstablished or Packet time, UTC microseconds
    first_pid      INTEGER                    -- process of that first sighting (0 or NULL when unknown)
);
-- No index on first_ts_us: new-remotes scans and sorts (tens of thousands of rows, milliseconds), while an index
-- would double the cost of every upsert on the ingest path (measured: bench queries, rollup cost).

ALTER TABLE flow ADD COLUMN remote_id INTEGER;           -- remote.remote_id
ALTER TABLE packet_stream ADD COLUMN remote_id INTEGER;  -- remote.remote_id
CREATE INDEX flow_by_remote ON flow(remote_id);
CREATE INDEX packet_stream_by_remote ON packet_stream(remote_id);
CREATE INDEX packet_stream_by_flow ON packet_stream(flow_id);
-- Queries order and filter flows by their start, or their end when only FlowDeleted was seen.
CREATE INDEX flow_by_time ON flow(coalesce(start_ts_us, end_ts_us));

-- 1 once the stream's flow has ended (FlowDeleted seen): its bytes are then counted from the flow's totals,
-- so queries sum packets only over the few streams still open (partial index).
ALTER TABLE packet_stream ADD COLUMN flow_ended INTEGER NOT NULL DEFAULT 0;
UPDATE packet_stream SET flow_ended = 1
WHERE EXISTS (SELECT 1 FROM flow f WHERE f.flow_id = packet_stream.flow_id AND f.end_ts_us IS NOT NULL);
-- Covering for the top-* queries, or SQLite builds an automatic index over every stream on each run.
CREATE INDEX packet_stream_open ON packet_stream(stream_id, flow_id, pid, remote_id) WHERE flow_ended = 0;

-- Backfill from rows written by schema version 1.
INSERT INTO packet_minute(stream_id, minute, packets_in, bytes_in, packets_out, bytes_out)
SELECT stream_id, ts_us / 60000000,
       sum(direction = 1), sum(CASE WHEN direction = 1 THEN bytes ELSE 0 END),
       sum(direction = 0), sum(CASE WHEN direction = 0 THEN bytes ELSE 0 END)
FROM packet GROUP BY stream_id, ts_us / 60000000;

INSERT INTO remote(remote_address, first_ts_us, first_pid)
SELECT remote_address, min(ts), NULL FROM (
    SELECT remote_address, coalesce(start_ts_us, end_ts_us) AS ts FROM flow WHERE remote_address IS NOT NULL
    UNION ALL
    SELECT s.remote_address, p.ts_us FROM packet p JOIN packet_stream s USING (stream_id)
) GROUP BY remote_address;
UPDATE flow SET remote_id = (SELECT r.remote_id FROM remote r WHERE r.remote_address = flow.remote_address);
UPDATE packet_stream SET remote_id = (SELECT r.remote_id FROM remote r WHERE r.remote_address = packet_stream.remote_address);
