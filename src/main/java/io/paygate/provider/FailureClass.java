package io.paygate.provider;

/** What a provider call's result means for the order (README, "Provider protocol"). */
public enum FailureClass {
    /** Approved or declined: final. */
    BUSINESS_ANSWER,
    /** The provider refused the request itself (400/422): FAILED with its reason. */
    REJECTED_REQUEST,
    /** Definitely not processed (connection refused, 429/503): safe to retry or fail over. */
    NOT_PROCESSED,
    /** May or may not have been charged (timeout, reset after send, 500/502/504): UNKNOWN, same provider only. */
    AMBIGUOUS
}
