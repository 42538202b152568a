-- Each mailbox watches several folders (INBOX, the provider's junk folders,
-- configured extras): UIDs and UIDVALIDITY belong to one folder, so the sync
-- position, the fetch failures and the identity of an IMAP message all gain
-- the folder. SQLite cannot change a PRIMARY KEY or UNIQUE constraint in
-- place: each table is rebuilt. Rows from before belong to the one folder
-- watched until now, "INBOX" by default (a mailbox configured with another
-- `folder` is rescanned once; its messages are recognised by Message-ID and
-- content, see ledger::messages::record_batch).
--
-- Folder names are stored as people read them ("INBOX", "垃圾邮件"), not in
-- IMAP's modified UTF-7.

CREATE TABLE mailbox_state_0006 (
    department   TEXT NOT NULL,
    folder       TEXT NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (department, folder)
) STRICT;
INSERT INTO mailbox_state_0006 (department, folder, uidvalidity, last_uid, updated_at)
    SELECT department, 'INBOX', uidvalidity, last_uid, updated_at FROM mailbox_state;
DROP TABLE mailbox_state;
ALTER TABLE mailbox_state_0006 RENAME TO mailbox_state;

CREATE TABLE fetch_failures_0006 (
    department   TEXT NOT NULL,
    folder       TEXT NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    size         INTEGER,
    attempts     INTEGER NOT NULL,
    last_error   TEXT NOT NULL,
    skipped      INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (department, folder, uidvalidity, uid)
) STRICT;
INSERT INTO fetch_failures_0006 (department, folder, uidvalidity, uid, size, attempts,
        last_error, skipped, updated_at)
    SELECT department, 'INBOX', uidvalidity, uid, size, attempts, last_error, skipped, updated_at
    FROM fetch_failures;
DROP TABLE fetch_failures;
ALTER TABLE fetch_failures_0006 RENAME TO fetch_failures;

-- `messages` is the parent of deliveries, attachments and coverage. Dropping
-- it with foreign keys on (sqlx turns them on, and PRAGMA foreign_keys is a
-- no-op inside the migration's transaction) deletes its rows first, which
-- breaks every reference. Deferred, those breaks are only counted, and each
-- row inserted into the new table settles the references to it: the commit
-- succeeds only if every referenced row came back under its old id. So the
-- rows are copied aside, the table dropped and created anew under its own
-- name (children name it, and a rename would rewrite their references), and
-- the rows put back.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE messages_0006 AS
    SELECT id, department, source, uidvalidity, uid, message_id, internal_date, size, sha256,
           raw_path, fetched_at, oversize, understand_attempts, quarantined, quarantined_at
    FROM messages;
DROP TABLE messages;

CREATE TABLE messages (
    id                   INTEGER PRIMARY KEY,
    department           TEXT NOT NULL,
    source               TEXT NOT NULL CHECK (source IN ('imap', 'ingest')),
    -- The folder it was fetched from; NULL for imported files.
    folder               TEXT,
    uidvalidity          INTEGER,
    uid                  INTEGER,
    message_id           TEXT,
    internal_date        TEXT NOT NULL,
    size                 INTEGER NOT NULL,
    sha256               TEXT NOT NULL,
    raw_path             TEXT NOT NULL,
    fetched_at           TEXT NOT NULL,
    oversize             INTEGER NOT NULL DEFAULT 0 CHECK (oversize IN (0, 1)),
    understand_attempts  INTEGER NOT NULL DEFAULT 0,
    quarantined          TEXT,
    quarantined_at       TEXT,
    -- Found in a folder the provider files filtered mail into (\Junk, or a
    -- configured junk folder such as 广告邮件): the intake stage flags the
    -- delivery `in_junk` and the digest asks the clerk to mark the sender
    -- as not spam. Decided at fetch time: only the server knows which
    -- folder carries \Junk.
    in_junk              INTEGER NOT NULL DEFAULT 0 CHECK (in_junk IN (0, 1)),
    UNIQUE (department, folder, uidvalidity, uid),
    CHECK ((source = 'imap') = (uid IS NOT NULL)),
    CHECK ((source = 'imap') = (folder IS NOT NULL))
) STRICT;

INSERT INTO messages (id, department, source, folder, uidvalidity, uid, message_id,
        internal_date, size, sha256, raw_path, fetched_at, oversize, understand_attempts,
        quarantined, quarantined_at, in_junk)
    SELECT id, department, source, CASE WHEN source = 'imap' THEN 'INBOX' END, uidvalidity, uid,
           message_id, internal_date, size, sha256, raw_path, fetched_at, oversize,
           understand_attempts, quarantined, quarantined_at, 0
    FROM messages_0006;
DROP TABLE messages_0006;

CREATE INDEX messages_by_content ON messages (department, sha256);
CREATE INDEX messages_by_message_id ON messages (message_id);
-- Importing the same file twice into one department keeps it once.
CREATE UNIQUE INDEX messages_ingest_once ON messages (department, sha256) WHERE source = 'ingest';
