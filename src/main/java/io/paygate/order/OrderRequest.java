package io.paygate.order;

/** A storefront's order after validation: every field here is known to be well formed. */
public record OrderRequest(
        String orderId,
        String amount,
        String currency,
        String paymentType,
        String paymentToken,
        String customerJson,
        String callbackUrl,
        String preferredProvider) {
}
