-- 0007: recordings under hostile use. Each imported file's identity (content SHA-256 and size), so the same file is
-- not imported twice by mistake, and what a damaged file's salvage had to skip.
ALTER TABLE collector_session ADD COLUMN input_sha256 TEXT;          -- hex SHA-256 of the imported file; NULL for live runs
ALTER TABLE collector_session ADD COLUMN input_bytes INTEGER;        -- its size in bytes
ALTER TABLE collector_session ADD COLUMN input_bytes_skipped INTEGER; -- bytes after the last complete block of a damaged file (status 'truncated')
CREATE INDEX collector_session_by_input ON collector_session(input_sha256) WHERE input_sha256 IS NOT NULL;

-- Rows know their session, so an interrupted or failed import can be replaced (import --replace): flows and health
-- events already carried it; packets now do (NULL for rows written before this version).
ALTER TABLE packet ADD COLUMN session_id INTEGER;
CREATE INDEX packet_by_session ON packet(session_id) WHERE session_id IS NOT NULL;
