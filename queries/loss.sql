-- title: Collector loss
-- description: One row per collector run with what it received, wrote, dropped, lost in transport (events, and whole ETW buffers apart), and rejected as malformed.
-- why: Did we lose events? A collector that cannot say is a collector that lies; non-zero dropped or lost means gaps.
-- param: since | time | 0 | Runs started at or after this time (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | Runs started before this time
SELECT session_id,
       source,
       strftime('%Y-%m-%dT%H:%M:%SZ', started_ts_us / 1000000, 'unixepoch') AS started_utc,
       strftime('%Y-%m-%dT%H:%M:%SZ', ended_ts_us / 1000000, 'unixepoch') AS ended_utc,
       status,
       events_received AS received,
       events_written AS written,
       events_dropped AS dropped,
       events_lost AS lost,
       events_malformed AS malformed,
       buffers_lost
FROM collector_session
WHERE started_ts_us >= @since AND started_ts_us < @until
ORDER BY session_id;
