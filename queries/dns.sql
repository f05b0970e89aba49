-- title: DNS answers
-- description: What a program resolved, and when: each answer with the CNAME chain it went through and the addresses it got, newest first.
-- why: Which names a program looked up is often the first sign of what it does (updates, telemetry, command and control).
-- param: process | text | | Process id, or part of the process path (ASCII letters match in any case); empty for all
-- param: name | text | | Part of the name asked for; empty for all
-- param: since | time | 24h | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: limit | int | 100 | Most rows to return
-- An answer is stored a row per address; the newest answers are picked first by the time index (so a million
-- answers cost what the returned rows cost), then their addresses gathered. The program is the process that had
-- the pid at the time (process table), when known.
WITH newest AS (
    SELECT DISTINCT d.ts_us, d.pid, d.query_name, d.cname_chain
    FROM dns_answer d INDEXED BY dns_answer_by_time
    WHERE d.ts_us >= @since AND d.ts_us < @until
      AND (@name = '' OR instr(lower(d.query_name), lower(@name)) > 0)
      AND (@process = '' OR CAST(d.pid AS TEXT) = @process
           OR instr(lower((SELECT p.image_path FROM process p
                           WHERE p.pid = d.pid AND p.start_ts_us <= d.ts_us AND (p.end_ts_us IS NULL OR p.end_ts_us >= d.ts_us)
                           ORDER BY p.start_ts_us DESC LIMIT 1)), lower(@process)) > 0)
    ORDER BY d.ts_us DESC, d.query_name
    LIMIT @limit)
SELECT strftime('%Y-%m-%dT%H:%M:%S', n.ts_us / 1000000, 'unixepoch') || printf('.%06dZ', n.ts_us % 1000000) AS ts_utc,
       n.pid AS pid,
       coalesce((SELECT p.image_path FROM process p
        WHERE p.pid = n.pid AND p.start_ts_us <= n.ts_us AND (p.end_ts_us IS NULL OR p.end_ts_us >= n.ts_us)
        ORDER BY p.start_ts_us DESC LIMIT 1), CASE WHEN n.pid = 4 THEN 'System' END) AS process_path,
       n.query_name AS query_name, n.cname_chain AS cname_chain,
       (SELECT group_concat(r.remote_address, ' ') FROM dns_answer x INDEXED BY dns_answer_by_time JOIN remote r ON r.remote_id = x.remote_id
        WHERE x.ts_us = n.ts_us AND x.pid = n.pid AND x.query_name = n.query_name) AS addresses
FROM newest n
ORDER BY n.ts_us DESC, n.query_name;
