-- title: Top processes
-- description: Programs ranked by bytes sent plus received, with their flow and packet counts.
-- why: The first question of most investigations: which program is talking, and how much.
-- param: since | time | 0 | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: limit | int | 20 | Most rows to return
-- Traffic as the accounting views count it (schema/migrations/0016_accounting.sql): a flow that began in the window
-- counts what it moved (flow_traffic), and packets of flows the store has no row for count by their process, minute by
-- minute (flowless_traffic_minute). Program names come from the flow, else from the process table: the process that
-- had the pid at the time (PIDs are reused).
WITH
w AS (SELECT @since AS since_us, @until AS until_us,
             (@since + 59999999) / 60000000 AS first_minute, (@until + 59999999) / 60000000 AS end_minute),
-- Flows are grouped by their image id and named once per group at the end (a path lookup per flow cost a third of
-- this query); a flow without a named image looks up the process that had its pid when it began.
flows_in AS (
    SELECT f.pid, f.image_id,
           CASE WHEN f.image_id IS NULL OR f.image_id IN (SELECT image_id FROM image WHERE process_path = '') THEN
                (SELECT p.image_path FROM process p
                 WHERE p.pid = f.pid AND p.start_ts_us <= f.ts_us AND (p.end_ts_us IS NULL OR p.end_ts_us >= f.ts_us)
                 ORDER BY p.start_ts_us DESC LIMIT 1) END AS process_image,
           f.packets_in + f.packets_out AS packets, f.bytes_in, f.bytes_out
    FROM flow_traffic f, w
    -- Unary + keeps SQLite off the time index: the window usually spans most flows, and a scan beats a lookup per flow.
    WHERE +f.ts_us >= w.since_us AND +f.ts_us < w.until_us),
flowless AS (
    SELECT x.pid, min(x.minute) * 60000000 AS first_us,
           sum(x.packets_in + x.packets_out) AS packets, sum(x.bytes_in) AS bytes_in, sum(x.bytes_out) AS bytes_out
    FROM flowless_traffic_minute x, w
    WHERE x.minute >= w.first_minute AND x.minute < w.end_minute
    GROUP BY x.flow_id, x.pid),
attributed AS (
    SELECT pid, image_id, process_image, 1 AS flows, packets, bytes_in, bytes_out
    FROM flows_in
    UNION ALL
    SELECT x.pid, NULL,
           (SELECT p.image_path FROM process p
            WHERE p.pid = x.pid AND p.start_ts_us <= x.first_us + 59999999 AND (p.end_ts_us IS NULL OR p.end_ts_us >= x.first_us)
            ORDER BY p.start_ts_us DESC LIMIT 1),
           0, x.packets, x.bytes_in, x.bytes_out
    FROM flowless x),
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
