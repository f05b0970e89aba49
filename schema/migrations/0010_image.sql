-- 0010: a program's path is stored once, not once per flow. A machine runs a few hundred programs and makes
-- hundreds of thousands of flows a day; each flow row carried its path twice over (the DOS path, and WFP's NT form
-- when it differed), which made up a quarter of a flows-only store. Flows now carry an image_id.
--   image     one row per (path, path as WFP gave it)
--   flow_row  the stored flows (the old flow table, renamed: its indexes and the flow_minute trigger follow it)
--   flow      a view with the old table's columns, so every query written against flow still reads the same.
-- The collector writes flow_row; readers, and anybody's saved SQL, read flow.
CREATE TABLE image (
    image_id          INTEGER PRIMARY KEY,
    process_path      TEXT NOT NULL,           -- image path, a DOS path where the volume map allowed; '' when unknown
    process_path_raw  TEXT NOT NULL DEFAULT '', -- the path as WFP gave it, when it differs from process_path; else ''
    UNIQUE (process_path, process_path_raw)
);

INSERT INTO image(process_path, process_path_raw)
SELECT DISTINCT process_path, coalesce(process_path_raw, '') FROM flow WHERE process_path IS NOT NULL;

DROP VIEW flows;
ALTER TABLE flow RENAME TO flow_row;
ALTER TABLE flow_row ADD COLUMN image_id INTEGER;  -- image.image_id; NULL when no path was given (only a record named the flow)
UPDATE flow_row SET image_id = (SELECT i.image_id FROM image i
                                WHERE i.process_path = flow_row.process_path AND i.process_path_raw = coalesce(flow_row.process_path_raw, ''))
WHERE process_path IS NOT NULL;
ALTER TABLE flow_row DROP COLUMN process_path;
ALTER TABLE flow_row DROP COLUMN process_path_raw;

-- The paths are looked up only when a query reads them (a scalar subquery per row; the view flattens into queries).
CREATE VIEW flow AS
SELECT r.flow_key, r.flow_id, r.session_id, r.pid,
       (SELECT i.process_path FROM image i WHERE i.image_id = r.image_id) AS process_path,
       r.direction, r.protocol, r.local_address, r.local_port, r.remote_address, r.remote_port,
       r.start_ts_us, r.end_ts_us, r.packets_in, r.bytes_in, r.packets_out, r.bytes_out, r.remote_id,
       (SELECT nullif(i.process_path_raw, '') FROM image i WHERE i.image_id = r.image_id) AS process_path_raw,
       r.ended_seq, r.remote_host, r.stats_ts_us, r.stats_packets_in, r.stats_bytes_in, r.stats_packets_out, r.stats_bytes_out,
       r.start_seen, r.packets_seen, r.image_id
FROM flow_row r;

CREATE VIEW flows AS
SELECT printf('%llu', f.flow_id)                                         AS flow_id,
       f.pid                                                             AS pid,
       f.process_path                                                    AS process_path,
       CASE f.direction WHEN 0 THEN 'out' WHEN 1 THEN 'in' END           AS direction,
       CASE f.protocol WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp' WHEN 1 THEN 'icmp'
                       WHEN 58 THEN 'icmpv6' ELSE CAST(f.protocol AS TEXT) END AS protocol,
       f.local_address                                                   AS local_address,
       f.local_port                                                      AS local_port,
       f.remote_address                                                  AS remote_address,
       f.remote_port                                                     AS remote_port,
       strftime('%Y-%m-%dT%H:%M:%S', f.start_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', f.start_ts_us % 1000000) AS start_utc,
       strftime('%Y-%m-%dT%H:%M:%S', f.end_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', f.end_ts_us % 1000000)   AS end_utc,
       f.packets_in, f.bytes_in, f.packets_out, f.bytes_out,
       f.session_id
FROM flow f;
