-- title: Top remotes
-- description: Remote addresses ranked by bytes exchanged, with flows, packets and how many processes talked to each.
-- why: Shows where traffic goes: the heaviest destinations and peers, and how widely each is used.
-- param: since | time | 0 | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: limit | int | 20 | Most rows to return
-- Same accounting as top-processes: a flow that began in the window by what it moved (flow_traffic), packets of flows
-- the store has no row for minute by minute (flowless_traffic_minute).
-- remote_host: the newest name any process resolved to the address (DNS-Client), one index lookup per returned row.
WITH
w AS (SELECT @since AS since_us, @until AS until_us,
             (@since + 59999999) / 60000000 AS first_minute, (@until + 59999999) / 60000000 AS end_minute),
attributed AS (
    SELECT f.remote_id, f.pid, 1 AS flows, f.packets_in + f.packets_out AS packets, f.bytes_in, f.bytes_out
    FROM flow_traffic f, w
    WHERE f.remote_id IS NOT NULL
      -- Unary + keeps SQLite off the time index: the window usually spans most flows, and a scan beats a lookup per flow.
      AND +f.ts_us >= w.since_us AND +f.ts_us < w.until_us
    UNION ALL
    SELECT x.remote_id, x.pid, 0, x.packets_in + x.packets_out, x.bytes_in, x.bytes_out
    FROM flowless_traffic_minute x, w
    WHERE x.minute >= w.first_minute AND x.minute < w.end_minute),
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
