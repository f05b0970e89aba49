-- 0014: usage per program over minutes, hours, days and months (`query usage`, the report's usage chart). The
-- writer adds each batch's minute-rollup increases (flow_minute for flow records, packet_minute for packets) to the
-- program they belong to, once per program and minute, hour and day (Store/Writers/ProgramUsageRollup.cs): a year
-- of 40 programs is 14,600 day rows, and the report's chart of a few hours reads minutes.
--   program  path  the flow's image path; else the path of the process that had the pid when the flow began; else ''
--            pid   the process id when the path is '' (System, pid 4, has no image path); else 0, so one program's
--                  runs add up across process ids
-- History outlives the detail: retention's deletes of flows and packets leave the usage rows (usage over a year,
-- while flows are kept 90 days); `import --replace` subtracts the replaced recording's minutes (ImportIdentity).
-- Measured with triggers on the two rollups first: collector CPU +54% on a busy host's flows-only load (bench busy),
-- hence the writer.
CREATE TABLE program (
    program_id   INTEGER PRIMARY KEY,
    path         TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    UNIQUE (path, pid)
);

CREATE TABLE program_minute (
    minute       INTEGER NOT NULL,           -- minutes since the Unix epoch, UTC
    program_id   INTEGER NOT NULL,           -- program.program_id
    packets_in   INTEGER NOT NULL,
    bytes_in     INTEGER NOT NULL,
    packets_out  INTEGER NOT NULL,
    bytes_out    INTEGER NOT NULL,
    PRIMARY KEY (minute, program_id)
) WITHOUT ROWID;

CREATE TABLE program_hour (
    hour         INTEGER NOT NULL,           -- minute / 60
    program_id   INTEGER NOT NULL,
    packets_in   INTEGER NOT NULL,
    bytes_in     INTEGER NOT NULL,
    packets_out  INTEGER NOT NULL,
    bytes_out    INTEGER NOT NULL,
    PRIMARY KEY (hour, program_id)
) WITHOUT ROWID;

CREATE TABLE program_day (
    day          INTEGER NOT NULL,           -- minute / 1440
    program_id   INTEGER NOT NULL,
    packets_in   INTEGER NOT NULL,
    bytes_in     INTEGER NOT NULL,
    packets_out  INTEGER NOT NULL,
    bytes_out    INTEGER NOT NULL,
    PRIMARY KEY (day, program_id)
) WITHOUT ROWID;

-- The program a flow belongs to (the rule above).
CREATE VIEW flow_program AS
SELECT f.flow_key,
       coalesce(nullif(i.process_path, ''),
                (SELECT p.image_path FROM process p
                 WHERE p.pid = f.pid AND p.start_ts_us <= coalesce(f.start_ts_us, f.end_ts_us)
                   AND (p.end_ts_us IS NULL OR p.end_ts_us >= coalesce(f.start_ts_us, f.end_ts_us))
                 ORDER BY p.start_ts_us DESC LIMIT 1), '') AS path,
       coalesce(f.pid, 0) AS pid
FROM flow_row f LEFT JOIN image i ON i.image_id = f.image_id;

-- The program a packet stream belongs to: its flow's (the newest flow of its FlowId), else its own pid's process.
CREATE VIEW stream_program AS
SELECT s.stream_id,
       coalesce((SELECT fp.path FROM flow_row f JOIN flow_program fp ON fp.flow_key = f.flow_key
                 WHERE f.flow_id = s.flow_id AND s.flow_id <> 0 ORDER BY f.flow_key DESC LIMIT 1),
                (SELECT p.image_path FROM process p WHERE p.pid = s.pid ORDER BY p.start_ts_us DESC LIMIT 1), '') AS path,
       s.pid AS pid
FROM packet_stream s;

-- What the store holds already.
CREATE TEMP TABLE usage_backfill AS
SELECT m.minute, fp.path, CASE WHEN fp.path = '' THEN fp.pid ELSE 0 END AS pid, m.packets_in, m.bytes_in, m.packets_out, m.bytes_out
FROM flow_minute m JOIN flow_program fp ON fp.flow_key = m.flow_key
UNION ALL
SELECT m.minute, sp.path, CASE WHEN sp.path = '' THEN sp.pid ELSE 0 END, m.packets_in, m.bytes_in, m.packets_out, m.bytes_out
FROM packet_minute m JOIN stream_program sp ON sp.stream_id = m.stream_id;
INSERT INTO program(path, pid) SELECT DISTINCT path, pid FROM usage_backfill;
INSERT INTO program_minute SELECT b.minute, p.program_id, sum(b.packets_in), sum(b.bytes_in), sum(b.packets_out), sum(b.bytes_out)
FROM usage_backfill b JOIN program p ON p.path = b.path AND p.pid = b.pid GROUP BY b.minute, p.program_id;
INSERT INTO program_hour SELECT minute / 60, program_id, sum(packets_in), sum(bytes_in), sum(packets_out), sum(bytes_out)
FROM program_minute GROUP BY minute / 60, program_id;
INSERT INTO program_day SELECT hour / 24, program_id, sum(packets_in), sum(bytes_in), sum(packets_out), sum(bytes_out)
FROM program_hour GROUP BY hour / 24, program_id;
DROP TABLE usage_backfill;
