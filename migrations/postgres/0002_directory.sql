-- The directory read model: users, sites, programmes and donors as they stand now.

CREATE TABLE directory_users (
    user_id UUID PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    sites TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE directory_sites (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    town TEXT NOT NULL,
    programme TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE directory_programmes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    territory TEXT NOT NULL,
    yearly_target INTEGER NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE directory_donors (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    town TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL
);
