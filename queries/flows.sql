-- title: Flows
-- description: Individual flows, newest first, with process, endpoints, times and bytes.
-- why: Answers who talked to this address, or what this program connected to, flow by flow.
-- param: process | text | | Process id, or part of the process path (ASCII letters match in any case); empty for all
-- param: remote | address | | Remote address (IPv4 or IPv6); empty for all
-- param: since | time | 0 | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: limit | int | 100 | Most rows to return
-- Bytes as flow_traffic counts them (schema/migrations/0016_accounting.sql): an ended flow's FlowDeleted totals, an open
-- flow's packets and flow records seen so far. A flow without a path
-- (the kernel source) takes the image of the process that had its pid when it started (process table). remote_host is
-- the name the remote address was resolved from (DNS-Client), set when the flow was stored; NULL when none.
SELECT printf('%llu', f.flow_id) AS flow_id,
       f.pid AS pid,
       coalesce(nullif(i.process_path, ''),
                (SELECT p.image_path FROM process p
                 WHERE p.pid = f.pid AND p.start_ts_us <= f.ts_us
                   AND (p.end_ts_us IS NULL OR p.end_ts_us >= f.ts_us)
                 ORDER BY p.start_ts_us DESC LIMIT 1),
                CASE WHEN f.pid = 4 THEN 'System' END, i.process_path) AS process_path,
       CASE f.direction WHEN 0 THEN 'out' WHEN 1 THEN 'in' END AS direction,
       CASE f.protocol WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp' WHEN 1 THEN 'icmp' WHEN 58 THEN 'icmpv6'
                       ELSE CAST(f.protocol AS TEXT) END AS protocol,
       CASE WHEN instr(f.local_address, ':') > 0 THEN '[' || f.local_address || ']' ELSE f.local_address END || ':' || f.local_port AS local,
       CASE WHEN instr(f.remote_address, ':') > 0 THEN '[' || f.remote_address || ']' ELSE f.remote_address END || ':' || f.remote_port AS remote,
       strftime('%Y-%m-%dT%H:%M:%S', f.start_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', f.start_ts_us % 1000000) AS start_utc,
       strftime('%Y-%m-%dT%H:%M:%S', f.end_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', f.end_ts_us % 1000000) AS end_utc,
       f.bytes_in AS bytes_in,
       f.bytes_out AS bytes_out,
       f.remote_host AS remote_host
FROM flow_traffic f LEFT JOIN image i ON i.image_id = f.image_id
WHERE f.ts_us >= @since AND f.ts_us < @until
  AND (@process = '' OR CAST(f.pid AS TEXT) = @process OR instr(lower(i.process_path), lower(@process)) > 0)
  AND (@remote = '' OR f.remote_id = (SELECT r.remote_id FROM remote r WHERE r.remote_address = @remote))
ORDER BY f.ts_us DESC, f.flow_key DESC
LIMIT @limit;
