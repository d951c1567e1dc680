package io.paygate.notify;

import java.time.OffsetDateTime;

/**
 * One webhook event in the outbox: the order answer JSON ({@code payload}) as it was when the
 * order reached {@code orderStatus}, to be POSTed to {@code targetUrl}. {@code claims} counts
 * the senders that claimed it; only the sender holding the latest claim may record the outcome.
 */
public record Webhook(
        String id,
        String orderReference,
        String merchantId,
        String orderStatus,
        String targetUrl,
        String payload,
        State state,
        int attempts,
        int claims,
        OffsetDateTime nextAttemptAt,
        Integer lastStatus,
        String lastError,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt,
        OffsetDateTime deliveredAt) {

    /** PENDING: waiting for its next attempt; DELIVERED: a 2xx came back; FAILED: attempts exhausted. */
    public enum State { PENDING, DELIVERED, FAILED }
}
