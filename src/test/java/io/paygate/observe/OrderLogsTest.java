package io.paygate.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator searches the logs for one order: with {@code PAYGATE_LOG_FORMAT=json} every line
 * is a JSON object, and every line about the order, from taking it in on the HTTP thread to
 * settling it on another (here the consumer of a JMS provider's reply), carries its reference and
 * merchant as fields.
 * <p>
 * paygate runs in its own JVM here, started as {@code java -jar} starts it (main class, the
 * production log4j2.xml, configuration from the environment), because the logging set-up is
 * what is under test.
 */
class OrderLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String API_KEY = "demo-key-not-secret";
    private static final String TOKEN = "tok_visa_logs_test";

    @TempDir
    static Path dir;
    static Process paygate;
    static Path log;
    static String baseUrl;

    @BeforeAll
    static void start() throws Exception {
        int port = freePort();
        int simPort = freePort();
        baseUrl = "http://127.0.0.1:" + port;
        log = dir.resolve("paygate.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlog4j2.configurationFile=" + Path.of("target/classes/log4j2.xml").toAbsolutePath(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), "io.paygate.Paygate")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(java.util.Map.of(
                "PAYGATE_LOG_FORMAT", "json",
                "PAYGATE_DATA_DIR", dir.resolve("data").toString(),
                "PAYGATE_HTTP_HOST", "127.0.0.1",
                "PAYGATE_HTTP_PORT", Integer.toString(port),
                "PAYGATE_BROKER_PORT", Integer.toString(freePort()),
                "PAYGATE_SIM_PORT", Integer.toString(simPort),
                "PAYGATE_PROVIDER_ACME_URL", "http://127.0.0.1:" + simPort + "/acme"));
        paygate = builder.start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .failFast("paygate exited during start-up", () -> !paygate.isAlive())
                .until(() -> get("/observe/health").statusCode() == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (log != null && Files.exists(log)) {
            // kept for a look after a failure
            Files.copy(log, Path.of("target/order-logs-test.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (paygate != null) {
            paygate.destroy();
            paygate.waitFor(30, TimeUnit.SECONDS);
            paygate.destroyForcibly();
        }
    }

    @Test
    void everyLineAboutAnOrderIsJsonAndCarriesItsReferenceAndMerchant() throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/orders"))
                .header("X-Api-Key", API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"orderId\":\"logs-1\",\"amount\":\"12.50\",\"currency\":\"EUR\","
                        + "\"paymentMethod\":{\"type\":\"card_token\",\"token\":\"" + TOKEN + "\"},\"provider\":\"globex\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        String reference = JSON.readTree(answer.body()).path("reference").asText();
        assertThat(reference).startsWith("pg_");

        // the last line of the order's processing: its settlement
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(log).contains(reference + ": SENT -> APPROVED"));

        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            lines.add(JSON.readTree(line)); // throws if any line is not JSON
        }
        List<JsonNode> aboutOrder = lines.stream()
                .filter(l -> l.path("message").asText().contains(reference) || l.path("message").asText().contains("logs-1"))
                // the provider simulator shares the JVM here but stands for the provider, not for paygate
                .filter(l -> !l.path("logger").asText().startsWith("io.paygate.simulator"))
                .toList();
        // received and claimed (HTTP worker, which also sends the JMS request), SENT -> APPROVED
        // (the consumer of the provider's JMS reply)
        assertThat(aboutOrder).hasSizeGreaterThanOrEqualTo(3);
        assertThat(aboutOrder).allSatisfy(l -> {
            assertThat(l.path("reference").asText()).as("reference of %s", l).isEqualTo(reference);
            assertThat(l.path("merchant").asText()).as("merchant of %s", l).isEqualTo("demo");
            assertThat(l.path("level").asText()).isNotEmpty();
            assertThat(l.path("logger").asText()).isNotEmpty();
        });
        Set<String> threads = aboutOrder.stream().map(l -> l.path("thread").asText()).collect(Collectors.toSet());
        assertThat(threads).as("taken in and settled on different threads").hasSizeGreaterThanOrEqualTo(2);

        String all = Files.readString(log);
        assertThat(all).doesNotContain(TOKEN).doesNotContain(API_KEY);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
