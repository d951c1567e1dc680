package io.paygate.provider;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.component.resilience4j.ResilienceProcessor;

/**
 * The circuit breaker of each provider, as its route declares it (the {@code circuitBreaker}
 * in templates/http-provider.yaml). Dispatch skips a provider
 * whose circuit is open; health and metrics show the states.
 */
public class CircuitStates {

    private final CamelContext context;
    private final ProviderDirectory providers;

    public CircuitStates(CamelContext context, ProviderDirectory providers) {
        this.context = context;
        this.providers = providers;
    }

    public boolean isOpen(String provider) {
        return breaker(provider).map(b -> {
            CircuitBreaker.State s = b.getState();
            return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
        }).orElse(false);
    }

    /** Provider name -> CLOSED, OPEN, HALF_OPEN, ... for every provider that has a circuit breaker. */
    public Map<String, String> states() {
        Map<String, String> states = new LinkedHashMap<>();
        for (String p : providers.names()) {
            breaker(p).ifPresent(b -> states.put(p, b.getState().name()));
        }
        return states;
    }

    public Optional<CircuitBreaker> breaker(String provider) {
        Route route = context.getRoute("provider-" + provider);
        if (route == null) {
            for (Route r : context.getRoutes()) {
                if (r.getEndpoint().getEndpointUri().equals("direct://provider-" + provider)) {
                    route = r;
                    break;
                }
            }
        }
        if (route == null) {
            return Optional.empty();
        }
        // the provider route has one circuit breaker (templates/http-provider.yaml)
        for (Processor p : route.filter("*")) {
            if (p instanceof ResilienceProcessor rp && rp.getCircuitBreaker() != null) {
                return Optional.of(rp.getCircuitBreaker());
            }
        }
        return Optional.empty();
    }
}
