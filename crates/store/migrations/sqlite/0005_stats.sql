-- Statistics roll-ups. `agency_closure` lists each agency's ancestors (itself at depth 0), kept
-- by a trigger when an agency is created (agencies never move). `stat_monthly` holds, for each
-- agency, the sums of `stat_daily` over its whole subtree (itself and every agency below it)
-- per month (the month's first day) and metric; it is kept in the same transaction as
-- `stat_daily`, so a province's year is 12 rows per metric, never a scan of its cells.
CREATE TABLE agency_closure (
    agency_id   BLOB NOT NULL,
    ancestor_id BLOB NOT NULL,
    depth       INTEGER NOT NULL,
    PRIMARY KEY (agency_id, ancestor_id)
) WITHOUT ROWID;
CREATE INDEX agency_closure_ancestor ON agency_closure (ancestor_id, agency_id);

WITH RECURSIVE up (agency_id, ancestor_id, depth) AS (
    SELECT id, id, 0 FROM agencies
    UNION ALL
    SELECT up.agency_id, a.parent_id, up.depth + 1
    FROM up JOIN agencies a ON a.id = up.ancestor_id
    WHERE a.parent_id IS NOT NULL AND up.depth < 32
)
INSERT INTO agency_closure (agency_id, ancestor_id, depth) SELECT agency_id, ancestor_id, depth FROM up;

CREATE TRIGGER agencies_closure AFTER INSERT ON agencies
BEGIN
    INSERT INTO agency_closure (agency_id, ancestor_id, depth) VALUES (NEW.id, NEW.id, 0);
    INSERT INTO agency_closure (agency_id, ancestor_id, depth)
    SELECT NEW.id, ancestor_id, depth + 1 FROM agency_closure WHERE agency_id = NEW.parent_id;
END;

CREATE TABLE stat_monthly (
    agency_id BLOB NOT NULL,               -- the subtree's root
    month     TEXT NOT NULL,               -- YYYY-MM-01
    metric    TEXT NOT NULL,
    value     BIGINT NOT NULL,
    PRIMARY KEY (agency_id, metric, month)
) WITHOUT ROWID;

INSERT INTO stat_monthly (agency_id, month, metric, value)
SELECT c.ancestor_id, substr(s.day, 1, 8) || '01', s.metric, SUM(s.value)
FROM stat_daily s JOIN agency_closure c ON c.agency_id = s.agency_id
WHERE TRUE
GROUP BY c.ancestor_id, substr(s.day, 1, 8) || '01', s.metric;

-- The same per procedure, for the metrics the service index needs per procedure (did a
-- procedure receive online dossiers, dossiers with fees, online payments in a period).
CREATE TABLE stat_monthly_procedure (
    agency_id      BLOB NOT NULL,          -- the subtree's root
    procedure_code TEXT NOT NULL,
    month          TEXT NOT NULL,
    metric         TEXT NOT NULL,
    value          BIGINT NOT NULL,
    PRIMARY KEY (agency_id, metric, month, procedure_code)
) WITHOUT ROWID;

INSERT INTO stat_monthly_procedure (agency_id, procedure_code, month, metric, value)
SELECT c.ancestor_id, s.procedure_code, substr(s.day, 1, 8) || '01', s.metric, SUM(s.value)
FROM stat_daily s JOIN agency_closure c ON c.agency_id = s.agency_id
WHERE s.metric IN ('received_online', 'fee_due', 'paid_online')
GROUP BY c.ancestor_id, s.procedure_code, substr(s.day, 1, 8) || '01', s.metric;

-- A unit's cells of some days (today, a period's partial months).
CREATE INDEX stat_daily_agency_day ON stat_daily (agency_id, day);
-- Dossiers finished after an instant (in progress at the end of a past period).
CREATE INDEX dossiers_agency_finished ON dossiers (agency_id, finished_at);
