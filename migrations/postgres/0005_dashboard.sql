-- The officers' dashboard: monthly totals per scope ('*', 'p:<programme>', 's:<site>'), so
-- that any filter reads one scope's months, and the indexes its drill-down lists read.

CREATE TABLE dash_flow (
    scope TEXT NOT NULL,
    month TEXT NOT NULL,
    stage TEXT NOT NULL,
    steps INTEGER NOT NULL,
    PRIMARY KEY (scope, month, stage)
);

CREATE TABLE dash_lead_days (
    scope TEXT NOT NULL,
    month TEXT NOT NULL,
    segment TEXT NOT NULL,
    days INTEGER NOT NULL,
    computers INTEGER NOT NULL,
    PRIMARY KEY (scope, month, segment, days)
);

CREATE TABLE dash_materials (
    scope TEXT NOT NULL,
    month TEXT NOT NULL,
    fraction TEXT NOT NULL,
    dismantlings INTEGER NOT NULL,
    grams BIGINT NOT NULL,
    PRIMARY KEY (scope, month, fraction)
);

CREATE TABLE dash_components (
    scope TEXT NOT NULL,
    month TEXT NOT NULL,
    kind TEXT NOT NULL,
    reusable BOOLEAN NOT NULL,
    dismantlings INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (scope, month, kind, reusable)
);

CREATE TABLE dash_handouts (
    scope TEXT NOT NULL,
    month TEXT NOT NULL,
    device_type TEXT NOT NULL,
    loans INTEGER NOT NULL,
    contribution_cents BIGINT NOT NULL,
    PRIMARY KEY (scope, month, device_type)
);

-- Stock waiting at each site, whatever the programme, oldest first.
CREATE INDEX asset_register_waiting ON asset_register (state, site, state_since);
-- The steps of one stage in a period: every programme, one programme, one site.
CREATE INDEX activity_by_stage ON activity (stage, occurred_on);
CREATE INDEX activity_by_programme ON activity (programme, stage, occurred_on);
CREATE INDEX activity_by_site_stage ON activity (site, stage, occurred_on);
-- Lead times of one segment in a period, for one programme or one site.
CREATE INDEX lead_times_by_programme ON lead_times (programme, segment, to_on);
CREATE INDEX lead_times_by_site ON lead_times (site, segment, to_on);
-- Agreements ending soon at one third place.
CREATE INDEX loans_by_programme_end ON loans (programme, status, agreement_end);
