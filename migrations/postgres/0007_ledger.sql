-- The ledger: every step in force as it was known over recording time (issue 8, "as of").
-- A row is one edition of a step, known from `known_from` until `known_to` (NULL: still true).

CREATE TABLE ledger (
    computer_id UUID NOT NULL,
    version INTEGER NOT NULL,
    since INTEGER NOT NULL,
    programme TEXT NOT NULL,
    tag TEXT NOT NULL,
    device_type TEXT NOT NULL,
    stage TEXT NOT NULL,
    site TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    state TEXT NOT NULL,
    holder_site TEXT NOT NULL,
    grade TEXT NOT NULL,
    contribution_cents BIGINT NOT NULL,
    work_minutes BIGINT NOT NULL,
    grams BIGINT NOT NULL,
    beneficiary TEXT NOT NULL,
    known_from TIMESTAMPTZ NOT NULL,
    known_to TIMESTAMPTZ,
    PRIMARY KEY (computer_id, version, since)
);
-- A programme's steps in a period (figures, lists), then the reading's recording interval.
CREATE INDEX ledger_period ON ledger (programme, occurred_on);
