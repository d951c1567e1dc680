package io.paygate.api;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.impl.VertxInternal;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Deadlines for the storefront's HTTP connections, so that a client cannot hold one open by
 * sending nothing or by trickling bytes:
 * <ul>
 *   <li>idle timeout: a connection with no traffic either way for that long is closed (Vert.x's own);</li>
 *   <li>header timeout: the first request's head (request line and headers) must be complete
 *       within it after the connection opened, however the bytes trickle in. Vert.x has no such
 *       setting (its idle timeout is one value for everything), so this is a timer per
 *       connection, stopped when the head is complete. After an answer, the next request's head
 *       on the same (kept-alive) connection must be complete within the idle timeout.</li>
 * </ul>
 * camel-platform-http-vertx builds its {@link HttpServerOptions} itself and offers no setting for
 * either; it does take the {@link Vertx} instance from the registry. So the Vertx bound there is
 * this thin view of the real one, which adjusts the options and watches the connections of every
 * HTTP server created through it (the storefront port is the only one). Everything else is the
 * real Vertx's.
 */
public final class ConnectionDeadlines {

    private final Supplier<Vertx> vertx;
    private final Map<HttpConnection, Deadline> open = new ConcurrentHashMap<>();
    private final long idleMillis;
    private final long headerMillis;

    private final java.util.function.BooleanSupplier ready;

    private ConnectionDeadlines(Supplier<Vertx> vertx, Duration idle, Duration header,
                                java.util.function.BooleanSupplier ready) {
        this.vertx = vertx;
        this.ready = ready;
        this.idleMillis = idle.toMillis();
        this.headerMillis = header.toMillis();
    }

    /** A Vertx that is {@code real} (made on first use) except that its HTTP servers keep these deadlines. */
    public static Vertx around(Supplier<Vertx> real, Duration idle, Duration header,
                               java.util.function.BooleanSupplier ready) {
        ConnectionDeadlines deadlines = new ConnectionDeadlines(real, idle, header, ready);
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("createHttpServer") && args != null && args.length == 1
                    && args[0] instanceof HttpServerOptions options) {
                return deadlines.watch(real.get().createHttpServer(deadlines.adjust(options)));
            }
            // identity without making the real instance (the registry may ask before the options are bound)
            switch (method.getName()) {
                case "equals" -> {
                    return args != null && args.length == 1 && proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "toString" -> {
                    return "Vertx with HTTP connection deadlines";
                }
                default -> {
                    return call(method, real.get(), args);
                }
            }
        };
        return (Vertx) Proxy.newProxyInstance(ConnectionDeadlines.class.getClassLoader(),
                new Class<?>[] {VertxInternal.class}, handler);
    }

    private HttpServerOptions adjust(HttpServerOptions options) {
        return options.setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idleMillis))
                // No cleartext HTTP/2: with it on, Vert.x sniffs each connection's protocol and its
                // HTTP/1 connections never reach the connection handler, so no deadline would start
                // (tried). HTTP/1.1, and HTTP/1.1 over TLS, is what storefronts speak.
                .setHttp2ClearTextEnabled(false);
    }

    /** Starts each connection's head deadline; the request handler stops it when a head is complete. */
    private HttpServer watch(HttpServer server) {
        server.connectionHandler(connection -> {
            Deadline deadline = new Deadline(connection);
            connection.closeHandler(v -> deadline.cancel());
            deadline.restart(headerMillis);
        });
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("requestHandler") && args != null && args.length == 1 && args[0] != null) {
                @SuppressWarnings("unchecked")
                Handler<HttpServerRequest> next = (Handler<HttpServerRequest>) args[0];
                server.requestHandler(request -> {
                    Deadline deadline = open.get(request.connection());
                    if (deadline != null) {
                        deadline.headComplete();
                        request.response().endHandler(v -> deadline.answered(idleMillis));
                    }
                    if (!ready.getAsBoolean()) {
                        // the server listens before the routes are in place: "not yet", never a 404
                        request.response().setStatusCode(503)
                                .putHeader("Content-Type", HttpAnswers.PROBLEM_JSON)
                                .putHeader("Retry-After", "1")
                                .end("{\"type\":\"https://paygate.dev/problems/unavailable\",\"title\":\"paygate is starting\","
                                        + "\"status\":503,\"detail\":\"retry in a moment\"}");
                        return;
                    }
                    next.handle(request);
                });
                return proxy;
            }
            Object result = call(method, server, args);
            return result == server ? proxy : result;
        };
        return (HttpServer) Proxy.newProxyInstance(ConnectionDeadlines.class.getClassLoader(),
                new Class<?>[] {HttpServer.class}, handler);
    }

    private static Object call(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** One connection's timer: runs while the connection waits for a request head, closes it when it fires. */
    private final class Deadline {

        private final HttpConnection connection;
        private long timer = -1;
        private int inFlight;

        Deadline(HttpConnection connection) {
            this.connection = connection;
            open.put(connection, this);
        }

        synchronized void restart(long millis) {
            stopTimer();
            timer = vertx.get().setTimer(millis, id -> connection.close());
        }

        synchronized void headComplete() {
            inFlight++;
            stopTimer();
        }

        synchronized void answered(long millis) {
            if (--inFlight <= 0) {
                inFlight = 0;
                restart(millis);
            }
        }

        synchronized void cancel() {
            stopTimer();
            open.remove(connection);
        }

        private void stopTimer() {
            if (timer >= 0) {
                vertx.get().cancelTimer(timer);
                timer = -1;
            }
        }
    }
}
