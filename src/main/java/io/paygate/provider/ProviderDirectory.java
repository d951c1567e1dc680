package io.paygate.provider;

import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/**
 * Which providers exist: one per route consuming {@code direct:provider-<name>}, as created from
 * routes/providers/*.yaml. Adding a provider file adds a provider; no Java list to keep in step.
 */
public class ProviderDirectory {

    private static final String PREFIX = "direct://provider-";

    private final CamelContext context;

    public ProviderDirectory(CamelContext context) {
        this.context = context;
    }

    /** Asked for every order: a scan of the routes, no list built. */
    public boolean exists(String name) {
        if (name == null) {
            return false;
        }
        String uri = PREFIX + name;
        for (Route route : context.getRoutes()) {
            if (route.getEndpoint().getEndpointUri().equals(uri)) {
                return true;
            }
        }
        return false;
    }

    public List<String> names() {
        return context.getRoutes().stream()
                .map(Route::getEndpoint)
                .map(e -> e.getEndpointUri())
                .filter(uri -> uri.startsWith(PREFIX))
                .map(uri -> uri.substring(PREFIX.length()))
                .sorted()
                .toList();
    }
}
