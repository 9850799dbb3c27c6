-- Statistics roll-ups. `agency_closure` lists each agency's ancestors (itself at depth 0), kept
-- by a trigger when an agency is created (agencies never move). `stat_monthly` holds, for each
-- agency, the sums of `stat_daily` over its whole subtree (itself and every agency below it)
-- per month (the month's first day) and metric; it is kept in the same transaction as
-- `stat_daily`, so a province's year is 12 rows per metric, never a scan of its cells.
CREATE TABLE agency_closure (
    agency_id   UUID NOT NULL,
    ancestor_id UUID NOT NULL,
    depth       INTEGER NOT NULL,
    PRIMARY KEY (agency_id, ancestor_id)
);
CREATE INDEX agency_closure_ancestor ON agency_closure (ancestor_id, agency_id);

WITH RECURSIVE up (agency_id, ancestor_id, depth) AS (
    SELECT id, id, 0 FROM agencies
    UNION ALL
    SELECT up.agency_id, a.parent_id, up.depth + 1
    FROM up JOIN agencies a ON a.id = up.ancestor_id
    WHERE a.parent_id IS NOT NULL AND up.depth < 32
)
INSERT INTO agency_closure (agency_id, ancestor_id, depth) SELECT agency_id, ancestor_id, depth FROM up;

CREATE FUNCTION agencies_closure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO agency_closure (agency_id, ancestor_id, depth) VALUES (NEW.id, NEW.id, 0);
    INSERT INTO agency_closure (agency_id, ancestor_id, depth)
    SELECT NEW.id, ancestor_id, depth + 1 FROM agency_closure WHERE agency_id = NEW.parent_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER agencies_closure AFTER INSERT ON agencies
    FOR EACH ROW EXECUTE FUNCTION agencies_closure();

CREATE TABLE stat_monthly (
    agency_id UUID NOT NULL,               -- the subtree's root
    month     DATE NOT NULL,               -- the month's first day
    metric    TEXT NOT NULL,
    value     BIGINT NOT NULL,
    PRIMARY KEY (agency_id, metric, month)
);

INSERT INTO stat_monthly (agency_id, month, metric, value)
SELECT c.ancestor_id, date_trunc('month', s.day)::date, s.metric, SUM(s.value)
FROM stat_daily s JOIN agency_closure c ON c.agency_id = s.agency_id
GROUP BY c.ancestor_id, date_trunc('month', s.day)::date, s.metric;

-- The same per procedure, for the metrics the service index needs per procedure (did a
-- procedure receive online dossiers, dossiers with fees, online payments in a period).
CREATE TABLE stat_monthly_procedure (
    agency_id      UUID NOT NULL,          -- the subtree's root
    procedure_code TEXT NOT NULL,
    month          DATE NOT NULL,
    metric         TEXT NOT NULL,
    value          BIGINT NOT NULL,
    PRIMARY KEY (agency_id, metric, month, procedure_code)
);

INSERT INTO stat_monthly_procedure (agency_id, procedure_code, month, metric, value)
SELECT c.ancestor_id, s.procedure_code, date_trunc('month', s.day)::date, s.metric, SUM(s.value)
FROM stat_daily s JOIN agency_closure c ON c.agency_id = s.agency_id
WHERE s.metric IN ('received_online', 'fee_due', 'paid_online')
GROUP BY c.ancestor_id, s.procedure_code, date_trunc('month', s.day)::date, s.metric;

-- A unit's cells of some days (today, a period's partial months).
CREATE INDEX stat_daily_agency_day ON stat_daily (agency_id, day);
-- Dossiers finished after an instant (in progress at the end of a past period).
CREATE INDEX dossiers_agency_finished ON dossiers (agency_id, finished_at);
