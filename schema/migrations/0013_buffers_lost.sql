-- 0013: a session's lost buffers, a loss of its own. ETW reports events it dropped (events_lost) and, apart, whole
-- buffers it could not deliver to the real-time consumer or the file (RealTimeBuffersLost + LogBuffersLost). A
-- buffer holds an unknown number of events, so the two are never added together; 0 for every other source.
ALTER TABLE collector_session ADD COLUMN buffers_lost INTEGER NOT NULL DEFAULT 0;
