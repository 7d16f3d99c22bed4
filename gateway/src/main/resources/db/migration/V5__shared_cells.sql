-- Small named states several nodes change atomically (the router's capacity contracts): the state's bytes in
-- base64, changed under a row lock in one transaction.
CREATE TABLE shared_cells (
    cell_key   VARCHAR(200) PRIMARY KEY,
    state      TEXT,
    updated_at BIGINT NOT NULL
);
