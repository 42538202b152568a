-- Every outgoing mail is a row before it is a connection. Receipts are
-- written in the same transaction that records the classified submission;
-- one sender task drains the table.

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('receipt', 'reminder', 'digest')),
    -- One mail per purpose: receipt:<message_key>, reminder:<run>:<unit>, digest:<run>:<department>.
    dedupe_key   TEXT NOT NULL UNIQUE,
    -- Sent through this department's SMTP account.
    department   TEXT NOT NULL,
    mail_from    TEXT NOT NULL,
    recipients   TEXT NOT NULL,  -- JSON array of addresses
    subject      TEXT NOT NULL,
    message_id   TEXT NOT NULL UNIQUE,
    raw          BLOB NOT NULL,  -- the complete RFC 5322 message
    state        TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'bounced')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    sent_at      TEXT,
    last_error   TEXT,
    held_reason  TEXT,           -- why it is waiting (rate limit, another copy)
    bounce       TEXT            -- the delivery-status detail, once bounced
) STRICT;

CREATE INDEX outbox_due ON outbox (state, not_before);

-- The receipt decision for each message (all its deliveries): a row in the
-- outbox, or the reason none is sent.
CREATE TABLE receipts (
    message_key  TEXT PRIMARY KEY,
    outbox_id    INTEGER REFERENCES outbox (id),
    suppressed   TEXT,
    CHECK ((outbox_id IS NULL) <> (suppressed IS NULL))
) STRICT;

-- Per-recipient sending history for the rate limit (receipts only).
CREATE TABLE sent_log (
    recipient  TEXT NOT NULL,
    sent_at    TEXT NOT NULL,
    outbox_id  INTEGER NOT NULL
) STRICT;
CREATE INDEX sent_log_by_recipient ON sent_log (recipient, sent_at);
