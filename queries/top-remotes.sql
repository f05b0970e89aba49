-- title: Top remotes
-- description: Remote addresses ranked by bytes exchanged, with flows, packets and how many processes talked to each.
-- why: Shows where traffic goes: the heaviest destinations and peers, and how widely each is used.
-- param: since | time | 0 | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: limit | int | 20 | Most rows to return
-- Same attribution as top-processes: ended flows by their totals, open flows and flowless packets by packet sums.
-- remote_host: the newest name any process resolved to the address (DNS-Client), one index lookup per returned row.
WITH
w AS (SELECT @since AS since_us, @until AS until_us,
             (@since + 59999999) / 60000000 AS first_minute, (@until + 59999999) / 60000000 AS end_minute),
flows_in AS (
    SELECT f.flow_key, f.flow_id, f.pid, f.remote_id, f.end_ts_us, f.packets_in, f.bytes_in, f.packets_out, f.bytes_out
    FROM flow f, w
    WHERE f.remote_id IS NOT NULL
      -- Unary + keeps SQLite off the time index: the window usually spans most flows, and a scan beats a lookup per flow.
      AND +coalesce(f.start_ts_us, f.end_ts_us) >= w.since_us AND +coalesce(f.start_ts_us, f.end_ts_us) < w.until_us),
stream_sums AS (
    SELECT s.flow_id, s.pid, s.remote_id, sum(m.packets_in + m.packets_out) AS packets,
           sum(m.bytes_in) AS bytes_in, sum(m.bytes_out) AS bytes_out
    -- Only open streams (partial index, named: without statistics SQLite prefers to build an automatic index
    -- over every stream on each run), outermost (CROSS JOIN), then their minutes by primary key.
    FROM w, packet_stream s INDEXED BY packet_stream_open CROSS JOIN packet_minute m ON m.stream_id = s.stream_id
    WHERE m.minute >= w.first_minute AND m.minute < w.end_minute
      AND s.flow_ended = 0
    GROUP BY s.flow_id, s.pid, s.remote_id),
flow_sums AS (
    -- Flow records' increases of the open flows (flow_minute, keyed by flow): a few seeks per open flow.
    SELECT m.flow_key, sum(m.packets_in + m.packets_out) AS packets, sum(m.bytes_in) AS bytes_in, sum(m.bytes_out) AS bytes_out
    FROM w, flow_row o INDEXED BY flow_open_by_flow_id CROSS JOIN flow_minute m ON m.flow_key = o.flow_key
    WHERE o.end_ts_us IS NULL AND m.minute >= w.first_minute AND m.minute < w.end_minute
    GROUP BY m.flow_key),
attributed AS (
    SELECT remote_id, pid, 1 AS flows, packets_in + packets_out AS packets, bytes_in, bytes_out
    FROM flows_in WHERE end_ts_us IS NOT NULL
    UNION ALL
    SELECT f.remote_id, f.pid, 1, coalesce(sum(ss.packets), 0) + coalesce(max(fs.packets), 0),
           coalesce(sum(ss.bytes_in), 0) + coalesce(max(fs.bytes_in), 0), coalesce(sum(ss.bytes_out), 0) + coalesce(max(fs.bytes_out), 0)
    FROM flows_in f LEFT JOIN stream_sums ss ON ss.flow_id = f.flow_id LEFT JOIN flow_sums fs ON fs.flow_key = f.flow_key
    WHERE f.end_ts_us IS NULL
    GROUP BY f.flow_key, f.remote_id, f.pid
    UNION ALL
    SELECT ss.remote_id, ss.pid, 0, ss.packets, ss.bytes_in, ss.bytes_out
    FROM stream_sums ss
    WHERE NOT EXISTS (SELECT 1 FROM flow f WHERE f.flow_id = ss.flow_id)),
-- Grouped by the interned integer id (twice as fast as by text); the address text is joined to the top rows only.
top AS (
    SELECT remote_id, sum(flows) AS flows, sum(packets) AS packets, sum(bytes_in) AS bytes_in, sum(bytes_out) AS bytes_out,
           count(DISTINCT pid) AS processes
    FROM attributed
    GROUP BY remote_id
    ORDER BY sum(bytes_in) + sum(bytes_out) DESC, remote_id
    LIMIT @limit)
SELECT r.remote_address, t.flows, t.packets, t.bytes_in, t.bytes_out, t.processes,
       (SELECT d.query_name FROM dns_answer d WHERE d.remote_id = t.remote_id ORDER BY d.ts_us DESC LIMIT 1) AS remote_host
FROM top t JOIN remote r ON r.remote_id = t.remote_id
ORDER BY t.bytes_in + t.bytes_out DESC, r.remote_address;
