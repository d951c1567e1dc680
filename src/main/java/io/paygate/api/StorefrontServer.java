package io.paygate.api;

import io.paygate.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * The storefront port's protections, wired once at start: connection deadlines (idle and
 * request-head timeouts, see {@link ConnectionDeadlines}), 404 problem answers for unknown paths
 * ({@link UnknownPaths}) and a clear start-up failure when HTTPS is switched on without a keystore.
 * HTTPS itself is camel-main's: {@code camel.ssl.*} from the {@code paygate.http.tls.*} keys,
 * used by the server through {@code camel.server.useGlobalSslContextParameters}.
 */
public final class StorefrontServer {

    private StorefrontServer() {
    }

    public static void configure(CamelContext context, Settings settings) throws Exception {
        Duration idle = positive(settings, "paygate.http.idle-timeout", Duration.ofSeconds(60));
        Duration header = positive(settings, "paygate.http.header-timeout", Duration.ofSeconds(10));
        Duration syncWait = settings.duration("paygate.sync-wait", Duration.ofSeconds(5));
        if (idle.compareTo(syncWait) <= 0) {
            // a POST is silent while it waits for the outcome: the idle timeout would cut it off
            throw new IllegalStateException("paygate.http.idle-timeout (" + idle + ") must be longer than paygate.sync-wait ("
                    + syncWait + ")");
        }
        if (settings.bool("paygate.http.tls.enabled", false) && settings.optional("paygate.http.tls.keystore").isEmpty()) {
            throw new IllegalStateException("paygate.http.tls.enabled is true but paygate.http.tls.keystore"
                    + " (PAYGATE_HTTP_TLS_KEYSTORE) names no keystore file");
        }
        // platform-http takes the Vertx instance from the registry, and only closes instances it
        // created itself. The real one is made when the HTTP server first asks, with the options
        // (worker pool) bound as vertxOptions by then.
        Supplier<Vertx> real = new Supplier<>() {
            private Vertx vertx;

            @Override
            public synchronized Vertx get() {
                if (vertx == null) {
                    VertxOptions options = context.getRegistry().lookupByNameAndType("vertxOptions", VertxOptions.class);
                    vertx = Vertx.vertx(options != null ? options : new VertxOptions());
                }
                return vertx;
            }
        };
        UnknownPaths unknownPaths = new UnknownPaths();
        context.getRegistry().bind("vertx", ConnectionDeadlines.around(real, idle, header, unknownPaths::ready));
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext stopped) {
                real.get().close();
            }
        });
        context.addStartupListener(unknownPaths);
    }

    private static Duration positive(Settings settings, String key, Duration fallback) {
        Duration d = settings.duration(key, fallback);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalStateException(key + " must be a positive duration such as 10s, not " + d);
        }
        return d;
    }
}
