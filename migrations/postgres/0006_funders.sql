-- Funders and their funding lines as they stand now. A line's stages, sites (none: every site
-- of its programme) and beneficiary categories are comma-separated codes.

CREATE TABLE funders (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE funding_lines (
    code TEXT PRIMARY KEY,
    funder TEXT NOT NULL,
    programme TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    stages TEXT NOT NULL,
    sites TEXT NOT NULL,
    categories TEXT NOT NULL,
    note TEXT NOT NULL,
    version BIGINT NOT NULL
);

-- The lines of one funder in force during a period.
CREATE INDEX funding_lines_by_funder ON funding_lines (funder, starts_on, ends_on);
