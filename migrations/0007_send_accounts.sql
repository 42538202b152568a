-- What each department's sending account is doing, as mailroom last saw it
-- (outbox::accounts). One row per account that ever left `ok`; a missing
-- row is `ok`. The mail itself waits in `outbox` (not_before, held_reason);
-- this row exists so that a change of state is logged once, not per mail
-- or per attempt, and so that what the server taught is remembered.
CREATE TABLE send_accounts (
    department      TEXT PRIMARY KEY,
    state           TEXT NOT NULL
                    CHECK (state IN ('ok', 'unreachable', 'busy', 'parked', 'stopped', 'budget')),
    since           TEXT NOT NULL,
    until           TEXT,
    reason          TEXT,
    -- Consecutive attempts that found no server: the account's backoff.
    failures        INTEGER NOT NULL DEFAULT 0,
    -- A `554 MI:STC` on this day (campaign time zone, YYYY-MM-DD) showed the
    -- account's real daily quota: what had been sent that day.
    learned_day     TEXT,
    learned_per_day INTEGER
) STRICT;

-- The account budgets count what each account sent in the last day.
CREATE INDEX outbox_sent_by_account ON outbox (department, sent_at) WHERE sent_at IS NOT NULL;
