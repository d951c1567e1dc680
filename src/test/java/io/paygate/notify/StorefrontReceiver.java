package io.paygate.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A storefront's webhook endpoint for tests: records every request it gets and answers each
 * path with the statuses queued for it (then 200), e.g. 503, 503, then 200.
 */
final class StorefrontReceiver implements AutoCloseable {

    record Received(String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Integer>> answers = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();

    StorefrontReceiver() throws IOException {
        this(0);
    }

    StorefrontReceiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()), body));
            String location = redirects.get(path);
            int status;
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
                status = 302;
            } else {
                Deque<Integer> queued = answers.get(path);
                Integer next = queued == null ? null : queued.pollFirst();
                status = next == null ? 200 : next;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** Answers the next requests to {@code path} with these statuses, then 200. */
    StorefrontReceiver answer(String path, Integer... statuses) {
        answers.put(path, new ArrayDeque<>(List.of(statuses)));
        return this;
    }

    /** Answers every request to {@code path} with 302 to {@code location}. */
    StorefrontReceiver redirect(String path, String location) {
        redirects.put(path, location);
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    int port() {
        return server.getAddress().getPort();
    }

    List<Received> requests(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
