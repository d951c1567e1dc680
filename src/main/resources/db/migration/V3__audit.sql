-- The audit trail: one row per step of an order's life, written in batches from paygate.audit.
-- event_id is assigned when the step is noted, so a redelivered event is stored once.
-- sequence_no orders the steps (microseconds, strictly increasing per node).
-- Portable SQL: runs on H2 (embedded) and PostgreSQL.
CREATE TABLE audit_event (
    event_id         VARCHAR(36)   NOT NULL PRIMARY KEY,
    order_reference  VARCHAR(40),
    merchant_id      VARCHAR(64),
    sequence_no      BIGINT        NOT NULL,
    step             VARCHAR(40)   NOT NULL,
    occurred_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    node             VARCHAR(128)  NOT NULL,
    route_id         VARCHAR(128),
    provider         VARCHAR(64),
    attempt          INTEGER,
    outcome          VARCHAR(1024),
    latency_ms       BIGINT,
    detail           VARCHAR(8000),
    recorded_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX ix_audit_event_reference ON audit_event (order_reference, sequence_no);
CREATE INDEX ix_audit_event_occurred ON audit_event (occurred_at, sequence_no);
