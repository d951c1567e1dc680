-- Webhooks to storefronts (outbox) and provider callback signatures already used.
-- Portable SQL: runs on H2 (embedded) and PostgreSQL.

-- One row per event to deliver, written in the same transaction as the order's state change,
-- so a crash can never skip a webhook. The unique key makes it at most one per (order, state),
-- whatever duplicate replies, redeliveries or other nodes do.
CREATE TABLE webhook_outbox (
    id               VARCHAR(40)   NOT NULL PRIMARY KEY,  -- event id, sent as Paygate-Event-Id
    order_reference  VARCHAR(40)   NOT NULL,
    merchant_id      VARCHAR(64)   NOT NULL,
    order_status     VARCHAR(16)   NOT NULL,
    target_url       VARCHAR(2048) NOT NULL,
    payload          VARCHAR(8000) NOT NULL,              -- the order answer JSON at the state change
    state            VARCHAR(16)   NOT NULL,              -- PENDING, DELIVERED, FAILED
    attempts         INTEGER       DEFAULT 0 NOT NULL,
    claims           INTEGER       DEFAULT 0 NOT NULL,    -- bumped by each claim: a sender's lease
    next_attempt_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    last_status      INTEGER,                             -- HTTP status of the last attempt, if any
    last_error       VARCHAR(512),
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    delivered_at     TIMESTAMP WITH TIME ZONE,
    CONSTRAINT uq_webhook_order_status UNIQUE (order_reference, order_status)
);

CREATE INDEX ix_webhook_due ON webhook_outbox (state, next_attempt_at);

-- Provider callback signatures seen within the timestamp window: a second use is a replay.
CREATE TABLE callback_signatures (
    provider    VARCHAR(64)  NOT NULL,
    signature   VARCHAR(64)  NOT NULL,
    signed_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (provider, signature)
);

CREATE INDEX ix_callback_signatures_signed ON callback_signatures (signed_at);
