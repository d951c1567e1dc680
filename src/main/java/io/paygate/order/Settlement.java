package io.paygate.order;

/** What a state change records besides the new state. Null fields keep their stored value. */
public record Settlement(String provider, String providerReference, String reason) {

    public static Settlement none() {
        return new Settlement(null, null, null);
    }

    public static Settlement reason(String reason) {
        return new Settlement(null, null, reason);
    }
}
