-- The ledger: what was fetched from each mailbox, and where its raw bytes are.
-- Times are RFC 3339 UTC text ("2018-01-26T09:30:00Z"): sortable and readable in the sqlite3 shell.

-- Per-mailbox sync position. UIDs are only meaningful within one UIDVALIDITY.
CREATE TABLE mailbox_state (
    department   TEXT PRIMARY KEY,
    uidvalidity  INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

-- One row per delivery kept: a message in a department mailbox (or imported with `ingest`).
-- The raw file is written and made durable before the row commits.
CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    department     TEXT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('imap', 'ingest')),
    uidvalidity    INTEGER,
    uid            INTEGER,
    message_id     TEXT,
    internal_date  TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    raw_path       TEXT NOT NULL,
    fetched_at     TEXT NOT NULL,
    oversize       INTEGER NOT NULL DEFAULT 0 CHECK (oversize IN (0, 1)),
    UNIQUE (department, uidvalidity, uid),
    CHECK ((source = 'imap') = (uid IS NOT NULL))
) STRICT;

CREATE INDEX messages_by_content ON messages (department, sha256);
CREATE INDEX messages_by_message_id ON messages (message_id);
-- Importing the same file twice into one department keeps it once.
CREATE UNIQUE INDEX messages_ingest_once ON messages (department, sha256) WHERE source = 'ingest';

-- Messages whose download keeps failing: counted, and after fetch.max_attempts
-- skipped so one broken message never blocks its mailbox.
CREATE TABLE fetch_failures (
    department   TEXT NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    size         INTEGER,
    attempts     INTEGER NOT NULL,
    last_error   TEXT NOT NULL,
    skipped      INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (department, uidvalidity, uid)
) STRICT;
