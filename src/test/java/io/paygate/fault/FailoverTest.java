package io.paygate.fault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.paygate.testing.RunningPaygate;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite, failover and isolation: the primary HTTP provider refuses connections. Orders it
 * did not process go to the secondary; after a few refusals its circuit opens and orders go
 * straight to the secondary (one attempt each); when the primary is back, trial calls close the
 * circuit and it takes orders again. Every APPROVED order is charged exactly once.
 */
class FailoverTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path routesDir;

    static final String APPROVED = "{\"status\":\"APPROVED\",\"providerReference\":\"x\",\"reason\":null}";

    @Test
    void refusingPrimaryFailsOverOpensItsCircuitAndClosesAfterRecovery() throws Exception {
        int primaryPort;
        try (ServerSocket s = new ServerSocket(0)) {
            primaryPort = s.getLocalPort(); // nothing listens here until the primary "recovers"
        }
        WireMockServer secondary = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        secondary.start();
        secondary.stubFor(post(urlEqualTo("/payments")).willReturn(aResponse().withStatus(200).withBody(APPROVED)));
        WireMockServer primary = new WireMockServer(options().port(primaryPort).bindAddress("127.0.0.1"));
        io.paygate.testing.TestRoutes.withHttpProvider(routesDir, "initech", secondary.baseUrl());
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of(
                "paygate.routes.dir", routesDir.toString(),
                "paygate.provider.acme.url", "http://127.0.0.1:" + primaryPort,
                "paygate.routing.default-provider", "acme,initech",
                "paygate.circuit.minimum-calls", "3",
                "paygate.circuit.window", "5",
                "paygate.circuit.open-seconds", "2",
                "paygate.dispatch.retry-delay", "200ms",
                "paygate.sync-wait", "5s"))) {

            // 1. the primary refuses: each order fails over to initech and is approved there
            for (int i = 0; i < 3; i++) {
                JsonNode answer = json(paygate.postOrder(order("fo-" + i, "10.00", "EUR", "tok_1")).body());
                assertThat(answer.path("status").asText()).isEqualTo("APPROVED");
                assertThat(answer.path("provider").asText()).isEqualTo("initech");
            }
            assertThat(attempts("fo-0", paygate)).isEqualTo(2);

            // 2. three refusals opened acme's circuit: the next orders go straight to initech
            await().atMost(Duration.ofSeconds(5)).until(() -> paygate.get("/observe/health", null).body()
                    .contains("acme=OPEN"));
            JsonNode direct = json(paygate.postOrder(order("fo-direct", "10.00", "EUR", "tok_1")).body());
            assertThat(direct.path("status").asText()).isEqualTo("APPROVED");
            assertThat(direct.path("provider").asText()).isEqualTo("initech");
            assertThat(attempts("fo-direct", paygate)).as("acme not even tried").isEqualTo(1);

            // 3. acme recovers: after the open period a trial call goes to it and the circuit closes
            primary.start();
            primary.stubFor(post(urlEqualTo("/payments")).willReturn(aResponse().withStatus(200).withBody(APPROVED)));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode a = json(paygate.postOrder(order("fo-back-" + System.nanoTime(), "10.00", "EUR", "tok_1")).body());
                return "acme".equals(a.path("provider").asText()) && "APPROVED".equals(a.path("status").asText());
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                paygate.postOrder(order("fo-close-" + System.nanoTime(), "10.00", "EUR", "tok_1"));
                return paygate.get("/observe/health", null).body().contains("acme=CLOSED");
            });

            // every order approved, each charged once at the provider that approved it
            long approved = paygate.countRows("SELECT COUNT(*) FROM orders WHERE status = 'APPROVED'");
            long total = paygate.countRows("SELECT COUNT(*) FROM orders");
            assertThat(approved).isEqualTo(total);
            int charges = secondary.findAll(postRequestedFor(urlEqualTo("/payments"))).size()
                    + primary.findAll(postRequestedFor(urlEqualTo("/payments"))).size();
            assertThat((long) charges).isEqualTo(approved);
        } finally {
            primary.stop();
            secondary.stop();
        }
    }

    private static long attempts(String orderId, RunningPaygate paygate) throws Exception {
        return paygate.countRows("SELECT attempts FROM orders WHERE order_id = ?", orderId);
    }

}
