-- title: Top hosts
-- description: Host names ranked by bytes exchanged, with flows and how many processes talked to each; an address stands for itself when no name was resolved to it.
-- why: "chrome.exe sent 2 GB to youtube.com", not to 142.250.74.78: names are what people recognise and block.
-- param: since | time | 0 | Start of the window (UTC ISO-8601, or relative such as 24h)
-- param: until | time | max | End of the window, exclusive
-- param: limit | int | 20 | Most rows to return
-- A flow's host is the name stored with it (the same process's, else any process's newest answer for its address
-- within the DNS window before it began). Ended flows count their totals, open flows the packets seen so far.
WITH
w AS (SELECT @since AS since_us, @until AS until_us),
flows_in AS (
    SELECT f.flow_key, f.flow_id, f.pid, coalesce(f.remote_host, f.remote_address) AS host, f.end_ts_us, f.bytes_in, f.bytes_out
    FROM flow f, w
    WHERE f.remote_address IS NOT NULL
      AND +coalesce(f.start_ts_us, f.end_ts_us) >= w.since_us AND +coalesce(f.start_ts_us, f.end_ts_us) < w.until_us),
open_sums AS (
    SELECT s.flow_id, sum(m.bytes_in) AS bytes_in, sum(m.bytes_out) AS bytes_out
    FROM packet_stream s INDEXED BY packet_stream_open CROSS JOIN packet_minute m ON m.stream_id = s.stream_id
    WHERE s.flow_ended = 0
    GROUP BY s.flow_id),
open_flow_sums AS (
    SELECT m.flow_key, sum(m.bytes_in) AS bytes_in, sum(m.bytes_out) AS bytes_out
    FROM flow_row o INDEXED BY flow_open_by_flow_id CROSS JOIN flow_minute m ON m.flow_key = o.flow_key
    WHERE o.end_ts_us IS NULL
    GROUP BY m.flow_key),
per_flow AS (
    SELECT f.host, f.pid,
           coalesce(f.bytes_in, coalesce(o.bytes_in, 0) + coalesce(r.bytes_in, 0)) AS bytes_in,
           coalesce(f.bytes_out, coalesce(o.bytes_out, 0) + coalesce(r.bytes_out, 0)) AS bytes_out
    FROM flows_in f LEFT JOIN open_sums o ON f.end_ts_us IS NULL AND o.flow_id = f.flow_id
                    LEFT JOIN open_flow_sums r ON f.end_ts_us IS NULL AND r.flow_key = f.flow_key)
SELECT f.host AS host, count(*) AS flows, sum(f.bytes_in) AS bytes_in, sum(f.bytes_out) AS bytes_out,
       count(DISTINCT f.pid) AS processes
FROM per_flow f
GROUP BY f.host
ORDER BY sum(f.bytes_in) + sum(f.bytes_out) DESC, f.host
LIMIT @limit;
