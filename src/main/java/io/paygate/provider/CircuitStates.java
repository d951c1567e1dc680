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
    private final java.util.Map<String, CircuitBreaker> found = new java.util.concurrent.ConcurrentHashMap<>();

    public CircuitStates(CamelContext context, ProviderDirectory providers) {
        this.context = context;
        this.providers = providers;
    }

    /** Logs and audits every state change of every provider's circuit (called once, after start). */
    public void recordTransitions() {
        for (String provider : providers.names()) {
            breaker(provider).ifPresent(b -> b.getEventPublisher().onStateTransition(e -> {
                String to = e.getStateTransition().getToState().name();
                org.slf4j.LoggerFactory.getLogger(CircuitStates.class).warn("provider {}: circuit {}", provider,
                        e.getStateTransition());
                String step = switch (to) {
                    case "OPEN", "FORCED_OPEN" -> "circuit-opened";
                    case "CLOSED" -> "circuit-closed";
                    default -> "circuit-" + to.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
                };
                io.paygate.audit.AuditOutsideRoutes.record(context, "provider-" + provider,
                        io.paygate.audit.AuditNote.of(step, null, null).provider(provider).outcome(to));
            }));
        }
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

    /** Looked up once per provider: dispatch asks for every order, and routes do not change after start. */
    public Optional<CircuitBreaker> breaker(String provider) {
        CircuitBreaker known = found.get(provider);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<CircuitBreaker> breaker = find(provider);
        breaker.ifPresent(b -> found.put(provider, b));
        return breaker;
    }

    private Optional<CircuitBreaker> find(String provider) {
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
