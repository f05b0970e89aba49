-- 0011: the lake gets every flow, open or ended, as segments (NetFlow's active timeout): each export sends, per flow
-- that moved, what it moved since the previous export, so a VPN tunnel or an RDP session is in the lake within one
-- export, not only on the day it ends. Minutes of flow records are exported as deltas too, open flows' included.
-- An `import --replace` no longer leaves the lake counting the replaced rows: what it takes out of exported rows is
-- kept as a correction, which the next export sends negated. The lake a store exports to is known by an identity
-- written in the lake itself (_monitornetwork_lake.json), not by how its path was spelled.

-- What the lake has of each flow: the counters of its last segment, where that segment ended, and whether the flow
-- is finished (ended, and its last segment sent). Open flows stay to do.
ALTER TABLE flow_row ADD COLUMN exported_packets_in  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flow_row ADD COLUMN exported_bytes_in    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flow_row ADD COLUMN exported_packets_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flow_row ADD COLUMN exported_bytes_out   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flow_row ADD COLUMN exported_until_us    INTEGER;            -- end of the last segment sent; NULL: none yet
ALTER TABLE flow_row ADD COLUMN export_done          INTEGER NOT NULL DEFAULT 0;
-- Flows version 10 exported whole (ended before the 'flows' watermark) are done, counted as sent.
UPDATE flow_row SET export_done = 1, exported_until_us = end_ts_us,
       exported_packets_in = coalesce(packets_in, 0), exported_bytes_in = coalesce(bytes_in, 0),
       exported_packets_out = coalesce(packets_out, 0), exported_bytes_out = coalesce(bytes_out, 0)
WHERE ended_seq IS NOT NULL AND ended_seq <= coalesce((SELECT last_key FROM export_watermark WHERE table_name = 'flows'), -1);
CREATE INDEX flow_export_todo ON flow_row(flow_key) WHERE export_done = 0;

-- Flow records' minutes as deltas, like packet_minute's: what each row has already sent.
ALTER TABLE flow_minute ADD COLUMN exported_packets_in  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flow_minute ADD COLUMN exported_bytes_in    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flow_minute ADD COLUMN exported_packets_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flow_minute ADD COLUMN exported_bytes_out   INTEGER NOT NULL DEFAULT 0;
UPDATE flow_minute SET exported_packets_in = packets_in, exported_bytes_in = bytes_in,
       exported_packets_out = packets_out, exported_bytes_out = bytes_out
WHERE flow_key IN (SELECT flow_key FROM flow_row
                   WHERE ended_seq <= coalesce((SELECT last_key FROM export_watermark WHERE table_name = 'flow_minutes'), -1));
-- The rows an export still has to send; the export's query repeats this condition word for word to use the index.
CREATE INDEX flow_minute_export_todo ON flow_minute(flow_key, minute)
WHERE packets_in <> exported_packets_in OR bytes_in <> exported_bytes_in OR packets_out <> exported_packets_out OR bytes_out <> exported_bytes_out;
DELETE FROM export_watermark WHERE table_name IN ('flows', 'flow_minutes');

-- What an import --replace took out of rows the lake already has, for the next export to send negated, one row per
-- lake table row it corrects (kind: flows | packet_minutes | packets), with that row's identity.
CREATE TABLE export_correction (
    correction_id   INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,          -- flows | packet_minutes | packets
    ts_us           INTEGER NOT NULL,       -- flows: the flow's start (or end); packet_minutes: the minute's start; packets: the packet's time
    flow_id         INTEGER,
    flow_start_us   INTEGER,
    session_id      INTEGER,
    pid             INTEGER,
    process_path    TEXT,
    direction       INTEGER,
    protocol        INTEGER,
    local_address   TEXT,
    local_port      INTEGER,
    remote_address  TEXT,
    remote_port     INTEGER,
    packets_in      INTEGER NOT NULL,       -- the amounts to take out (positive here, sent negated)
    bytes_in        INTEGER NOT NULL,
    packets_out     INTEGER NOT NULL,
    bytes_out       INTEGER NOT NULL
);

-- The lake this store exports to: its identity (the id in its _monitornetwork_lake.json) and where it was last.
-- One row. This store's own identity, which the lake's manifest lists, is store_id.
CREATE TABLE export_lake (
    lake_id         TEXT NOT NULL,
    target          TEXT NOT NULL,          -- canonical full path, symlinks of its folders resolved
    store_id        TEXT NOT NULL
);
