package io.paygate.order;

/**
 * What a state change records besides the new state. A null provider or providerReference keeps
 * the stored value; the reason always belongs to the latest change (null clears it).
 */
public record Settlement(String provider, String providerReference, String reason) {

    public static Settlement reason(String reason) {
        return new Settlement(null, null, reason);
    }
}
