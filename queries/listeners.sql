-- title: Listeners
-- description: Inbound flows grouped by local port, protocol and process: what this machine serves, and to how many peers.
-- why: Exposed services are attack surface; an unexpected listener is worth a look.
-- param: since | time | 0 | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: limit | int | 100 | Most rows to return
WITH f AS (
    SELECT local_port, protocol, pid, remote_address, start_ts_us,
           coalesce(nullif(flow.process_path, ''),
                (SELECT p.image_path FROM process p
                 WHERE p.pid = flow.pid AND p.start_ts_us <= coalesce(flow.start_ts_us, flow.end_ts_us)
                   AND (p.end_ts_us IS NULL OR p.end_ts_us >= coalesce(flow.start_ts_us, flow.end_ts_us))
                 ORDER BY p.start_ts_us DESC LIMIT 1),
                flow.process_path) AS process_path
    FROM flow
    -- flow_by_time's expression: equal to start_ts_us for the flows whose start was seen.
    WHERE direction = 1 AND start_ts_us IS NOT NULL
      AND coalesce(start_ts_us, end_ts_us) >= @since AND coalesce(start_ts_us, end_ts_us) < @until)
SELECT f.local_port AS local_port,
       CASE f.protocol WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp' WHEN 1 THEN 'icmp' WHEN 58 THEN 'icmpv6'
                       ELSE CAST(f.protocol AS TEXT) END AS protocol,
       f.pid AS pid,
       CASE WHEN coalesce(f.process_path, '') = '' AND f.pid = 4 THEN 'System' ELSE f.process_path END AS process_path,
       count(*) AS flows,
       count(DISTINCT f.remote_address) AS remotes,
       strftime('%Y-%m-%dT%H:%M:%S', max(f.start_ts_us) / 1000000, 'unixepoch') || printf('.%06dZ', max(f.start_ts_us) % 1000000) AS last_seen_utc
FROM f
GROUP BY f.local_port, f.protocol, f.pid, f.process_path
ORDER BY flows DESC, f.local_port, f.pid
LIMIT @limit;
