package io.paygate.order;

import java.time.OffsetDateTime;

/**
 * A merchant's idempotency key and what it stands for: the request's fingerprint, the order
 * it created and, once the first request has been answered, that answer (status and body).
 */
public record IdempotencyRecord(
        String merchantId,
        String key,
        String fingerprint,
        String orderReference,
        Integer responseStatus,
        String responseBody,
        OffsetDateTime createdAt) {

    public boolean answered() {
        return responseStatus != null;
    }
}
