-- What the web workers share: server-side sessions and failed sign-in counters.
-- Not read models: never rebuilt, safe to empty (everyone signs in again).

CREATE TABLE web_sessions (
    session_key TEXT PRIMARY KEY,
    data BYTEA NOT NULL,
    expires_at DOUBLE PRECISION
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

CREATE TABLE sign_in_failures (
    subject TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at DOUBLE PRECISION NOT NULL
);
