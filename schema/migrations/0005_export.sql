-- 0005: incremental export to Parquet (`monitornetwork export`). A store exports to one target directory; what
-- that target already holds is kept here, in the same transactions as the files it names, so a crash never
-- exports a row twice and never skips one.

-- The order in which flows got their end (FlowDeleted): flows are exported once ended, in this order.
ALTER TABLE flow ADD COLUMN ended_seq INTEGER;
CREATE INDEX flow_by_ended_seq ON flow(ended_seq);
UPDATE flow SET ended_seq = flow_key WHERE end_ts_us IS NOT NULL;

-- Minute rollups are updated in place while their minute fills (and again when an older recording is imported),
-- so they are exported as deltas: what each row has already sent, per counter.
ALTER TABLE packet_minute ADD COLUMN exported_packets_in  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE packet_minute ADD COLUMN exported_bytes_in    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE packet_minute ADD COLUMN exported_packets_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE packet_minute ADD COLUMN exported_bytes_out   INTEGER NOT NULL DEFAULT 0;

CREATE TABLE export_watermark (
    table_name  TEXT PRIMARY KEY,      -- flows | packets | sessions
    target      TEXT NOT NULL,         -- the export directory, as given (full path)
    last_key    INTEGER NOT NULL       -- flows: ended_seq; packets: packet rowid; sessions: session_id
);

-- Files written under a temporary name whose watermark is already committed: the next run renames them.
CREATE TABLE export_pending (
    temp_path   TEXT PRIMARY KEY,
    final_path  TEXT NOT NULL
);
