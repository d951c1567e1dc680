package io.paygate.simulator;

/** The provider's answer to a payment, stored per reference and replayed for duplicates. */
public record ProviderAnswer(Status status, String providerReference, String reason) {

    public enum Status { APPROVED, DECLINED }

    static ProviderAnswer approved(String providerReference) {
        return new ProviderAnswer(Status.APPROVED, providerReference, null);
    }

    static ProviderAnswer declined(String providerReference, String reason) {
        return new ProviderAnswer(Status.DECLINED, providerReference, reason);
    }
}
