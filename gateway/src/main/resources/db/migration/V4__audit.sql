-- The audit log: one row per admin action, never updated or deleted by Junction. Each row carries the SHA-256 of
-- its own contents and of the row before it (previous_hash; 64 zeros before the first), so a changed, deleted or
-- reordered row breaks the chain. seq is the order (1, 2, 3, …, no gaps); at is the appending node's clock in epoch
-- milliseconds. organization_id is null for actions on the instance itself; it is no foreign key, so the log
-- outlives what it describes.
CREATE TABLE audit_log (
    seq             BIGINT        PRIMARY KEY,
    at              BIGINT        NOT NULL,
    organization_id VARCHAR(40),
    actor           VARCHAR(64)   NOT NULL,
    action          VARCHAR(64)   NOT NULL,
    target          VARCHAR(200)  NOT NULL,
    detail          VARCHAR(4000) NOT NULL,
    source          VARCHAR(200)  NOT NULL,
    previous_hash   VARCHAR(64)   NOT NULL,
    hash            VARCHAR(64)   NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX audit_log_by_organization ON audit_log (organization_id, at);

-- The chain's head: the last entry's seq and hash, in one row every append locks (so appends from several nodes
-- form one chain) and verify compares with the table's end (so deleting the last rows is seen).
CREATE TABLE audit_head (
    id   INTEGER     PRIMARY KEY,
    seq  BIGINT      NOT NULL,
    hash VARCHAR(64) NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
