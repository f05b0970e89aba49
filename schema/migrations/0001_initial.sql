-- 0001: flows, packets, collector sessions and the readable views over them.
-- Times are integers in microseconds since the Unix epoch, UTC (ts_us); views render them as ISO-8601 with
-- exact microseconds (integer arithmetic: strftime's %f would round through a floating-point Julian day).
-- Addresses are canonical text: IPv4 (including IPv4-mapped IPv6) as "a.b.c.d", IPv6 in RFC 5952 form.
-- Comments inside CREATE statements are kept by SQLite, so `.schema` in the sqlite3 shell documents every column.

CREATE TABLE collector_session (
    session_id        INTEGER PRIMARY KEY,  -- one row per collector run (collect or import)
    started_ts_us     INTEGER NOT NULL,     -- when the run started, UTC microseconds
    ended_ts_us       INTEGER,              -- when the run ended; NULL while running or after a crash
    source            TEXT    NOT NULL,     -- etw-driver | etw-kernel | etl | nettrace | eventpipe
    source_detail     TEXT,                 -- file path or ETW session name
    host_name         TEXT,                 -- machine that ran the collector
    collector_version TEXT,                 -- monitornetwork version that wrote the rows
    events_received   INTEGER NOT NULL DEFAULT 0, -- events of our provider handed to the pipeline
    events_written    INTEGER NOT NULL DEFAULT 0, -- events committed to this database
    events_dropped    INTEGER NOT NULL DEFAULT 0, -- events the bounded queue or a failed store dropped
    events_lost       INTEGER NOT NULL DEFAULT 0, -- events ETW or EventPipe reported lost before we saw them
    events_malformed  INTEGER NOT NULL DEFAULT 0, -- known events whose fields did not match the contract
    events_unknown    INTEGER NOT NULL DEFAULT 0, -- events of our provider with a name the contract lacks
    status            TEXT    NOT NULL DEFAULT 'running' -- running | completed | interrupted | failed; 'running' after a crash
);

CREATE TABLE flow (
    flow_key        INTEGER PRIMARY KEY,    -- surrogate key; FlowIds can repeat across driver loads
    flow_id         INTEGER NOT NULL,       -- the driver's 64-bit FlowId as signed two's complement (views show it unsigned)
    session_id      INTEGER NOT NULL REFERENCES collector_session(session_id), -- run that first saw the flow
    pid             INTEGER,                -- owning process id; NULL when only FlowDeleted was seen
    process_path    TEXT,                   -- image path as WFP gives it; '' when WFP gave none
    direction       INTEGER,                -- 0 outbound, 1 inbound (FWP_DIRECTION)
    protocol        INTEGER,                -- IANA protocol number
    local_address   TEXT,
    local_port      INTEGER,
    remote_address  TEXT,
    remote_port     INTEGER,
    start_ts_us     INTEGER,                -- FlowEstablished time; NULL when only FlowDeleted was seen
    end_ts_us       INTEGER,                -- FlowDeleted time; NULL while the flow is open
    packets_in      INTEGER,                -- totals from FlowDeleted; NULL while the flow is open
    bytes_in        INTEGER,
    packets_out     INTEGER,
    bytes_out       INTEGER
);
CREATE INDEX flow_by_flow_id ON flow(flow_id);
CREATE INDEX flow_by_start ON flow(start_ts_us);

-- One row per distinct (flow, process, protocol, endpoints) seen in Packet events. Packets point here,
-- so a packet row holds only its time, stream, direction and size.
CREATE TABLE packet_stream (
    stream_id       INTEGER PRIMARY KEY,
    flow_id         INTEGER NOT NULL,       -- 0 when the packet had no flow context
    pid             INTEGER NOT NULL,       -- 0 when unknown
    protocol        INTEGER NOT NULL,
    local_address   TEXT    NOT NULL,
    local_port      INTEGER NOT NULL,
    remote_address  TEXT    NOT NULL,
    remote_port     INTEGER NOT NULL,
    UNIQUE (flow_id, pid, protocol, local_address, local_port, remote_address, remote_port)
);

CREATE TABLE packet (
    ts_us           INTEGER NOT NULL,       -- UTC microseconds
    stream_id       INTEGER NOT NULL,       -- packet_stream.stream_id
    direction       INTEGER NOT NULL,       -- 0 outbound, 1 inbound
    bytes           INTEGER NOT NULL        -- transport payload bytes
);

CREATE TABLE health_event (
    ts_us           INTEGER NOT NULL,
    session_id      INTEGER NOT NULL REFERENCES collector_session(session_id),
    event_name      TEXT    NOT NULL,       -- e.g. DriverStarted, DriverStopping
    fields_json     TEXT    NOT NULL        -- the event's fields as a JSON object
);

CREATE VIEW flows AS
SELECT printf('%llu', f.flow_id)                                         AS flow_id,
       f.pid                                                             AS pid,
       f.process_path                                                    AS process_path,
       CASE f.direction WHEN 0 THEN 'out' WHEN 1 THEN 'in' END           AS direction,
       CASE f.protocol WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp' WHEN 1 THEN 'icmp'
                       WHEN 58 THEN 'icmpv6' ELSE CAST(f.protocol AS TEXT) END AS protocol,
       f.local_address                                                   AS local_address,
       f.local_port                                                      AS local_port,
       f.remote_address                                                  AS remote_address,
       f.remote_port                                                     AS remote_port,
       strftime('%Y-%m-%dT%H:%M:%S', f.start_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', f.start_ts_us % 1000000) AS start_utc,
       strftime('%Y-%m-%dT%H:%M:%S', f.end_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', f.end_ts_us % 1000000)   AS end_utc,
       f.packets_in, f.bytes_in, f.packets_out, f.bytes_out,
       f.session_id
FROM flow f;

CREATE VIEW packets AS
SELECT strftime('%Y-%m-%dT%H:%M:%S', p.ts_us / 1000000, 'unixepoch') || printf('.%06dZ', p.ts_us % 1000000)       AS ts_utc,
       printf('%llu', s.flow_id)                                         AS flow_id,
       s.pid                                                             AS pid,
       CASE p.direction WHEN 0 THEN 'out' WHEN 1 THEN 'in' END           AS direction,
       CASE s.protocol WHEN 6 THEN 'tcp' WHEN 17 THEN 'udp' WHEN 1 THEN 'icmp'
                       WHEN 58 THEN 'icmpv6' ELSE CAST(s.protocol AS TEXT) END AS protocol,
       s.local_address, s.local_port, s.remote_address, s.remote_port,
       p.bytes
FROM packet p JOIN packet_stream s ON s.stream_id = p.stream_id;

CREATE VIEW sessions AS
SELECT session_id,
       strftime('%Y-%m-%dT%H:%M:%S', started_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', started_ts_us % 1000000) AS started_utc,
       strftime('%Y-%m-%dT%H:%M:%S', ended_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', ended_ts_us % 1000000)   AS ended_utc,
       source, source_detail, host_name, status,
       events_received, events_written, events_dropped, events_lost, events_malformed, events_unknown
FROM collector_session;
