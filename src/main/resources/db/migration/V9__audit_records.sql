-- The audit trail as records: one row per order per write (AuditRecord), its events a JSON array.
-- One row per event put six or more rows, each in the table and its indexes, on every order: about
-- a sixth of paygate's CPU under load. The key is the record's first event (time, sequence, id):
-- the order exports read in and purges delete by, and it refuses a record stored twice (a record is
-- formed once and retried as it is). Every event of a record happened at most a second after its
-- first (last_at), so an export that starts at a time reads from a second earlier.
-- V10 (Java, AuditEventsIntoRecords) moves the rows of audit_event here and drops it.
-- Portable SQL: H2 and PostgreSQL.
CREATE TABLE audit_record (
    first_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    first_sequence   BIGINT        NOT NULL,
    first_event_id   VARCHAR(36)   NOT NULL,
    last_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    order_reference  VARCHAR(40),
    merchant_id      VARCHAR(64),
    event_count      INTEGER       NOT NULL,
    events           VARCHAR(1000000) NOT NULL,
    recorded_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_audit_record PRIMARY KEY (first_at, first_sequence, first_event_id)
);

CREATE INDEX ix_audit_record_reference ON audit_record (order_reference, first_at);
