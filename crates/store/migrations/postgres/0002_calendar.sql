-- Official yearly holiday schedules (they replace the statutory derivation for their year),
-- per-agency office hours, and a record of which shipped reference data has been loaded.
CREATE TABLE holiday_years (
    year       INTEGER PRIMARY KEY,
    note       TEXT NOT NULL,            -- the legal source of the schedule as a whole
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE holiday_days (
    date   DATE PRIMARY KEY,
    year   INTEGER NOT NULL REFERENCES holiday_years (year) ON DELETE CASCADE,
    kind   TEXT NOT NULL,                -- off | work
    name   TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX holiday_days_year ON holiday_days (year);

-- JSON {"sessions": [["07:30:00","11:30:00"], ...]}; NULL = the default office hours.
ALTER TABLE agencies ADD COLUMN office_hours TEXT;

CREATE TABLE reference_loads (
    name      TEXT PRIMARY KEY,
    loaded_at TIMESTAMPTZ NOT NULL
);
