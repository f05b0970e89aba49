-- title: New remotes
-- description: Remote addresses first seen at or after a time, newest first, with the process of the first sighting.
-- why: What is new since yesterday: first contact with an address is where beaconing, exfiltration and new software show up.
-- param: since | time | 24h | First seen at or after this time (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | First seen before this time
-- param: limit | int | 100 | Most rows to return
SELECT r.remote_address AS remote_address,
       strftime('%Y-%m-%dT%H:%M:%S', r.first_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', r.first_ts_us % 1000000) AS first_seen_utc,
       r.first_pid AS first_pid,
       (SELECT count(*) FROM flow f WHERE f.remote_address = r.remote_address) AS flows
FROM remote_first_seen r
WHERE r.first_ts_us >= @since AND r.first_ts_us < @until
ORDER BY r.first_ts_us DESC, r.remote_address
LIMIT @limit;
