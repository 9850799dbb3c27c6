-- The person's own page (#20): contact details they keep, the channel notices go by, and the
-- devices their sessions were used from.
ALTER TABLE user_profiles ADD COLUMN phone TEXT;
ALTER TABLE user_profiles ADD COLUMN email TEXT;
ALTER TABLE user_profiles ADD COLUMN contact_address TEXT;
-- email | sms | none; NULL: every address the dossier carries.
ALTER TABLE user_profiles ADD COLUMN notify_channel TEXT;

-- A session's device: the browser's user agent and when it was last seen (at most every few
-- minutes per process), gone with the session.
CREATE TABLE session_devices (
    token_hash   TEXT PRIMARY KEY REFERENCES sessions (token_hash) ON DELETE CASCADE,
    user_agent   TEXT NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
