package io.paygate.provider;

import io.paygate.Settings;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;

/**
 * Turns the policy parameters of a provider's route (templates/*.yaml) into a
 * {@link ProviderPolicy} on the exchange. Parsed once per provider; a bad value fails the first
 * order of that provider with the parameter's name (and RoutesPolicyTest checks the shipped files).
 */
public class ProviderPolicies {

    /** Exchange property holding the {@link ProviderPolicy} of the provider being called. */
    public static final String POLICY = "paygatePolicy";

    private final Map<String, ProviderPolicy> parsed = new ConcurrentHashMap<>();

    /** Called as the first step of every provider route. Durations like 5s, 2m; the schedule space separated. */
    public ProviderPolicy apply(Exchange exchange, String provider, String retryAttempts, String retryInitialDelay,
                                String retryMultiplier, String retryMaxDelay, String replyDeadline,
                                String statusSchedule, String statusHorizon) {
        ProviderPolicy policy = parsed.computeIfAbsent(provider, p -> new ProviderPolicy(p,
                number(p, "retryAttempts", retryAttempts).intValue(),
                duration(p, "retryInitialDelay", retryInitialDelay),
                number(p, "retryMultiplier", retryMultiplier).doubleValue(),
                duration(p, "retryMaxDelay", retryMaxDelay),
                duration(p, "replyDeadline", replyDeadline),
                Arrays.stream(statusSchedule.trim().split("[\\s,]+")).map(s -> duration(p, "statusSchedule", s)).toList(),
                duration(p, "statusHorizon", statusHorizon)));
        exchange.setProperty(POLICY, policy);
        return policy;
    }

    /** The policy of {@code provider} once its route has applied it (read at its first order), else empty. */
    public Optional<ProviderPolicy> known(String provider) {
        return Optional.ofNullable(parsed.get(provider));
    }

    public static ProviderPolicy of(Exchange exchange) {
        ProviderPolicy policy = exchange.getProperty(POLICY, ProviderPolicy.class);
        if (policy == null) {
            throw new IllegalStateException("no provider policy on the exchange: provider routes must apply it first");
        }
        return policy;
    }

    private static Number number(String provider, String name, String value) {
        try {
            return Double.valueOf(value.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("provider " + provider + ": " + name + " '" + value + "' is not a number");
        }
    }

    private static Duration duration(String provider, String name, String value) {
        try {
            return Settings.parseDuration(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("provider " + provider + ": " + name + " '" + value + "' is not a duration");
        }
    }
}
