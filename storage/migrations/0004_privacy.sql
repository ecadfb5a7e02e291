-- Personal-data requests (UU No. 27/2022): every export and erasure is recorded.
CREATE TABLE data_requests (
    id       INTEGER PRIMARY KEY,
    kind     TEXT    NOT NULL CHECK (kind IN ('export', 'erase')),
    user_id  INTEGER NOT NULL,
    at       TEXT    NOT NULL
);
