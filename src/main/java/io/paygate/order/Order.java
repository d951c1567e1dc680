package io.paygate.order;

import java.time.OffsetDateTime;

/**
 * One order as stored. {@code reference} is paygate's own key for the order: unique, and the
 * idempotency key every provider receives, so a resend can never become a second charge.
 * {@code nextCheckAt} is when reconciliation looks at an open order next (the lease of a SENT
 * attempt, the next status query of an UNKNOWN one); {@code checks} counts those queries.
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
        OffsetDateTime updatedAt,
        OffsetDateTime nextCheckAt,
        int checks) {

    /** A new order as accepted from the storefront: RECEIVED, no provider yet. */
    public static Order received(String reference, String merchantId, OrderRequest r, OffsetDateTime now) {
        return new Order(reference, merchantId, r.orderId(), r.amount(), r.currency(), r.paymentType(),
                r.paymentToken(), r.customerJson(), r.callbackUrl(), r.preferredProvider(), null,
                OrderStatus.RECEIVED, null, null, 0, now, now, null, 0);
    }
}
