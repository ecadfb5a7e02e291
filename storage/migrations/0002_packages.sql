-- Procurement packages and where each one is in the bureau's six-stage procedure
-- (SK 188/139/K.Setda/2021, "Sistem, Mekanisme dan Prosedur"), with an append-only history
-- and the chats that follow a package.
--
-- Codes are TEXT of digits: SPSE codes and SIRUP kode RUP may start with zeros in exports and
-- exceed what people expect of a number column, and they are identifiers, not quantities.
-- Money is INTEGER sen (1/100 Rupiah) so that sums and comparisons are exact.

CREATE TABLE packages (
    id                INTEGER PRIMARY KEY,
    -- SPSE kode paket / kode tender. UNIQUE also gives the index for lookup by code.
    code              TEXT    NOT NULL UNIQUE
                      CHECK (length(code) BETWEEN 5 AND 20 AND code NOT GLOB '*[^0-9]*'),
    name              TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    work_unit         TEXT    NOT NULL CHECK (length(trim(work_unit)) > 0),
    fiscal_year       INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    procurement_type  TEXT,
    selection_method  TEXT,
    pagu_sen          INTEGER CHECK (pagu_sen >= 0),
    hps_sen           INTEGER CHECK (hps_sen >= 0),
    pokmil            TEXT,
    winner            TEXT,
    contract_sen      INTEGER CHECK (contract_sen >= 0),
    -- Current position: the stage reached (1..6), the SPSE tender step while in stage 5,
    -- and an outcome once the package left the normal flow or finished.
    stage             INTEGER NOT NULL CHECK (stage BETWEEN 1 AND 6),
    spse_stage        TEXT CHECK (spse_stage IN (
                          'pengumuman', 'download_dokumen', 'pemberian_penjelasan',
                          'upload_penawaran', 'pembukaan_penawaran', 'evaluasi',
                          'pembuktian_kualifikasi', 'penetapan_pemenang', 'pengumuman_pemenang',
                          'masa_sanggah', 'sppbj', 'kontrak')),
    outcome           TEXT CHECK (outcome IN
                          ('selesai', 'dikembalikan', 'gagal', 'batal', 'tender_ulang')),
    -- 0 hides everything about the package from people outside staff.
    is_public         INTEGER NOT NULL DEFAULT 1 CHECK (is_public IN (0, 1)),
    -- A re-tender gets a new SPSE code; the new row points at the tender it replaces.
    retender_of       INTEGER REFERENCES packages (id),
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    CHECK (spse_stage IS NULL OR stage = 5),
    CHECK (outcome IS NOT 'selesai' OR stage = 6),
    CHECK (retender_of IS NOT id)
);
-- One tender is replaced by at most one re-tender.
CREATE UNIQUE INDEX packages_by_retender_of ON packages (retender_of) WHERE retender_of IS NOT NULL;

-- SIRUP kode RUP of a package: one tender may consolidate several RUP, and one RUP may appear
-- on a failed tender and its re-tender. Primary key serves code → RUP, the index RUP → code.
CREATE TABLE package_rup (
    package_id  INTEGER NOT NULL REFERENCES packages (id),
    rup_code    TEXT    NOT NULL
                CHECK (length(rup_code) BETWEEN 5 AND 20 AND rup_code NOT GLOB '*[^0-9]*'),
    PRIMARY KEY (package_id, rup_code)
) WITHOUT ROWID;
CREATE INDEX package_rup_by_rup ON package_rup (rup_code, package_id);

-- Append-only history: every change of stage, data or visibility, with who did it and the
-- state after the change.
CREATE TABLE package_stages (
    id          INTEGER PRIMARY KEY,
    package_id  INTEGER NOT NULL REFERENCES packages (id),
    at          TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('stage', 'data', 'visibility')),
    stage       INTEGER NOT NULL CHECK (stage BETWEEN 1 AND 6),
    spse_stage  TEXT CHECK (spse_stage IN (
                    'pengumuman', 'download_dokumen', 'pemberian_penjelasan',
                    'upload_penawaran', 'pembukaan_penawaran', 'evaluasi',
                    'pembuktian_kualifikasi', 'penetapan_pemenang', 'pengumuman_pemenang',
                    'masa_sanggah', 'sppbj', 'kontrak')),
    outcome     TEXT CHECK (outcome IN
                    ('selesai', 'dikembalikan', 'gagal', 'batal', 'tender_ulang')),
    actor_kind  TEXT    NOT NULL CHECK (actor_kind IN ('staff', 'import', 'system')),
    actor_id    INTEGER,
    actor_name  TEXT    NOT NULL,
    note        TEXT,
    -- The document the stage produced, where the service standard names one.
    document    TEXT,
    -- Where the change came from when not typed by staff, e.g. the imported file's name.
    source      TEXT,
    CHECK (spse_stage IS NULL OR stage = 5)
);
CREATE INDEX package_stages_by_package ON package_stages (package_id, id);
CREATE TRIGGER package_stages_no_delete BEFORE DELETE ON package_stages
BEGIN
    SELECT RAISE(ABORT, 'package history is append-only');
END;
CREATE TRIGGER package_stages_no_update BEFORE UPDATE ON package_stages
BEGIN
    SELECT RAISE(ABORT, 'package history is append-only');
END;

-- Chats that receive a notice when a package's stage changes. One row per (package, chat):
-- in a group one follow serves everybody; user_id records who asked.
CREATE TABLE package_followers (
    package_id  INTEGER NOT NULL REFERENCES packages (id),
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER,
    since       TEXT    NOT NULL,
    PRIMARY KEY (package_id, chat_id)
) WITHOUT ROWID;
CREATE INDEX package_followers_by_chat ON package_followers (chat_id);
