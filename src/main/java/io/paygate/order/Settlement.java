package io.paygate.order;

import java.time.OffsetDateTime;

/**
 * What a state change records besides the new state. A null provider or providerReference keeps
 * the stored value; the reason always belongs to the latest change (null clears it);
 * {@code nextCheckAt} is when reconciliation looks at the order next (null: never, by itself).
 */
public record Settlement(String provider, String providerReference, String reason, OffsetDateTime nextCheckAt) {

    public Settlement(String provider, String providerReference, String reason) {
        this(provider, providerReference, reason, null);
    }

    public static Settlement reason(String reason) {
        return new Settlement(null, null, reason, null);
    }

    public Settlement checkAt(OffsetDateTime when) {
        return new Settlement(provider, providerReference, reason, when);
    }
}
