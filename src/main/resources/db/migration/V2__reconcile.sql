-- Reconciliation: when an open order (SENT or UNKNOWN) is next looked at, and how many status
-- queries it had since it was last sent. For SENT it is the attempt's lease (the provider's reply
-- deadline): until then a second dispatch message is a duplicate; after it, the provider is asked
-- for the order's status before anything else happens. NULL on an UNKNOWN order: the reconcile
-- budget is spent and only an operator resolves it.
ALTER TABLE orders ADD COLUMN next_check_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE orders ADD COLUMN checks INTEGER DEFAULT 0 NOT NULL;
UPDATE orders SET next_check_at = updated_at WHERE status IN ('SENT', 'UNKNOWN');
CREATE INDEX ix_orders_status_check ON orders (status, next_check_at);
