package io.paygate.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
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
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.paygate.testing.RunningPaygate;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What paygate does with each class of provider failure, against a real HTTP provider stand-in
 * (WireMock) that refuses, resets, errors and answers: retry only what was not processed, mark
 * ambiguous outcomes UNKNOWN (never FAILED), fail rejected requests with the provider's reason.
 */
class ProviderFailureTest {

    @TempDir
    static Path dataDir;
    static WireMockServer provider;
    static RunningPaygate paygate;
    static int closedPort;

    @BeforeAll
    static void start() throws Exception {
        provider = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        provider.start();
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens here once the socket is closed
        }
        paygate = RunningPaygate.start(dataDir, Map.of(
                "paygate.provider.acme.url", provider.baseUrl() + "/acme",
                "paygate.dispatch.retry-delay", "200ms",
                "paygate.dispatch.max-attempts", "3",
                "paygate.sync-wait", "1s",
                "camel.component.http.responseTimeout", "1500",
                "camel.component.http.soTimeout", "1500"));
    }

    @AfterAll
    static void stop() throws Exception {
        paygate.stop();
        provider.stop();
    }

    @BeforeEach
    void reset() {
        provider.resetAll();
    }

    static String answer(String status) {
        return "{\"status\":\"" + status + "\",\"providerReference\":\"wm-1\",\"reason\":null}";
    }

    JsonNode settle(String orderId, String token) throws Exception {
        paygate.postOrder(order(orderId, "10.00", "EUR", token));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String s = paygate.statusOf(orderId);
            return s != null && !s.equals("RECEIVED") && !s.equals("SENT");
        });
        return json(paygate.get("/api/orders/" + orderId).body());
    }

    @Test
    void unavailableBeforeProcessingIsRetriedWithTheSameKeyUntilApproved() throws Exception {
        provider.stubFor(post(urlEqualTo("/acme/payments")).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("ready"));
        provider.stubFor(post(urlEqualTo("/acme/payments")).inScenario("busy").whenScenarioStateIs("ready")
                .willReturn(aResponse().withStatus(200).withBody(answer("APPROVED"))));

        JsonNode order = settle("busy-then-ok", "tok_1");

        assertThat(order.path("status").asText()).isEqualTo("APPROVED");
        String reference = order.path("reference").asText();
        provider.verify(2, postRequestedFor(urlEqualTo("/acme/payments"))
                .withHeader("Idempotency-Key", equalTo(reference))
                .withRequestBody(matchingJsonPath("$.reference", equalTo(reference))));
    }

    @Test
    void unreachableProviderFailsTheOrderAfterTheAttemptBudget() throws Exception {
        try (RunningPaygate unreachable = RunningPaygate.start(dataDir.resolve("unreachable"), Map.of(
                "paygate.provider.acme.url", "http://127.0.0.1:" + closedPort + "/acme",
                "paygate.dispatch.retry-delay", "100ms",
                "paygate.sync-wait", "1s"))) {
            unreachable.postOrder(order("nobody-home", "10.00", "EUR", "tok_1"));
            await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(unreachable.statusOf("nobody-home")));
            JsonNode order = json(unreachable.get("/api/orders/nobody-home").body());
            assertThat(order.path("reason").asText()).contains("after 3 attempts").contains("not reachable");
        }
    }

    @Test
    void serverErrorAfterSendingIsUnknownNeverFailed() throws Exception {
        provider.stubFor(post(urlEqualTo("/acme/payments")).willReturn(aResponse().withStatus(502)));

        JsonNode order = settle("bad-gateway", "tok_1");

        assertThat(order.path("status").asText()).isEqualTo("UNKNOWN");
        provider.verify(1, postRequestedFor(urlEqualTo("/acme/payments")));
    }

    @Test
    void connectionResetAfterSendingIsUnknown() throws Exception {
        provider.stubFor(post(urlEqualTo("/acme/payments"))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        JsonNode order = settle("reset", "tok_1");

        assertThat(order.path("status").asText()).isEqualTo("UNKNOWN");
    }

    @Test
    void readTimeoutIsUnknown() throws Exception {
        provider.stubFor(post(urlEqualTo("/acme/payments"))
                .willReturn(aResponse().withStatus(200).withBody(answer("APPROVED")).withFixedDelay(4000)));

        JsonNode order = settle("too-slow", "tok_1");

        assertThat(order.path("status").asText()).isEqualTo("UNKNOWN");
    }

    @Test
    void rejectedRequestFailsWithTheProvidersReason() throws Exception {
        provider.stubFor(post(urlEqualTo("/acme/payments"))
                .willReturn(aResponse().withStatus(422).withBody("{\"error\":\"token expired\"}")));

        JsonNode order = settle("rejected", "tok_1");

        assertThat(order.path("status").asText()).isEqualTo("FAILED");
        assertThat(order.path("reason").asText()).contains("422").contains("token expired");
    }
}
