-- 0014: usage per program over days and months (`query usage`, the report's usage chart). The minute rollups
-- (flow_minute for flow records, packet_minute for packets) summed per program and UTC hour (program_hour, the
-- report's chart), and those hours per UTC day (program_day, `query usage`: a year of 40 programs is 14,600 rows),
-- kept up to date by triggers, so whatever writes a minute also writes its hour and its day.
--   program  the flow's image path; else the path of the process that had the pid when the flow began; else ''
--   pid      the process id when the program is '' (System, pid 4, has no image path); else 0, so one program's
--            runs add up across process ids
-- History outlives the detail: retention's deletes of flows and packets leave the hours (usage over a year, while
-- flows are kept 90 days); `import --replace` subtracts the replaced recording's minutes (ImportIdentity), and
-- the rollup rewrites that correct packet_minute pass through the update trigger.
CREATE TABLE program_hour (
    hour         INTEGER NOT NULL,           -- minute / 60: hours since the Unix epoch, UTC
    program      TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    packets_in   INTEGER NOT NULL,
    bytes_in     INTEGER NOT NULL,
    packets_out  INTEGER NOT NULL,
    bytes_out    INTEGER NOT NULL,
    PRIMARY KEY (hour, program, pid)
) WITHOUT ROWID;

CREATE TABLE program_day (
    day          INTEGER NOT NULL,           -- hour / 24: days since the Unix epoch, UTC
    program      TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    packets_in   INTEGER NOT NULL,
    bytes_in     INTEGER NOT NULL,
    packets_out  INTEGER NOT NULL,
    bytes_out    INTEGER NOT NULL,
    PRIMARY KEY (day, program, pid)
) WITHOUT ROWID;

CREATE TRIGGER program_day_insert AFTER INSERT ON program_hour
BEGIN
    INSERT INTO program_day(day, program, pid, packets_in, bytes_in, packets_out, bytes_out)
    VALUES (new.hour / 24, new.program, new.pid, new.packets_in, new.bytes_in, new.packets_out, new.bytes_out)
    ON CONFLICT(day, program, pid) DO UPDATE SET
        packets_in = program_day.packets_in + excluded.packets_in, bytes_in = program_day.bytes_in + excluded.bytes_in,
        packets_out = program_day.packets_out + excluded.packets_out, bytes_out = program_day.bytes_out + excluded.bytes_out;
END;

CREATE TRIGGER program_day_update AFTER UPDATE ON program_hour
BEGIN
    UPDATE program_day SET
        packets_in = packets_in + new.packets_in - old.packets_in, bytes_in = bytes_in + new.bytes_in - old.bytes_in,
        packets_out = packets_out + new.packets_out - old.packets_out, bytes_out = bytes_out + new.bytes_out - old.bytes_out
    WHERE day = new.hour / 24 AND program = new.program AND pid = new.pid;
END;

-- The program a flow belongs to (see above), for the flow of flow_key K.
CREATE VIEW flow_program AS
SELECT f.flow_key,
       coalesce(nullif(i.process_path, ''),
                (SELECT p.image_path FROM process p
                 WHERE p.pid = f.pid AND p.start_ts_us <= coalesce(f.start_ts_us, f.end_ts_us)
                   AND (p.end_ts_us IS NULL OR p.end_ts_us >= coalesce(f.start_ts_us, f.end_ts_us))
                 ORDER BY p.start_ts_us DESC LIMIT 1), '') AS program,
       coalesce(f.pid, 0) AS pid
FROM flow_row f LEFT JOIN image i ON i.image_id = f.image_id;

-- The program a packet stream belongs to: its flow's (the newest flow of its FlowId), else its own pid's process.
CREATE VIEW stream_program AS
SELECT s.stream_id,
       coalesce((SELECT fp.program FROM flow_row f JOIN flow_program fp ON fp.flow_key = f.flow_key
                 WHERE f.flow_id = s.flow_id AND s.flow_id <> 0 ORDER BY f.flow_key DESC LIMIT 1),
                (SELECT p.image_path FROM process p WHERE p.pid = s.pid ORDER BY p.start_ts_us DESC LIMIT 1), '') AS program,
       s.pid AS pid
FROM packet_stream s;

CREATE TRIGGER program_hour_flow_minute_insert AFTER INSERT ON flow_minute
BEGIN
    INSERT INTO program_hour(hour, program, pid, packets_in, bytes_in, packets_out, bytes_out)
    SELECT new.minute / 60, fp.program, CASE WHEN fp.program = '' THEN fp.pid ELSE 0 END,
           new.packets_in, new.bytes_in, new.packets_out, new.bytes_out
    FROM flow_program fp WHERE fp.flow_key = new.flow_key
    ON CONFLICT(hour, program, pid) DO UPDATE SET
        packets_in = program_hour.packets_in + excluded.packets_in, bytes_in = program_hour.bytes_in + excluded.bytes_in,
        packets_out = program_hour.packets_out + excluded.packets_out, bytes_out = program_hour.bytes_out + excluded.bytes_out;
END;

CREATE TRIGGER program_hour_flow_minute_update AFTER UPDATE OF packets_in, bytes_in, packets_out, bytes_out ON flow_minute
BEGIN
    INSERT INTO program_hour(hour, program, pid, packets_in, bytes_in, packets_out, bytes_out)
    SELECT new.minute / 60, fp.program, CASE WHEN fp.program = '' THEN fp.pid ELSE 0 END,
           new.packets_in - old.packets_in, new.bytes_in - old.bytes_in, new.packets_out - old.packets_out, new.bytes_out - old.bytes_out
    FROM flow_program fp WHERE fp.flow_key = new.flow_key
    ON CONFLICT(hour, program, pid) DO UPDATE SET
        packets_in = program_hour.packets_in + excluded.packets_in, bytes_in = program_hour.bytes_in + excluded.bytes_in,
        packets_out = program_hour.packets_out + excluded.packets_out, bytes_out = program_hour.bytes_out + excluded.bytes_out;
END;

CREATE TRIGGER program_hour_packet_minute_insert AFTER INSERT ON packet_minute
BEGIN
    INSERT INTO program_hour(hour, program, pid, packets_in, bytes_in, packets_out, bytes_out)
    SELECT new.minute / 60, sp.program, CASE WHEN sp.program = '' THEN sp.pid ELSE 0 END,
           new.packets_in, new.bytes_in, new.packets_out, new.bytes_out
    FROM stream_program sp WHERE sp.stream_id = new.stream_id
    ON CONFLICT(hour, program, pid) DO UPDATE SET
        packets_in = program_hour.packets_in + excluded.packets_in, bytes_in = program_hour.bytes_in + excluded.bytes_in,
        packets_out = program_hour.packets_out + excluded.packets_out, bytes_out = program_hour.bytes_out + excluded.bytes_out;
END;

CREATE TRIGGER program_hour_packet_minute_update AFTER UPDATE OF packets_in, bytes_in, packets_out, bytes_out ON packet_minute
BEGIN
    INSERT INTO program_hour(hour, program, pid, packets_in, bytes_in, packets_out, bytes_out)
    SELECT new.minute / 60, sp.program, CASE WHEN sp.program = '' THEN sp.pid ELSE 0 END,
           new.packets_in - old.packets_in, new.bytes_in - old.bytes_in, new.packets_out - old.packets_out, new.bytes_out - old.bytes_out
    FROM stream_program sp WHERE sp.stream_id = new.stream_id
    ON CONFLICT(hour, program, pid) DO UPDATE SET
        packets_in = program_hour.packets_in + excluded.packets_in, bytes_in = program_hour.bytes_in + excluded.bytes_in,
        packets_out = program_hour.packets_out + excluded.packets_out, bytes_out = program_hour.bytes_out + excluded.bytes_out;
END;

-- What the store holds already.
INSERT INTO program_hour(hour, program, pid, packets_in, bytes_in, packets_out, bytes_out)
SELECT hour, program, pid, sum(packets_in), sum(bytes_in), sum(packets_out), sum(bytes_out)
FROM (SELECT m.minute / 60 AS hour, fp.program, CASE WHEN fp.program = '' THEN fp.pid ELSE 0 END AS pid,
             m.packets_in, m.bytes_in, m.packets_out, m.bytes_out
      FROM flow_minute m JOIN flow_program fp ON fp.flow_key = m.flow_key
      UNION ALL
      SELECT m.minute / 60, sp.program, CASE WHEN sp.program = '' THEN sp.pid ELSE 0 END,
             m.packets_in, m.bytes_in, m.packets_out, m.bytes_out
      FROM packet_minute m JOIN stream_program sp ON sp.stream_id = m.stream_id)
WHERE true
GROUP BY hour, program, pid;

-- The report's usage chart over a window of hours reads the minutes themselves (an hour is one point too few):
-- the flow records' minutes in time order.
CREATE INDEX flow_minute_by_minute ON flow_minute(minute, flow_key);
