-- Scheduled jobs (digests, reminders). A job's position is the last slot it
-- handled; each run is recorded in the same transaction that queues its
-- mail, so a run is never sent twice, and after downtime the missed slots
-- collapse into one run.

CREATE TABLE schedule_state (
    job        TEXT PRIMARY KEY,   -- "digest:org", "reminders"
    last_slot  TEXT NOT NULL,
    last_run   TEXT               -- when it last ran: the next digest covers what came after
) STRICT;

CREATE TABLE schedule_runs (
    job           TEXT NOT NULL,
    slot          TEXT NOT NULL,   -- the scheduled instant this run stands for
    ran_at        TEXT NOT NULL,
    covered_from  TEXT,            -- digests: what arrived after this instant
    missed        INTEGER NOT NULL DEFAULT 0,  -- earlier slots folded into this run
    outcome       TEXT NOT NULL,
    PRIMARY KEY (job, slot)
) STRICT;

-- Review items a person has dealt with (`mailroom review --resolve`).
CREATE TABLE reviews (
    message_key  TEXT PRIMARY KEY,
    resolved_at  TEXT NOT NULL,
    note         TEXT
) STRICT;
