-- What the limits have counted, one row per limited subject ("key:<id>" or "org:<id>"): the current calendar
-- minute's requests and tokens, the current calendar month's (UTC) tokens and spend, and the requests in flight.
-- Every node changes a row only under its lock, so the counts hold across nodes.
CREATE TABLE limit_state (
    subject            VARCHAR(60) PRIMARY KEY,
    minute_start       BIGINT NOT NULL,
    minute_requests    BIGINT NOT NULL,
    minute_tokens      BIGINT NOT NULL,
    month_start        BIGINT NOT NULL,
    month_tokens       BIGINT NOT NULL,
    month_spend_micros BIGINT NOT NULL,
    in_flight          BIGINT NOT NULL
);

-- A request admitted and not yet settled: what it reserved from which subjects, and until when its node vouches
-- for it (the lease, renewed while the node lives). A reservation whose lease ran out is released by any node.
CREATE TABLE reservations (
    id            VARCHAR(40) PRIMARY KEY,
    key_subject   VARCHAR(60),
    org_subject   VARCHAR(60),
    tokens        BIGINT      NOT NULL,
    spend_micros  BIGINT      NOT NULL,
    minute_start  BIGINT      NOT NULL,
    month_start   BIGINT      NOT NULL,
    node          VARCHAR(40) NOT NULL,
    lease_until   BIGINT      NOT NULL
);
CREATE INDEX reservations_by_lease ON reservations (lease_until);
CREATE INDEX reservations_by_node ON reservations (node);
