-- title: Top hosts
-- description: Host names ranked by bytes exchanged, with flows and how many processes talked to each; an address stands for itself when no name was resolved to it.
-- why: "chrome.exe sent 2 GB to youtube.com", not to 142.250.74.78: names are what people recognise and block.
-- param: since | time | 0 | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: limit | int | 20 | Most rows to return
-- A flow's host is the name stored with it (the same process's, else any process's newest answer for its address
-- within the DNS window before it began). A flow that began in the window counts what it moved (flow_traffic,
-- schema/migrations/0016_accounting.sql).
-- Grouped inside, ordered outside: ordering by the sums in the grouping query evaluated each open flow's sums twice.
SELECT host, flows, bytes_in, bytes_out, processes
FROM (SELECT coalesce(f.remote_host, f.remote_address) AS host, count(*) AS flows, sum(f.bytes_in) AS bytes_in,
             sum(f.bytes_out) AS bytes_out, count(DISTINCT f.pid) AS processes
      FROM flow_traffic f
      WHERE f.remote_address IS NOT NULL
        -- Unary + keeps SQLite off the time index: the window usually spans most flows, and a scan beats a lookup per flow.
        AND +f.ts_us >= @since AND +f.ts_us < @until
      GROUP BY coalesce(f.remote_host, f.remote_address))
ORDER BY bytes_in + bytes_out DESC, host
LIMIT @limit;
