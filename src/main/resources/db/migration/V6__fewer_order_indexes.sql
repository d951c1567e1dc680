-- One index less on every order write. ix_orders_status_check served only queries over open
-- orders (SENT, UNKNOWN: the ones in flight or awaiting reconciliation, a small set), which
-- ix_orders_status_updated finds as well; each order paid for it on insert, claim and settlement
-- (an entry removed and one added per state change). Portable SQL: H2 and PostgreSQL.
DROP INDEX ix_orders_status_check;
