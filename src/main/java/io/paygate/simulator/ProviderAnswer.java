package io.paygate.simulator;

/**
 * The provider's answer to a payment, stored per reference and replayed for duplicates and
 * status queries. It names the reference, amount and currency it charged so the caller can
 * check them against its order.
 */
public record ProviderAnswer(Status status, String providerReference, String reason,
                             String reference, String amount, String currency) {

    public enum Status { APPROVED, DECLINED }

    static ProviderAnswer approved(PaymentRequest request, String providerReference) {
        return new ProviderAnswer(Status.APPROVED, providerReference, null,
                request.reference(), request.amount().toPlainString(), request.currency());
    }

    static ProviderAnswer declined(PaymentRequest request, String providerReference, String reason) {
        return new ProviderAnswer(Status.DECLINED, providerReference, reason,
                request.reference(), request.amount().toPlainString(), request.currency());
    }
}
