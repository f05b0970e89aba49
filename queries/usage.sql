-- title: Usage per program
-- description: Bytes received and sent per program per day, week (from Monday) or month, UTC, busiest period and program first.
-- why: Which program used the network, and how much, this month: the question GlassWire and NetLimiter users ask most.
-- param: by | one of day,week,month | day | The period
-- param: program | text | | Part of the program path (ASCII letters match in any case), or a process id for programs without a path; empty for all
-- param: since | time | 30d | Start (UTC ISO-8601, or relative such as 30d); counted by whole UTC days
-- param: until | time | max | End, exclusive
-- param: limit | int | 1000 | Most rows to return
-- Reads program_day (the minute rollups summed per program and UTC day, schema 0014): a year is 365 rows per
-- program. The day containing since counts whole.
WITH days AS (
    SELECT d.day, p.path, p.pid, d.packets_in + d.packets_out AS packets, d.bytes_in, d.bytes_out
    FROM program_day d JOIN program p ON p.program_id = d.program_id
    WHERE d.day >= @since / 86400000000 AND d.day < (@until + 86399999999) / 86400000000
      AND (@program = '' OR instr(lower(p.path), lower(@program)) > 0 OR (p.path = '' AND CAST(p.pid AS TEXT) = @program))),
periods AS (
    SELECT CASE @by WHEN 'day' THEN date(d.day * 86400, 'unixepoch')
                    WHEN 'week' THEN date(d.day * 86400, 'unixepoch', '-6 days', 'weekday 1')
                    WHEN 'month' THEN strftime('%Y-%m', d.day * 86400, 'unixepoch')
                    END AS period,
           d.path, d.pid, d.packets, d.bytes_in, d.bytes_out
    FROM days d)
SELECT period,
       CASE WHEN path <> '' THEN path WHEN pid = 4 THEN 'System' WHEN pid = 0 THEN 'unknown' ELSE 'pid ' || pid END AS program,
       sum(bytes_in) AS bytes_in, sum(bytes_out) AS bytes_out, sum(packets) AS packets
FROM periods
GROUP BY period, path, pid
ORDER BY period DESC, sum(bytes_in) + sum(bytes_out) DESC, program
LIMIT @limit;
