package io.paygate.order;

import java.time.OffsetDateTime;

/**
 * A merchant's idempotency key and what it stands for: the request's fingerprint, the order
 * it created and, once the first request has been answered with a 202, that answer (status and
 * body).
 *
 * <p>{@code ownKey} says whether the merchant sent the key (the {@code Idempotency-Key} header)
 * or the order's own orderId is the key. An own key is a row of {@code idempotency_keys}, kept
 * for the retention; an orderId key lives on the order's row, whose {@code (merchant_id,
 * order_id)} uniqueness it already is, and lasts as long as the order (an orderId is never
 * reused): one row and two index entries less per order.
 */
public record IdempotencyRecord(
        String merchantId,
        String key,
        boolean ownKey,
        String fingerprint,
        String orderReference,
        Integer responseStatus,
        String responseBody,
        OffsetDateTime createdAt) {

    /**
     * The key of a new request: the header's value if the merchant sent one other than the
     * orderId, else the orderId itself.
     */
    public static IdempotencyRecord forRequest(String merchantId, String header, String orderId, String fingerprint,
                                               String orderReference, OffsetDateTime now) {
        boolean own = header != null && !header.equals(orderId);
        return new IdempotencyRecord(merchantId, own ? header : orderId, own, fingerprint, orderReference, null, null, now);
    }

    public boolean answered() {
        return responseStatus != null;
    }
}
