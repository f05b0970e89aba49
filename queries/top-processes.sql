-- title: Top processes
-- description: Programs ranked by bytes sent plus received, with their flow and packet counts.
-- why: The first question of most investigations: which program is talking, and how much.
-- param: since | time | 0 | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: limit | int | 20 | Most rows to return
-- Ended flows count their lifetime totals from FlowDeleted; open flows count the packets and flow records seen for
-- them (the rollups by minute); packets
-- of flows with no flow row count by their own process id. A byte is never counted twice. Program names come from
-- the flow, else from the process table: the process that had the pid at the time (PIDs are reused). Flows belong to the
-- window by start time; packet sums by minute.
WITH
w AS (SELECT @since AS since_us, @until AS until_us,
             (@since + 59999999) / 60000000 AS first_minute, (@until + 59999999) / 60000000 AS end_minute),
-- Flows are grouped by their image id and named once per group at the end (a path lookup per flow cost a third of
-- this query); a flow without a named image looks up the process that had its pid when it began.
flows_in AS (
    SELECT f.flow_key, f.flow_id, f.pid, f.image_id,
           CASE WHEN f.image_id IS NULL OR f.image_id IN (SELECT image_id FROM image WHERE process_path = '') THEN
                (SELECT p.image_path FROM process p
                 WHERE p.pid = f.pid AND p.start_ts_us <= coalesce(f.start_ts_us, f.end_ts_us)
                   AND (p.end_ts_us IS NULL OR p.end_ts_us >= coalesce(f.start_ts_us, f.end_ts_us))
                 ORDER BY p.start_ts_us DESC LIMIT 1) END AS process_image,
           f.end_ts_us, f.packets_in, f.bytes_in, f.packets_out, f.bytes_out
    FROM flow_row f, w
    -- Unary + keeps SQLite off the time index: the window usually spans most flows, and a scan beats a lookup per flow.
    WHERE +coalesce(f.start_ts_us, f.end_ts_us) >= w.since_us AND +coalesce(f.start_ts_us, f.end_ts_us) < w.until_us),
stream_sums AS (
    SELECT s.flow_id, s.pid, min(m.minute) * 60000000 AS first_us,
           sum(m.packets_in + m.packets_out) AS packets, sum(m.bytes_in) AS bytes_in, sum(m.bytes_out) AS bytes_out
    -- Only open streams (partial index, named: without statistics SQLite prefers to build an automatic index
    -- over every stream on each run), outermost (CROSS JOIN), then their minutes by primary key.
    FROM w, packet_stream s INDEXED BY packet_stream_open CROSS JOIN packet_minute m ON m.stream_id = s.stream_id
    WHERE m.minute >= w.first_minute AND m.minute < w.end_minute
      AND s.flow_ended = 0
    GROUP BY s.flow_id, s.pid),
flow_sums AS (
    -- Flow records' increases of the open flows (flow_minute, keyed by flow): a few seeks per open flow.
    SELECT m.flow_key, sum(m.packets_in + m.packets_out) AS packets, sum(m.bytes_in) AS bytes_in, sum(m.bytes_out) AS bytes_out
    FROM w, flow_row o INDEXED BY flow_open_by_flow_id CROSS JOIN flow_minute m ON m.flow_key = o.flow_key
    WHERE o.end_ts_us IS NULL AND m.minute >= w.first_minute AND m.minute < w.end_minute
    GROUP BY m.flow_key),
attributed AS (
    SELECT pid, image_id, process_image, 1 AS flows, packets_in + packets_out AS packets, bytes_in, bytes_out
    FROM flows_in WHERE end_ts_us IS NOT NULL
    UNION ALL
    SELECT f.pid, f.image_id, f.process_image, 1, coalesce(sum(ss.packets), 0) + coalesce(max(fs.packets), 0),
           coalesce(sum(ss.bytes_in), 0) + coalesce(max(fs.bytes_in), 0), coalesce(sum(ss.bytes_out), 0) + coalesce(max(fs.bytes_out), 0)
    FROM flows_in f LEFT JOIN stream_sums ss ON ss.flow_id = f.flow_id LEFT JOIN flow_sums fs ON fs.flow_key = f.flow_key
    WHERE f.end_ts_us IS NULL
    GROUP BY f.flow_key, f.pid, f.image_id, f.process_image
    UNION ALL
    SELECT ss.pid, NULL,
           (SELECT p.image_path FROM process p
            WHERE p.pid = ss.pid AND p.start_ts_us <= ss.first_us + 59999999 AND (p.end_ts_us IS NULL OR p.end_ts_us >= ss.first_us)
            ORDER BY p.start_ts_us DESC LIMIT 1),
           0, ss.packets, ss.bytes_in, ss.bytes_out
    FROM stream_sums ss
    WHERE NOT EXISTS (SELECT 1 FROM flow_row f WHERE f.flow_id = ss.flow_id)),
grouped AS (
    SELECT pid, image_id, process_image, sum(flows) AS flows, sum(packets) AS packets, sum(bytes_in) AS bytes_in, sum(bytes_out) AS bytes_out
    FROM attributed
    GROUP BY pid, image_id, process_image),
named AS (
    -- The flow's own path when it has one, else the process table's, else what the flow had ('' or NULL).
    SELECT g.pid, coalesce(nullif(i.process_path, ''), g.process_image, i.process_path) AS process_path,
           g.flows, g.packets, g.bytes_in, g.bytes_out
    FROM grouped g LEFT JOIN image i ON i.image_id = g.image_id)
-- pid 4 is the kernel's System process, which has no image path: it is named as Task Manager names it.
SELECT pid, CASE WHEN coalesce(process_path, '') = '' AND pid = 4 THEN 'System' ELSE process_path END AS process_path, sum(flows) AS flows, sum(packets) AS packets, sum(bytes_in) AS bytes_in, sum(bytes_out) AS bytes_out
FROM named
GROUP BY pid, process_path
ORDER BY sum(bytes_in) + sum(bytes_out) DESC, pid, process_path
LIMIT @limit;
