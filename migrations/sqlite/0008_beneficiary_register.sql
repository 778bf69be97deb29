-- The beneficiary register of the third places. Not a read model: it is the only copy of
-- the people's personal data, kept out of the event log so that it can be erased.
-- `beneficiaries` holds what outlives an erasure (the code, the third place, the publics the
-- person was counted in, the dates); `beneficiary_secrets` the sealed details and the
-- person's wrapped key, deleted (overwritten on SQLite) when the person is erased.

CREATE TABLE beneficiaries (
    code TEXT PRIMARY KEY,
    third_place TEXT NOT NULL,
    categories TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    consent_on TEXT NOT NULL,
    version INTEGER NOT NULL,
    erased_on TEXT,
    erased_reason TEXT NOT NULL DEFAULT ''
);

CREATE INDEX beneficiaries_by_place ON beneficiaries (third_place, erased_on);

CREATE TABLE beneficiary_secrets (
    code TEXT PRIMARY KEY REFERENCES beneficiaries (code),
    master_id TEXT NOT NULL,
    wrapped_key BLOB NOT NULL,
    details BLOB NOT NULL
);

-- Who registered, changed, exported or erased whose record, and when (codes only).
CREATE TABLE register_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    code TEXT NOT NULL,
    third_place TEXT NOT NULL
);

CREATE INDEX register_journal_by_code ON register_journal (code, id);

-- A person's loans, read for their own record and for the retention period.
CREATE INDEX loans_by_beneficiary ON loans (beneficiary_code);
