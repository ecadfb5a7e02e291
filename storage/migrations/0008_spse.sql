-- Package data read from SPSE (the national e-procurement system), beside the bureau's own
-- record in `packages`. One row per package SPSE has shown us; `packages` keeps the position
-- (stage 5 step, outcome) and the data both sides share (name, HPS, winner, contract value).
--
-- Numbered 0007 because the migration runner requires contiguous numbers.

CREATE TABLE spse_packages (
    package_id         INTEGER PRIMARY KEY REFERENCES packages (id),
    kind               TEXT    NOT NULL CHECK (kind IN ('tender', 'non_tender')),
    -- "Tahap saat ini" exactly as SPSE words it; a text we cannot map is kept as is.
    stage_text         TEXT    NOT NULL,
    agency             TEXT,
    -- Badges SPSE shows beside the name ("Tender Ulang", …), '; '-joined.
    labels             TEXT,
    is_retender        INTEGER NOT NULL DEFAULT 0 CHECK (is_retender IN (0, 1)),
    qualification      TEXT,
    evaluation_method  TEXT,
    -- SPSE's rounded list value ("15,9 M"); the exact HPS is packages.hps_sen.
    hps_text           TEXT,
    -- JSON [[tahap, mulai, sampai, perubahan], …]; times as SPSE prints them (wall clock).
    schedule           TEXT,
    schedule_at        TEXT,
    announcement_at    TEXT,
    winner_checked_at  TEXT,
    -- When SPSE last showed this package (list or live lookup): "data SPSE per …".
    seen_at            TEXT    NOT NULL,
    first_seen_at      TEXT    NOT NULL
) WITHOUT ROWID;

-- One row per sync; a row stays 'running' while it runs, so two syncs never overlap.
CREATE TABLE spse_sync_runs (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT    NOT NULL,
    finished_at     TEXT,
    status          TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
    trigger         TEXT    NOT NULL,
    requests        INTEGER,
    listed          INTEGER,
    created         INTEGER,
    updated         INTEGER,
    stage_changes   INTEGER,
    notices         INTEGER,
    error           TEXT
);
CREATE INDEX spse_sync_runs_by_status ON spse_sync_runs (status, id);
