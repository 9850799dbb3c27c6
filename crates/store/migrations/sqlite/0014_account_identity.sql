-- A citizen account is bound to one person: their personal identification number (số định
-- danh cá nhân), set by an administrator when the account is made or verified, never by the
-- citizen. Online dossiers carry it; one number has at most one account.
ALTER TABLE users ADD COLUMN id_number TEXT;
CREATE UNIQUE INDEX users_id_number_key ON users (id_number) WHERE id_number IS NOT NULL;
