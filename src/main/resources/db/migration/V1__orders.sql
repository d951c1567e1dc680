-- Orders and their idempotency keys. Portable SQL: runs on H2 (embedded) and PostgreSQL.
CREATE TABLE orders (
    reference           VARCHAR(40)   NOT NULL PRIMARY KEY,
    merchant_id         VARCHAR(64)   NOT NULL,
    order_id            VARCHAR(64)   NOT NULL,
    amount              VARCHAR(32)   NOT NULL,
    currency            CHAR(3)       NOT NULL,
    payment_type        VARCHAR(32)   NOT NULL,
    payment_token       VARCHAR(256)  NOT NULL,
    customer_json       VARCHAR(4000),
    callback_url        VARCHAR(2048),
    preferred_provider  VARCHAR(64),
    provider            VARCHAR(64),
    status              VARCHAR(16)   NOT NULL,
    provider_reference  VARCHAR(128),
    reason              VARCHAR(512),
    attempts            INTEGER       DEFAULT 0 NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT uq_orders_merchant_order UNIQUE (merchant_id, order_id)
);

CREATE INDEX ix_orders_status_updated ON orders (status, updated_at);

-- One row per (merchant, Idempotency-Key): the primary key is what makes concurrent
-- identical submissions create exactly one order, across any number of nodes.
CREATE TABLE idempotency_keys (
    merchant_id      VARCHAR(64)   NOT NULL,
    idem_key         VARCHAR(255)  NOT NULL,
    fingerprint      VARCHAR(64)   NOT NULL,
    order_reference  VARCHAR(40)   NOT NULL,
    response_status  INTEGER,
    response_body    VARCHAR(8000),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (merchant_id, idem_key)
);

CREATE INDEX ix_idempotency_created ON idempotency_keys (created_at);
