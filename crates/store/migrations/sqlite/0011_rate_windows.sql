-- Request limits shared by every process of one database (the public look-up's limit per
-- address): one row per key, the fixed window it counts (minutes since 1970) and the hits in
-- it. A hit in a newer window starts the count over; old rows are pruned.
CREATE TABLE rate_windows (
    key       TEXT PRIMARY KEY,
    window_no BIGINT NOT NULL,
    hits      BIGINT NOT NULL
);
CREATE INDEX rate_windows_window ON rate_windows (window_no);
