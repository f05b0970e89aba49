-- 0008: flow records (contract version 2). FlowStats reports a live flow's counters, cumulative since it began, at
-- most once per active interval; the collector adds each record's increase to the minute rollup (packet_minute, on
-- the stream a Packet of the flow would use), so timeline and the top-* queries answer without per-packet events.
-- The newest counters stay on the flow row, so a restarted collector continues from them instead of counting a
-- flow's history twice.
ALTER TABLE flow ADD COLUMN stats_ts_us INTEGER;        -- time of the newest FlowStats; NULL when none yet
ALTER TABLE flow ADD COLUMN stats_packets_in INTEGER;   -- its counters, cumulative since the flow began
ALTER TABLE flow ADD COLUMN stats_bytes_in INTEGER;
ALTER TABLE flow ADD COLUMN stats_packets_out INTEGER;
ALTER TABLE flow ADD COLUMN stats_bytes_out INTEGER;
-- 1 when start_ts_us is FlowEstablished's time; 0 when the flow began before collection (start_ts_us is then the
-- first FlowStats that named it, or NULL when only FlowDeleted did).
ALTER TABLE flow ADD COLUMN start_seen INTEGER NOT NULL DEFAULT 1;
UPDATE flow SET start_seen = 0 WHERE start_ts_us IS NULL;
-- 1 once Packet events of the flow were stored: its rollup then comes from them, and FlowStats only keeps the
-- counters (bytes are never counted twice).
ALTER TABLE flow ADD COLUMN packets_seen INTEGER NOT NULL DEFAULT 0;
UPDATE flow SET packets_seen = 1 WHERE EXISTS (SELECT 1 FROM packet_stream s WHERE s.flow_id = flow.flow_id);
-- Each flow record finds its open flow by FlowId.
CREATE INDEX flow_open_by_flow_id ON flow(flow_id) WHERE end_ts_us IS NULL;
