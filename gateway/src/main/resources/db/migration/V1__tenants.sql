-- Organizations, their users and API keys. Ids are random text made by Junction (never sequential, so never
-- guessable); times are epoch milliseconds; money is micro-units of the operator's currency. A null limit means none.
CREATE TABLE organizations (
    id                   VARCHAR(40)  PRIMARY KEY,
    name                 VARCHAR(200) NOT NULL,
    created_at           BIGINT       NOT NULL,
    rpm                  BIGINT,
    tpm                  BIGINT,
    max_concurrent       BIGINT,
    monthly_tokens       BIGINT,
    monthly_spend_micros BIGINT
);
CREATE UNIQUE INDEX organizations_by_name ON organizations (name);

CREATE TABLE users (
    id              VARCHAR(40)  PRIMARY KEY,
    organization_id VARCHAR(40)  NOT NULL REFERENCES organizations (id),
    email           VARCHAR(320) NOT NULL,
    role            VARCHAR(16)  NOT NULL,
    created_at      BIGINT       NOT NULL
);
CREATE UNIQUE INDEX users_by_email ON users (organization_id, email);

-- organization_id is null for the instance administrator's key. Only the SHA-256 of a key's secret is kept, with
-- the first characters of the secret for display. models: the allowed public model names, one per line (null: all).
CREATE TABLE api_keys (
    id                   VARCHAR(40)  PRIMARY KEY,
    organization_id      VARCHAR(40)  REFERENCES organizations (id),
    user_id              VARCHAR(40)  REFERENCES users (id),
    name                 VARCHAR(200) NOT NULL,
    role                 VARCHAR(16)  NOT NULL,
    secret_hash          VARCHAR(64)  NOT NULL,
    prefix               VARCHAR(16)  NOT NULL,
    models               TEXT,
    rpm                  BIGINT,
    tpm                  BIGINT,
    max_concurrent       BIGINT,
    monthly_tokens       BIGINT,
    monthly_spend_micros BIGINT,
    created_at           BIGINT       NOT NULL,
    expires_at           BIGINT,
    revoked_at           BIGINT
);
CREATE UNIQUE INDEX api_keys_by_hash ON api_keys (secret_hash);
CREATE INDEX api_keys_by_organization ON api_keys (organization_id);
