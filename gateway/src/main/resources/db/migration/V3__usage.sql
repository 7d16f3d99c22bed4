-- The usage ledger. Every text a row would repeat (organization, key and user ids, public model and supplier names)
-- is interned once in usage_labels and referred to by its integer id, so a raw record is about 100 bytes. Label 0
-- never exists: it stands for "none" (no organization for the instance key, no user). Times are epoch milliseconds,
-- days are whole UTC days counted from 1970-01-01, money is micro-units of the operator's currency.
CREATE TABLE usage_labels (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL
);
CREATE UNIQUE INDEX usage_labels_by_name ON usage_labels (name);

-- One row per request. outcome: 1 answered, 2 the client left mid-way, 3 failed mid-way or upstream error,
-- 4 answered with a 4xx after admission. ttft_ms is null when no token came. Fixed-width columns first (no padding).
CREATE TABLE usage_records (
    at                 BIGINT   NOT NULL,
    prompt_tokens      BIGINT   NOT NULL,
    completion_tokens  BIGINT   NOT NULL,
    cached_tokens      BIGINT   NOT NULL,
    price_micros       BIGINT   NOT NULL,
    organization_label INTEGER  NOT NULL,
    key_label          INTEGER  NOT NULL,
    user_label         INTEGER  NOT NULL,
    model_label        INTEGER  NOT NULL,
    supplier_label     INTEGER  NOT NULL,
    duration_ms        INTEGER  NOT NULL,
    ttft_ms            INTEGER,
    outcome            SMALLINT NOT NULL
);
CREATE INDEX usage_records_by_organization ON usage_records (organization_label, at);
CREATE INDEX usage_records_by_time ON usage_records (at);

-- The totals of the days rolled up, per (day, organization, key, user, model, supplier). Records that reach the
-- database after their day was rolled up are added here directly, so a day's totals stay exact.
CREATE TABLE usage_daily (
    day                BIGINT  NOT NULL,
    organization_label INTEGER NOT NULL,
    key_label          INTEGER NOT NULL,
    user_label         INTEGER NOT NULL,
    model_label        INTEGER NOT NULL,
    supplier_label     INTEGER NOT NULL,
    requests           BIGINT  NOT NULL,
    prompt_tokens      BIGINT  NOT NULL,
    completion_tokens  BIGINT  NOT NULL,
    cached_tokens      BIGINT  NOT NULL,
    spend_micros       BIGINT  NOT NULL,
    PRIMARY KEY (day, organization_label, key_label, user_label, model_label, supplier_label)
);
CREATE INDEX usage_daily_by_organization ON usage_daily (organization_label, day);

-- The days whose raw records have been rolled up into usage_daily: reports read such a day from usage_daily only.
CREATE TABLE usage_rolled_days (
    day       BIGINT PRIMARY KEY,
    rolled_at BIGINT NOT NULL
);
