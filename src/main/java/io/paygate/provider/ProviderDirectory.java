package io.paygate.provider;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * Which providers exist: one per route consuming {@code direct:provider-<name>}, as created from
 * routes/providers/*.yaml. Adding a provider file adds a provider; no Java list to keep in step.
 * <p>
 * Every order asks, so the names are kept in a set that follows the routes as Camel adds and
 * removes them (a scan of every route per order was a third of a percent of paygate's CPU).
 * Camel tells before the route is in (or out of) its own list, which is why the set takes the
 * names from what it is told rather than from a scan.
 */
public class ProviderDirectory {

    private static final String PREFIX = "direct://provider-";

    private final Set<String> names = ConcurrentHashMap.newKeySet();

    public ProviderDirectory(CamelContext context) {
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onRoutesAdd(Collection<Route> routes) {
                routes.forEach(route -> providerName(route).ifPresent(names::add));
            }

            @Override
            public void onRoutesRemove(Collection<Route> routes) {
                routes.forEach(route -> providerName(route).ifPresent(names::remove));
            }
        });
        // routes already there (paygate makes this before any route; a test may not)
        context.getRoutes().forEach(route -> providerName(route).ifPresent(names::add));
    }

    public boolean exists(String name) {
        return name != null && names.contains(name);
    }

    /** The providers' names, sorted. */
    public List<String> names() {
        return names.stream().sorted().toList();
    }

    private static Optional<String> providerName(Route route) {
        String uri = route.getEndpoint() == null ? null : route.getEndpoint().getEndpointUri();
        return uri != null && uri.startsWith(PREFIX)
                ? Optional.of(uri.substring(PREFIX.length()))
                : Optional.empty();
    }
}
