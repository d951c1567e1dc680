-- An order whose idempotency key is its own orderId (no Idempotency-Key header, the usual case)
-- keeps the key's fingerprint and its recorded 202 answer on its own row: the unique
-- (merchant_id, order_id) constraint already is that key. idempotency_keys keeps the keys
-- merchants send. Saves every such order one row and two index entries (IdempotencyRecord).
-- Portable SQL: H2 and PostgreSQL.
ALTER TABLE orders ADD COLUMN request_fingerprint VARCHAR(64);
ALTER TABLE orders ADD COLUMN answer_status INTEGER;
ALTER TABLE orders ADD COLUMN answer_body VARCHAR(8000);

UPDATE orders SET
    request_fingerprint = (SELECT k.fingerprint FROM idempotency_keys k
        WHERE k.merchant_id = orders.merchant_id AND k.idem_key = orders.order_id AND k.order_reference = orders.reference),
    answer_status = (SELECT k.response_status FROM idempotency_keys k
        WHERE k.merchant_id = orders.merchant_id AND k.idem_key = orders.order_id AND k.order_reference = orders.reference),
    answer_body = (SELECT k.response_body FROM idempotency_keys k
        WHERE k.merchant_id = orders.merchant_id AND k.idem_key = orders.order_id AND k.order_reference = orders.reference)
WHERE EXISTS (SELECT 1 FROM idempotency_keys k
        WHERE k.merchant_id = orders.merchant_id AND k.idem_key = orders.order_id AND k.order_reference = orders.reference);

DELETE FROM idempotency_keys WHERE EXISTS (SELECT 1 FROM orders o
        WHERE o.merchant_id = idempotency_keys.merchant_id AND o.order_id = idempotency_keys.idem_key
          AND o.reference = idempotency_keys.order_reference);
