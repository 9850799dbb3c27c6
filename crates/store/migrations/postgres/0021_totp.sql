-- Staff second factor (issue #20): TOTP (RFC 6238), turned on by the person or required by an
-- administrator; the last time step accepted is kept so that no code is used twice.
CREATE TABLE user_totp (
    user_id    UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT,                           -- base32; NULL: not set up
    enabled    BOOLEAN NOT NULL DEFAULT FALSE, -- set up and confirmed with a code
    required   BOOLEAN NOT NULL DEFAULT FALSE, -- by an administrator
    last_step  BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A password sign-in waiting for its second factor (found by the hash of a cookie's secret).
CREATE TABLE login_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    next_path  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_challenges_expires ON login_challenges (expires_at);
