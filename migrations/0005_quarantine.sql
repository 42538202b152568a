-- Understanding a message runs in a worker process (intake::worker). The
-- batch a message belongs to is counted here before its understanding starts
-- (committed first) and cleared when its delivery is recorded: a message
-- still counted at the next start was in flight when mailroom died.
ALTER TABLE messages ADD COLUMN understand_attempts INTEGER NOT NULL DEFAULT 0;
-- Set aside: its understanding crashed or outlasted the worker twice (or
-- mailroom died three times while it was in flight). Why, and since when.
-- Recorded from its headers alone; `reprocess` leaves it; a person retries it
-- with `mailroom reprocess --message ID`.
ALTER TABLE messages ADD COLUMN quarantined TEXT;
ALTER TABLE messages ADD COLUMN quarantined_at TEXT;
