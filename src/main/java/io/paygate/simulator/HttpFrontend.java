package io.paygate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The simulator's single HTTP server: HTTP providers under {@code /{provider}} and the
 * control API under {@code /sim}.
 */
final class HttpFrontend {

    private static final Logger LOG = LoggerFactory.getLogger(HttpFrontend.class);
    // Hanging requests each hold a thread, so leave room for a few next to normal traffic.
    private static final int THREADS = 64;
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long HANG_MILLIS = TimeUnit.MINUTES.toMillis(10);

    static {
        // The JDK server flushes headers and body separately; without TCP_NODELAY, Nagle plus
        // delayed ACKs add ~40 ms to every response. Read once when the JDK server initialises.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final String bindAddress;
    private final int requestedPort;
    private final Map<String, SimulatedProvider> httpProviders;
    private final Map<String, SimulatedProvider> allProviders;
    private final Runnable resetAll;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private HttpServer server;
    private ExecutorService executor;

    HttpFrontend(String bindAddress, int port, Map<String, SimulatedProvider> httpProviders,
                 Map<String, SimulatedProvider> allProviders, Runnable resetAll) {
        this.bindAddress = bindAddress;
        this.resetAll = resetAll;
        this.requestedPort = port;
        this.httpProviders = httpProviders;
        this.allProviders = allProviders;
    }

    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(bindAddress, requestedPort), 128);
        AtomicInteger threadCount = new AtomicInteger();
        executor = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "sim-http-" + threadCount.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        LOG.info("Provider simulator HTTP listening on {}:{} for {}", bindAddress, port(), httpProviders.keySet());
    }

    int port() {
        return server.getAddress().getPort();
    }

    void stop() {
        stopped.countDown(); // releases hanging and sleeping requests first
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void handle(HttpExchange exchange) {
        try {
            List<String> path = segments(exchange.getRequestURI().getRawPath());
            String method = exchange.getRequestMethod();
            if (path.isEmpty()) {
                send(exchange, 404, Json.error("not found"));
            } else if (path.get(0).equals("sim")) {
                handleControl(exchange, method, path);
            } else if (httpProviders.containsKey(path.get(0)) && path.size() >= 2 && path.get(1).equals("payments")) {
                handleProvider(exchange, method, httpProviders.get(path.get(0)), path);
            } else {
                send(exchange, 404, Json.error("not found"));
            }
        } catch (BodyTooLargeException e) {
            trySend(exchange, 413, Json.error(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // only happens while stopping
        } catch (Exception e) {
            LOG.error("Unexpected error handling {} {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
            trySend(exchange, 500, Json.error("internal simulator error"));
        } finally {
            // Not try-with-resources: that would close the exchange before the catch blocks can answer.
            // Closing without a response (hang, stopping) drops the connection.
            exchange.close();
        }
    }

    private void handleProvider(HttpExchange exchange, String method, SimulatedProvider provider, List<String> path)
            throws IOException, InterruptedException {
        if (path.size() == 2 && method.equals("POST")) {
            pay(exchange, provider);
        } else if (path.size() == 3 && method.equals("GET")) {
            provider.status(path.get(2)).ifPresentOrElse(
                    answer -> trySend(exchange, 200, answer),
                    () -> trySend(exchange, 404, Json.error("unknown reference")));
        } else {
            send(exchange, path.size() <= 3 ? 405 : 404, Json.error(path.size() <= 3 ? "method not allowed" : "not found"));
        }
    }

    private void pay(HttpExchange exchange, SimulatedProvider provider) throws IOException, InterruptedException {
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        byte[] body = readBody(exchange);
        if (key == null || key.isBlank()) {
            send(exchange, 400, Json.error("missing Idempotency-Key header"));
            return;
        }
        PaymentRequest request;
        try {
            request = PaymentRequest.parse(body);
        } catch (PaymentRequest.InvalidRequestException e) {
            send(exchange, 400, Json.error(e.getMessage()));
            return;
        }
        if (!request.reference().equals(key)) {
            send(exchange, 400, Json.error("Idempotency-Key does not match reference"));
            return;
        }
        if (stopped.await(provider.receive(request), TimeUnit.MILLISECONDS)) {
            return; // stopping: drop the connection without an answer
        }
        SimulatedProvider.Outcome outcome = provider.decide(request);
        switch (outcome.kind()) {
            case ANSWER -> send(exchange, 200, outcome.answer());
            case ERROR -> send(exchange, 500, Json.error("simulated failure"));
            case HANG -> stopped.await(HANG_MILLIS, TimeUnit.MILLISECONDS);
            case CLOSE -> LOG.info("{} closing the connection for {} without an answer", provider.name(), request.reference());
        }
        // HANG and CLOSE return without a response: handle() closes the exchange, which drops the connection.
    }

    private void handleControl(HttpExchange exchange, String method, List<String> path) throws IOException {
        String what = path.size() >= 2 ? path.get(1) : "";
        if (path.size() == 2 && what.equals("charges") && method.equals("GET")) {
            send(exchange, 200, perProvider(SimulatedProvider::charges));
        } else if (path.size() == 2 && what.equals("requests") && method.equals("GET")) {
            send(exchange, 200, perProvider(SimulatedProvider::requests));
        } else if (path.size() == 2 && what.equals("status-queries") && method.equals("GET")) {
            send(exchange, 200, perProvider(SimulatedProvider::statusQueries));
        } else if (path.size() == 2 && what.equals("reset") && method.equals("POST")) {
            resetAll.run();
            LOG.info("Simulator state reset");
            send(exchange, 200, Map.of("reset", true));
        } else if (path.size() == 2 && what.equals("health") && method.equals("GET")) {
            send(exchange, 200, Map.of("status", "UP"));
        } else if (path.size() == 3 && what.equals("providers")) {
            SimulatedProvider provider = allProviders.get(path.get(2));
            if (provider == null) {
                send(exchange, 404, Json.error("unknown provider"));
            } else if (method.equals("GET")) {
                send(exchange, 200, provider.behaviour());
            } else if (method.equals("PUT")) {
                changeBehaviour(exchange, provider);
            } else {
                send(exchange, 405, Json.error("method not allowed"));
            }
        } else {
            send(exchange, 404, Json.error("not found"));
        }
    }

    private void changeBehaviour(HttpExchange exchange, SimulatedProvider provider) throws IOException {
        ProviderBehaviour changed;
        try {
            JsonNode changes = Json.MAPPER.readTree(readBody(exchange));
            changed = provider.behaviour().withChanges(changes);
        } catch (BodyTooLargeException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            send(exchange, 400, Json.error("invalid behaviour: " + e.getMessage()));
            return;
        }
        provider.behaviour(changed);
        send(exchange, 200, changed);
    }

    private Map<String, Map<String, Integer>> perProvider(Function<SimulatedProvider, Map<String, Integer>> view) {
        Map<String, Map<String, Integer>> result = new LinkedHashMap<>();
        allProviders.forEach((name, provider) -> result.put(name, view.apply(provider)));
        return result;
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new BodyTooLargeException();
            }
            return body;
        }
    }

    /** Splits the raw path so an encoded '/' inside a reference stays part of the reference. */
    private static List<String> segments(String rawPath) {
        return Arrays.stream(rawPath.split("/"))
                .filter(segment -> !segment.isEmpty())
                .map(segment -> URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8))
                .toList();
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.toBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void trySend(HttpExchange exchange, int status, Object body) {
        try {
            send(exchange, status, body);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Could not send {} response", status, e);
        }
    }

    private static final class BodyTooLargeException extends IOException {
        BodyTooLargeException() {
            super("request body larger than " + MAX_BODY_BYTES + " bytes");
        }
    }
}
