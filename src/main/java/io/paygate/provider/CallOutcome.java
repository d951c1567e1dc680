package io.paygate.provider;

/**
 * What one call to a provider (a payment attempt or a status query) led to. The provider route
 * leaves it in the exchange property {@link #PROPERTY}; the calling route's {@code choice}
 * branches on it, so the YAML reads as the order's state machine.
 */
public enum CallOutcome {
    /** A business answer (APPROVED/DECLINED) was applied, or was a duplicate of the applied one. */
    ANSWERED,
    /** The provider refused the request itself: the order is FAILED with its reason. */
    REJECTED,
    /** Maybe charged (timeout, reset after sending, 5xx): the order is UNKNOWN, same provider only. */
    AMBIGUOUS,
    /** Definitely not processed (refused connection, 429/503, circuit open): retry or fail over. */
    NOT_PROCESSED,
    /** The request is on the provider's queue; its answer comes to paygate.replies. */
    AWAITING_REPLY,
    /** Status query: the provider never saw the order. Send it again, same reference, same provider. */
    NOT_FOUND,
    /** Status query without an answer (error, timeout): ask again later. */
    NO_ANSWER,
    /** Nothing to do: another consumer or node holds the order, or it is already settled. */
    SKIPPED;

    /** Exchange property holding the outcome's name. */
    public static final String PROPERTY = "paygateOutcome";
}
