-- 0004: one program, one path. Image paths arrive as C:\..., \Device\HarddiskVolumeN\... (Kernel-Process) and
-- WFP's lowercase NT form; the collector stores one DOS path (the volume map of the machine that collected,
-- compared case-insensitively) and keeps what the source sent beside it when that differed.
ALTER TABLE flow ADD COLUMN process_path_raw TEXT;     -- the path as WFP gave it, when it differs from process_path
ALTER TABLE process ADD COLUMN image_path_raw TEXT;    -- the path as the source gave it, when it differs from image_path
