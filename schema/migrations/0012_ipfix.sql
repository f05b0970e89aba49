-- 0012: IPFIX export (`monitornetwork export --format ipfix --to HOST:PORT`). Each destination (a flow collector)
-- receives each flow segment once: what it has of each flow is kept per destination, like the lake's columns on
-- flow_row, and advances only after the batch that carried it was sent.
CREATE TABLE ipfix_progress (
    destination          TEXT NOT NULL,       -- "udp:HOST:PORT" or "tcp:HOST:PORT", as given
    flow_key             INTEGER NOT NULL,    -- flow_row.flow_key
    exported_packets_in  INTEGER NOT NULL,
    exported_bytes_in    INTEGER NOT NULL,
    exported_packets_out INTEGER NOT NULL,
    exported_bytes_out   INTEGER NOT NULL,
    exported_until_us    INTEGER NOT NULL,    -- end of the last segment sent
    done                 INTEGER NOT NULL,    -- 1: the flow had ended by its last segment
    PRIMARY KEY (destination, flow_key)
) WITHOUT ROWID;

-- Per destination: where its sequence number stands (RFC 7011: data records sent before this message) and the
-- newest flow key that every earlier flow was finished for (the next run starts there), and when it last ran.
CREATE TABLE ipfix_destination (
    destination      TEXT PRIMARY KEY,
    sequence         INTEGER NOT NULL,
    done_below       INTEGER NOT NULL,        -- every flow_key at or below this is finished for this destination
    last_export_us   INTEGER,
    records_sent     INTEGER NOT NULL DEFAULT 0
);
