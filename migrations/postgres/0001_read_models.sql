-- The read models of issue 3 and the positions that keep each one exactly once.
-- The same tables as for SQLite, with native date, time, uuid and boolean types.

CREATE TABLE projection_positions (
    name TEXT PRIMARY KEY,
    position BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ
);

CREATE TABLE asset_register (
    computer_id UUID PRIMARY KEY,
    tag TEXT NOT NULL UNIQUE,
    programme TEXT NOT NULL,
    batch_id UUID NOT NULL,
    donor TEXT NOT NULL,
    device_type TEXT NOT NULL,
    brand TEXT NOT NULL,
    model TEXT NOT NULL,
    serial TEXT NOT NULL,
    state TEXT NOT NULL,
    site TEXT NOT NULL,
    grade TEXT NOT NULL,
    state_since DATE NOT NULL,
    donated_on DATE,
    triaged_on DATE,
    dismantled_on DATE,
    reconditioned_on DATE,
    loaned_on DATE,
    returned_on DATE,
    written_off_on DATE,
    agreement_end DATE,
    version INTEGER NOT NULL,
    last_step TEXT NOT NULL,
    last_change TIMESTAMPTZ NOT NULL
);
CREATE INDEX asset_register_stock ON asset_register (programme, state, site, state_since);
CREATE INDEX asset_register_serial ON asset_register (serial);

CREATE TABLE flow (
    day DATE NOT NULL,
    stage TEXT NOT NULL,
    site TEXT NOT NULL,
    programme TEXT NOT NULL,
    computers INTEGER NOT NULL,
    PRIMARY KEY (day, stage, site, programme)
);
CREATE INDEX flow_by_programme ON flow (programme, stage, day);

CREATE TABLE lead_times (
    computer_id UUID NOT NULL,
    seq INTEGER NOT NULL,
    segment TEXT NOT NULL,
    from_version INTEGER NOT NULL,
    to_version INTEGER NOT NULL,
    from_on DATE NOT NULL,
    to_on DATE NOT NULL,
    days INTEGER NOT NULL,
    site TEXT NOT NULL,
    programme TEXT NOT NULL,
    PRIMARY KEY (computer_id, seq)
);
CREATE INDEX lead_times_by_segment ON lead_times (segment, to_on);

CREATE TABLE loans (
    computer_id UUID NOT NULL,
    loan_version INTEGER NOT NULL,
    tag TEXT NOT NULL,
    programme TEXT NOT NULL,
    beneficiary_code TEXT NOT NULL,
    third_place TEXT NOT NULL,
    agreement_start DATE NOT NULL,
    agreement_end DATE NOT NULL,
    contribution_cents INTEGER NOT NULL,
    contribution_method TEXT NOT NULL,
    receipt_number TEXT NOT NULL,
    loaned_on DATE NOT NULL,
    status TEXT NOT NULL,
    ended_on DATE,
    end_reason TEXT,
    PRIMARY KEY (computer_id, loan_version)
);
CREATE INDEX loans_by_end ON loans (status, agreement_end);
CREATE INDEX loans_by_place ON loans (third_place, status);

CREATE TABLE materials (
    day DATE NOT NULL,
    site TEXT NOT NULL,
    programme TEXT NOT NULL,
    outlet TEXT NOT NULL,
    fraction TEXT NOT NULL,
    dismantlings INTEGER NOT NULL,
    grams BIGINT NOT NULL,
    PRIMARY KEY (day, site, programme, outlet, fraction)
);

CREATE TABLE components (
    day DATE NOT NULL,
    site TEXT NOT NULL,
    programme TEXT NOT NULL,
    kind TEXT NOT NULL,
    reusable BOOLEAN NOT NULL,
    dismantlings INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (day, site, programme, kind, reusable)
);

CREATE TABLE activity (
    computer_id UUID NOT NULL,
    version INTEGER NOT NULL,
    tag TEXT NOT NULL,
    programme TEXT NOT NULL,
    stage TEXT NOT NULL,
    actor TEXT NOT NULL,
    site TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    refers_to INTEGER,
    cancelled_by INTEGER,
    corrected_by INTEGER,
    PRIMARY KEY (computer_id, version)
);
CREATE INDEX activity_by_time ON activity (recorded_at);
CREATE INDEX activity_by_site ON activity (site, recorded_at);
CREATE INDEX activity_by_actor ON activity (actor, recorded_at);
