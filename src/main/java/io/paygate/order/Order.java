package io.paygate.order;

import java.time.OffsetDateTime;

/**
 * One order as stored. {@code reference} is paygate's own key for the order: unique, and the
 * idempotency key every provider receives, so a resend can never become a second charge.
 */
public record Order(
        String reference,
        String merchantId,
        String orderId,
        String amount,
        String currency,
        String paymentType,
        String paymentToken,
        String customerJson,
        String callbackUrl,
        String preferredProvider,
        String provider,
        OrderStatus status,
        String providerReference,
        String reason,
        int attempts,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {
}
