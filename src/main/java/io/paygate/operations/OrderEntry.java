package io.paygate.operations;

import io.paygate.order.Order;

/** An order as operator answers show it: what identifies it and where it stands, never its payment token. */
public record OrderEntry(
        String reference,
        String merchant,
        String orderId,
        String status,
        String provider,
        int attempts,
        String amount,
        String currency,
        String updatedAt,
        String reason) {

    public static OrderEntry of(Order o) {
        return new OrderEntry(o.reference(), o.merchantId(), o.orderId(), o.status().name(), o.provider(), o.attempts(),
                o.amount(), o.currency(), o.updatedAt() == null ? null : o.updatedAt().toString(), o.reason());
    }
}
