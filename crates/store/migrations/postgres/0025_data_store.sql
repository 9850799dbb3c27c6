-- The citizen's data store (kho quản lý dữ liệu điện tử của tổ chức, cá nhân, Decree
-- 45/2020/NĐ-CP art. 16) and its use (issue #20).
--
-- Each use of a held paper or result in another dossier, with the person's consent (Decree
-- 13/2023/NĐ-CP art. 11): whose data, what, for which dossier, by whom, when and why. Written in
-- the transaction of the dossier event that attached the file, so the Decision 766 re-use
-- counter (stat_daily 'reused', counted from those events) and these rows always agree.
CREATE TABLE document_reuses (
    id            UUID PRIMARY KEY,
    applicant_key TEXT NOT NULL,             -- whose data: as dossiers.applicant_key
    dossier_id    UUID NOT NULL REFERENCES dossiers (id),
    dossier_code  TEXT NOT NULL,
    seq           INTEGER NOT NULL,          -- the event that attached the file
    component     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    from_dossier  TEXT NOT NULL,             -- the code of the dossier it was taken from
    actor_id      UUID NOT NULL REFERENCES users (id),
    actor_name    TEXT NOT NULL,             -- the account's name then
    actor_role    TEXT NOT NULL,             -- citizen | receiving_officer
    purpose       TEXT NOT NULL,             -- why (an officer's reason; online: the dossier)
    consent       TEXT NOT NULL,             -- online: chosen by the person; in_person: agreed at the counter
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX document_reuses_applicant ON document_reuses (applicant_key, created_at);
CREATE INDEX document_reuses_dossier ON document_reuses (dossier_id);

-- How long a held paper or result is valid, where known (YYYY-MM-DD; NULL: not recorded).
ALTER TABLE dossier_documents ADD COLUMN valid_until TEXT;

-- A local citizen account verified at the counter: the officer who saw the card, when, and
-- which document (users.id_number is set in the same transaction).
CREATE TABLE account_verifications (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id_number   TEXT NOT NULL,
    officer_id  UUID NOT NULL REFERENCES users (id),
    document    TEXT NOT NULL,               -- what was seen: the card's kind and number
    verified_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX account_verifications_user ON account_verifications (user_id);
