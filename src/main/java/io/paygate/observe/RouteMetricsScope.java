package io.paygate.observe;

import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * Which routes get Camel's route metrics (camel_exchanges_*, camel_route_policy_seconds): all but
 * the audit tap. The tap only hands an order's audit steps to the in-memory buffer, several times
 * per order; its timer would say nothing that paygate_audit_* does not, and each timed exchange
 * costs formatted property names and a timer sample on the order path.
 */
public final class RouteMetricsScope {

    /** Route ids (Camel patterns, comma separated) left out of the route metrics. */
    static final String EXCLUDED = "audit-tap";

    private RouteMetricsScope() {
    }

    /** Applies the scope to the route-policy factory camel-main sets up, before any route is created. */
    public static void install(CamelContext context) {
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextInitializing(CamelContext camel) {
                for (RoutePolicyFactory factory : camel.getRoutePolicyFactories()) {
                    if (factory instanceof MicrometerRoutePolicyFactory micrometer) {
                        micrometer.getPolicyConfiguration().setExcludePattern(EXCLUDED);
                    }
                }
            }
        });
    }
}
