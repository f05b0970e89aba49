-- title: Timeline
-- description: Packets and payload bytes per time bucket, from Packet events and flow records.
-- why: Finds when a spike happened, and how traffic is shaped over a day.
-- param: since | time | 0 | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: bucket | int | 60 | Bucket size in seconds (60 or more reads minute rollups; less reads every packet)
-- Buckets of a minute or more read minute_traffic (schema/migrations/0016_accounting.sql: packets' and flow records'
-- minutes; a byte is in one of them): each minute counts in the bucket where it starts, and a minute belongs to the
-- window when its start does. Buckets under a minute read every packet, so flow records do not show in them.
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', (m.minute * 60 / @bucket) * @bucket, 'unixepoch') AS bucket_start,
       sum(m.packets_in + m.packets_out) AS packets, sum(m.bytes_in) AS bytes_in, sum(m.bytes_out) AS bytes_out
FROM minute_traffic m
WHERE @bucket >= 60 AND m.minute >= (@since + 59999999) / 60000000 AND m.minute < (@until + 59999999) / 60000000
GROUP BY m.minute * 60 / @bucket
UNION ALL
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', (p.ts_us / 1000000 / @bucket) * @bucket, 'unixepoch'),
       count(*), sum(CASE WHEN p.direction = 1 THEN p.bytes ELSE 0 END), sum(CASE WHEN p.direction = 0 THEN p.bytes ELSE 0 END)
FROM packet p
WHERE @bucket > 0 AND @bucket < 60 AND p.ts_us >= @since AND p.ts_us < @until
GROUP BY p.ts_us / 1000000 / @bucket
ORDER BY 1;
