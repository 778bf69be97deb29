-- The ledger: every step in force as it was known over recording time (issue 8, "as of").
-- A row is one edition of a step, known from `known_from` until `known_to` (NULL: still true).

CREATE TABLE ledger (
    computer_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    since INTEGER NOT NULL,
    programme TEXT NOT NULL,
    tag TEXT NOT NULL,
    device_type TEXT NOT NULL,
    stage TEXT NOT NULL,
    site TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    state TEXT NOT NULL,
    holder_site TEXT NOT NULL,
    grade TEXT NOT NULL,
    contribution_cents INTEGER NOT NULL,
    work_minutes INTEGER NOT NULL,
    grams INTEGER NOT NULL,
    beneficiary TEXT NOT NULL,
    known_from TEXT NOT NULL,
    known_to TEXT,
    PRIMARY KEY (computer_id, version, since)
);
-- A programme's steps in a period (figures, lists), then the reading's recording interval.
CREATE INDEX ledger_period ON ledger (programme, occurred_on);
