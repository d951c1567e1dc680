package io.paygate.provider;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Shows each provider's circuit in /observe/health. An open circuit does not make paygate DOWN:
 * orders still go to the other providers (or wait for their retry), so the node stays in service.
 */
public class CircuitHealthCheck extends AbstractHealthCheck {

    private final CircuitStates circuits;

    public CircuitHealthCheck(CircuitStates circuits) {
        super("paygate", "provider-circuits");
        this.circuits = circuits;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, String> states = circuits.states();
        states.forEach((provider, state) -> builder.detail(provider, state));
        // the message is what /observe/health shows: every provider's circuit, e.g. "acme=OPEN, initech=CLOSED"
        builder.message(states.isEmpty() ? "no provider circuits" : states.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(", ")));
        builder.up();
    }
}
