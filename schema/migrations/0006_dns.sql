-- 0006: names, not only addresses. Every address a DNS answer gave (Microsoft-Windows-DNS-Client event 3008), with
-- the process that asked, and on each flow the name its remote address was resolved from.
CREATE TABLE dns_answer (
    ts_us        INTEGER NOT NULL,      -- when the query completed, UTC microseconds
    session_id   INTEGER NOT NULL REFERENCES collector_session(session_id),
    pid          INTEGER NOT NULL,      -- the process that asked (0 when unknown)
    query_name   TEXT    NOT NULL,      -- the name asked for, e.g. www.example.com
    cname_chain  TEXT,                  -- the CNAMEs the answer went through, ' > '-separated; NULL when none
    query_type   INTEGER NOT NULL,      -- 1 A, 28 AAAA, ...
    remote_id    INTEGER NOT NULL       -- remote.remote_id of one address of the answer (a row per address)
);
-- A flow's name is the newest answer for its address before it began: found by (address, time).
CREATE INDEX dns_answer_by_remote ON dns_answer(remote_id, ts_us);
CREATE INDEX dns_answer_by_time ON dns_answer(ts_us);

-- The name the same process (else any process) most recently resolved to the remote address before the flow
-- began, within the window (default 1 h); set when the flow is written. NULL when none.
ALTER TABLE flow ADD COLUMN remote_host TEXT;

CREATE VIEW dns_answers AS
SELECT strftime('%Y-%m-%dT%H:%M:%S', d.ts_us / 1000000, 'unixepoch') || printf('.%06dZ', d.ts_us % 1000000) AS ts_utc,
       d.pid, d.query_name, d.cname_chain, d.query_type, r.remote_address AS address, d.session_id
FROM dns_answer d JOIN remote r ON r.remote_id = d.remote_id;
