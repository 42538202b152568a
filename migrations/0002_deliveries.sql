-- The classified view of each stored message ("delivery": a message in one
-- department mailbox). Entirely derived from the raw file and the
-- configuration: `mailroom reprocess` rebuilds it.

CREATE TABLE deliveries (
    message_row           INTEGER PRIMARY KEY REFERENCES messages (id),
    -- Message-ID, or "sha256:<hex>" when the message has none: groups the
    -- deliveries of one message across department mailboxes.
    message_key           TEXT NOT NULL,
    department            TEXT NOT NULL,
    received_at           TEXT NOT NULL,
    kind                  TEXT NOT NULL CHECK (kind IN ('submission', 'auto_reply', 'bounce', 'other')),
    unit                  TEXT,
    unit_source           TEXT,
    projects              TEXT NOT NULL,  -- JSON array of project codes
    items                 TEXT NOT NULL,  -- JSON array of item codes
    form_projects         TEXT NOT NULL,  -- JSON array: projects seen only in overview-form rows
    late                  INTEGER NOT NULL CHECK (late IN (0, 1)),
    misrouted             INTEGER NOT NULL CHECK (misrouted IN (0, 1)),
    expected_departments  TEXT NOT NULL,  -- JSON array of department ids
    -- Flags from the message itself, and those plus the ones that depend on
    -- other messages (resubmission, duplicate_delivery), as JSON arrays.
    base_flags            TEXT NOT NULL,
    flags                 TEXT NOT NULL,
    from_addr             TEXT,
    subject               TEXT,
    -- {"classification": …, "headers": …} as JSON: the evidence, reasons and
    -- envelope the receipt and the exports are built from.
    detail                TEXT NOT NULL,
    classified_at         TEXT NOT NULL
) STRICT;

CREATE INDEX deliveries_by_key ON deliveries (message_key);
CREATE INDEX deliveries_by_unit ON deliveries (unit, received_at);

-- Material files of each delivery, decoded and stored content-addressed.
CREATE TABLE attachments (
    message_row    INTEGER NOT NULL REFERENCES messages (id),
    ordinal        INTEGER NOT NULL,
    filename       TEXT NOT NULL,
    safe_filename  TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    path           TEXT NOT NULL,
    items          TEXT NOT NULL,  -- JSON array of item codes
    members        TEXT,           -- JSON array of zip member paths, for archives
    -- "unreadable: …" or "suspicious: …" when the file could not be opened or
    -- an archive was refused.
    problem        TEXT,
    PRIMARY KEY (message_row, ordinal)
) STRICT;

-- Decisions a person made (`mailroom assign`); reprocessing keeps them.
CREATE TABLE assignments (
    message_key  TEXT PRIMARY KEY,
    unit         TEXT NOT NULL,
    items        TEXT,             -- JSON array, or NULL to keep the classifier's
    assigned_at  TEXT NOT NULL,
    note         TEXT
) STRICT;

-- What each submission delivers (see intake::relations::coverage), one row
-- per key: lets "did this unit send the same thing before?" be an indexed
-- lookup instead of a scan of all its mail.
CREATE TABLE coverage (
    message_row  INTEGER NOT NULL REFERENCES messages (id),
    unit         TEXT NOT NULL,
    cov          TEXT NOT NULL,
    message_key  TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (message_row, cov)
) STRICT;
CREATE INDEX coverage_by_unit ON coverage (unit, cov, received_at, message_row);
