-- title: DNS answers
-- description: What a program resolved, and when: each answer with the CNAME chain it went through and the addresses it got, newest first.
-- why: Which names a program looked up is often the first sign of what it does (updates, telemetry, command and control).
-- param: process | text | | Process id, or part of the process path (ASCII letters match in any case); empty for all
-- param: name | text | | Part of the name asked for; empty for all
-- param: since | time | 24h | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: limit | int | 100 | Most rows to return
-- The program is the process that had the pid at the time (process table), when known.
WITH answers AS (
    SELECT d.ts_us, d.pid, d.query_name, d.cname_chain, d.query_type, group_concat(r.remote_address, ' ') AS addresses,
           (SELECT p.image_path FROM process p
            WHERE p.pid = d.pid AND p.start_ts_us <= d.ts_us AND (p.end_ts_us IS NULL OR p.end_ts_us >= d.ts_us)
            ORDER BY p.start_ts_us DESC LIMIT 1) AS process_path
    FROM dns_answer d INDEXED BY dns_answer_by_time JOIN remote r ON r.remote_id = d.remote_id
    WHERE d.ts_us >= @since AND d.ts_us < @until
      AND (@name = '' OR instr(lower(d.query_name), lower(@name)) > 0)
    GROUP BY d.ts_us, d.pid, d.query_name, d.cname_chain, d.query_type)
SELECT strftime('%Y-%m-%dT%H:%M:%S', ts_us / 1000000, 'unixepoch') || printf('.%06dZ', ts_us % 1000000) AS ts_utc,
       pid, process_path, query_name, cname_chain, addresses
FROM answers
WHERE (@process = '' OR CAST(pid AS TEXT) = @process OR instr(lower(process_path), lower(@process)) > 0)
ORDER BY ts_us DESC, query_name
LIMIT @limit;
