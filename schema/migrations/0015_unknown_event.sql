-- 0015: which events a session counted as unknown (events_unknown), so `stats` can say what they were: a provider,
-- an event name and id, and how many. At most 32 kinds a session; the rest are counted as '(other kinds)'.
CREATE TABLE unknown_event (
    session_id  INTEGER NOT NULL REFERENCES collector_session(session_id),
    kind        TEXT    NOT NULL,    -- "provider name (id N)", as the trace named them
    events      INTEGER NOT NULL,
    PRIMARY KEY (session_id, kind)
) WITHOUT ROWID;
