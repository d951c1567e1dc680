package io.paygate.provider;

/**
 * The provider definitely did not process the request (see {@link FailureClassifier}). Thrown
 * inside a provider route's circuitBreaker so that resilience4j counts it; the fallback turns it
 * into {@link CallOutcome#NOT_PROCESSED}.
 */
public class ProviderNotReached extends RuntimeException {

    public ProviderNotReached(String reason) {
        super(reason, null, false, false);
    }
}
