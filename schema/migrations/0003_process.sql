-- 0003: programs behind process ids. PIDs are reused, so a program run is (pid, start time); flows and packets
-- find theirs by pid and time. Filled from Microsoft-Windows-Kernel-Process start/stop events and a snapshot of
-- the processes already running when a live session starts.
CREATE TABLE process (
    pid            INTEGER NOT NULL,
    start_ts_us    INTEGER NOT NULL,      -- process creation time, UTC microseconds
    end_ts_us      INTEGER,               -- exit time; NULL while running or unknown
    image_path     TEXT,                  -- executable path (NT device form from Kernel-Process, e.g. \Device\HarddiskVolume3\...)
    command_line   TEXT,                  -- when known (the snapshot: WMI on Windows, /proc on Linux); Kernel-Process start events carry none
    PRIMARY KEY (pid, start_ts_us)
) WITHOUT ROWID;

CREATE VIEW processes AS
SELECT pid,
       strftime('%Y-%m-%dT%H:%M:%S', start_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', start_ts_us % 1000000) AS start_utc,
       strftime('%Y-%m-%dT%H:%M:%S', end_ts_us / 1000000, 'unixepoch') || printf('.%06dZ', end_ts_us % 1000000)   AS end_utc,
       image_path, command_line
FROM process;
