-- Single sign-on by OpenID Connect (issue #20).
-- A sign-in under way: what the callback needs (PKCE verifier, nonce), found by the hash of the
-- `state` the browser carries back, taken once, and forgotten at its expiry.
CREATE TABLE oidc_flows (
    state_hash    TEXT PRIMARY KEY,          -- hex sha256 of the state parameter
    provider      TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    next_path     TEXT NOT NULL,             -- where to go after signing in (a local path)
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX oidc_flows_expires ON oidc_flows (expires_at);

-- An account's identities at the configured providers: (provider, subject) is one person there.
CREATE TABLE user_identities (
    provider   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- What a provider said of the person (or the person keeps): it fills the online forms.
CREATE TABLE user_profiles (
    user_id    UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    birth_date TEXT,                         -- YYYY-MM-DD
    address    TEXT,
    updated_at TIMESTAMPTZ NOT NULL
);

-- The provider a browser session was opened through (its sign-out goes there too).
CREATE TABLE session_providers (
    token_hash TEXT PRIMARY KEY REFERENCES sessions (token_hash) ON DELETE CASCADE,
    provider   TEXT NOT NULL
);
