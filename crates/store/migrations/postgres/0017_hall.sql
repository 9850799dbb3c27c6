-- The counter hall (bốc số): the kiosk's service areas of each centre, the numbered tickets of
-- each day (numbers restart per area and day), and which areas each counter serves.
CREATE TABLE hall_areas (
    agency_id UUID NOT NULL REFERENCES agencies (id),
    code      TEXT NOT NULL,              -- one letter, printed before the number (A007)
    name      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (agency_id, code)
);

CREATE TABLE hall_tickets (
    id             UUID PRIMARY KEY,
    agency_id      UUID NOT NULL REFERENCES agencies (id),
    day            DATE NOT NULL,         -- Vietnam date
    area           TEXT NOT NULL,
    number         INTEGER NOT NULL,
    token          TEXT NOT NULL CONSTRAINT hall_tickets_token_key UNIQUE,
    status         TEXT NOT NULL,         -- waiting | called | done | no_show
    counter        INTEGER,
    issued_at      TIMESTAMPTZ NOT NULL,
    called_at      TIMESTAMPTZ,
    last_called_at TIMESTAMPTZ,
    calls          INTEGER NOT NULL,
    finished_at    TIMESTAMPTZ,
    dossier_code   TEXT,
    CONSTRAINT hall_tickets_number_key UNIQUE (agency_id, day, area, number)
);
CREATE INDEX hall_tickets_status ON hall_tickets (agency_id, day, status, issued_at);
CREATE INDEX hall_tickets_calls ON hall_tickets (agency_id, day, last_called_at);

CREATE TABLE hall_counters (
    agency_id  UUID NOT NULL REFERENCES agencies (id),
    counter    INTEGER NOT NULL,
    areas      TEXT NOT NULL,             -- the letters served, "AB"; empty: every area
    user_id    UUID,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agency_id, counter)
);

-- "Done" links a ticket to the dossier its officer received since the call.
CREATE INDEX dossier_events_received_by ON dossier_events (actor_id, at) WHERE kind = 'received';
