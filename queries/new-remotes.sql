-- title: New remotes
-- description: Remote addresses first seen at or after a time, newest first, with the process of the first sighting.
-- why: What is new since yesterday: first contact with an address is where beaconing, exfiltration and new software show up.
-- param: since | time | 24h | First seen at or after this time (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | First seen before this time
-- param: limit | int | 100 | Most rows to return
-- The newest first, chosen before counting flows, so the count runs for the returned rows only.
WITH newest AS (
    SELECT remote_id, remote_address, first_ts_us, first_pid
    FROM remote
    WHERE first_ts_us >= @since AND first_ts_us < @until
    ORDER BY first_ts_us DESC, remote_address
    LIMIT @limit)
SELECT r.remote_address AS remote_address,
       strftime('%Y-%m-%dT%H:%M:%S', r.first_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', r.first_ts_us % 1000000) AS first_seen_utc,
       r.first_pid AS first_pid,
       (SELECT count(*) FROM flow f WHERE f.remote_id = r.remote_id) AS flows,
       -- the newest name resolved to it up to its first sighting: what the program meant to reach
       (SELECT d.query_name FROM dns_answer d WHERE d.remote_id = r.remote_id AND d.ts_us <= r.first_ts_us
        ORDER BY d.ts_us DESC LIMIT 1) AS remote_host
FROM newest r
ORDER BY r.first_ts_us DESC, r.remote_address;
