package io.paygate.api;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.testing.RunningPaygate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The storefront port as an attacker or a lost client meets it: connections that never finish
 * their request head are closed, unknown paths answer problem+json, and nothing tells a
 * stranger about the host.
 */
class HttpServerTest {

    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
    /** Scheduling slack on a loaded machine; far below "never closed". */
    private static final Duration MARGIN = Duration.ofSeconds(3);

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(
            "paygate.http.header-timeout", HEADER_TIMEOUT.toSeconds() + "s",
            // the default: only the header deadline can close these connections within the test
            "paygate.http.idle-timeout", "60s"));

    @Test
    void aClientThatStopsInTheMiddleOfItsHeadersIsDisconnected() throws Exception {
        try (Socket socket = connect(paygate)) {
            long started = System.nanoTime();
            send(socket, "POST /api/orders HTTP/1.1\r\nHost: x\r\n");
            assertThat(waitForClose(socket, HEADER_TIMEOUT.plus(MARGIN).plus(MARGIN)))
                    .as("connection closed by paygate").isTrue();
            assertThat(since(started)).isLessThan(HEADER_TIMEOUT.plus(MARGIN));
        }
    }

    @Test
    void aClientTricklingItsHeadersByteByByteIsDisconnected() throws Exception {
        try (Socket socket = connect(paygate)) {
            long started = System.nanoTime();
            send(socket, "POST /api/orders HTTP/1.1\r\nHost: x\r\n");
            // one byte every 300 ms
            String trickle = "X-Slow: " + "a".repeat(200);
            boolean closed = false;
            for (int k = 0; k < trickle.length() && !closed; k++) {
                try {
                    send(socket, trickle.substring(k, k + 1));
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                closed = waitForClose(socket, Duration.ofMillis(300));
            }
            assertThat(closed).as("connection closed by paygate while trickling").isTrue();
            assertThat(since(started)).isLessThan(HEADER_TIMEOUT.plus(MARGIN));
        }
    }

    @Test
    void aConnectionThatSendsNothingIsDisconnected() throws Exception {
        try (Socket socket = connect(paygate)) {
            long started = System.nanoTime();
            assertThat(waitForClose(socket, HEADER_TIMEOUT.plus(MARGIN).plus(MARGIN))).isTrue();
            assertThat(since(started)).isLessThan(HEADER_TIMEOUT.plus(MARGIN));
        }
    }

    @Test
    void aCompleteRequestIsServedNormally() throws Exception {
        HttpResponse<String> r = paygate.postOrder(order("http-server-ok", "10.00", "EUR", "tok_visa"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r.body()).path("status").asText()).isEqualTo("APPROVED");
    }

    @ParameterizedTest
    @CsvSource({"GET,/nope", "POST,/api/nothing", "GET,/api/orders/x/y/z", "GET,/", "PUT,/observe/nothing",
            "GET,/api/orders/4111111111111111/x", "DELETE,/api"})
    void unknownPathsAnswerProblemJson(String method, String path) throws Exception {
        HttpResponse<String> r = paygate.send(HttpRequest.newBuilder(URI.create(paygate.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", RunningPaygate.DEMO_KEY)
                .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(r.body()).path("status").asInt()).isEqualTo(404);
        assertThat(r.body()).doesNotContain("<html").doesNotContain("4111111111111111");
    }

    @Test
    void aCardNumberInAReadPathIsNotEchoed() throws Exception {
        HttpResponse<String> r = paygate.get("/api/orders/4111.1111.1111.1111");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).doesNotContain("4111");
    }

    @Test
    void knownPathsKeepTheir405AndOperationsEndpointsStillAnswer() throws Exception {
        HttpResponse<String> r = paygate.send(HttpRequest.newBuilder(URI.create(paygate.baseUrl() + "/api/orders"))
                .DELETE().header("X-Api-Key", RunningPaygate.DEMO_KEY).build());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        HttpResponse<String> health = paygate.get("/observe/health", null);
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        HttpResponse<String> metrics = paygate.get("/observe/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("camel_exchanges_total");
        assertThat(paygate.get("/api/openapi.json", null).statusCode()).isEqualTo(200);
    }

    @Test
    void infoTellsNothingAboutTheHost() throws Exception {
        for (String apiKey : new String[] {null, RunningPaygate.DEMO_KEY}) {
            HttpResponse<String> r = paygate.get("/observe/info", apiKey);
            assertThat(r.body())
                    .doesNotContain(Long.toString(ProcessHandle.current().pid()))
                    .doesNotContain(System.getProperty("user.name"))
                    .doesNotContain(System.getProperty("user.dir"))
                    .doesNotContain(System.getProperty("os.version"))
                    .doesNotContain(System.getProperty("java.version"));
            assertThat(r.statusCode()).isEqualTo(404);
        }
    }

    // --- raw sockets ----------------------------------------------------------------------

    static Socket connect(RunningPaygate paygate) throws IOException {
        URI base = URI.create(paygate.baseUrl());
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.setTcpNoDelay(true);
        return socket;
    }

    static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** True once the peer closed (end of stream or reset) within {@code within}; false if still open then. */
    static boolean waitForClose(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        InputStream in = socket.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    static String readAnswerHead(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        int at = head.indexOf("content-length: ");
        if (at < 0) {
            at = head.indexOf("Content-Length: ");
        }
        if (at >= 0) {
            int length = Integer.parseInt(head.substring(at + 16, head.indexOf("\r\n", at)).trim());
            in.readNBytes(length);
        }
        return head.toString();
    }

    static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
