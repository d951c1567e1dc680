package io.paygate.fault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.paygate.testing.RunningPaygate;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite, ambiguous outcomes: an HTTP provider (WireMock) that errors, resets, hangs, or
 * charges and then loses the answer. Every order ends in the truthful final state, found out by
 * asking the provider (GET /payments/{reference}); a charge is made once per order ("charge" =
 * a POST the provider answered 200 APPROVED), and an UNKNOWN order never goes elsewhere.
 */
class AmbiguousOutcomesTest {

    @TempDir
    static Path dataDir;
    static WireMockServer acme;
    static RunningPaygate paygate;

    @BeforeAll
    static void start() throws Exception {
        acme = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        acme.start();
        paygate = RunningPaygate.start(dataDir, Map.ofEntries(
                Map.entry("paygate.provider.acme.url", acme.baseUrl() + "/acme"),
                // a second candidate: an ambiguous outcome must never fail over to it
                Map.entry("paygate.routing.default-provider", "acme,globex"),
                Map.entry("paygate.dispatch.retry-delay", "200ms"),
                Map.entry("paygate.sync-wait", "1s"),
                Map.entry("paygate.reconcile.schedule", "300ms 500ms 1s"),
                Map.entry("paygate.reconcile.period-ms", "200"),
                Map.entry("paygate.provider.http.reply-deadline", "3s"),
                Map.entry("camel.component.http.responseTimeout", "1500"),
                Map.entry("camel.component.http.soTimeout", "1500")));
    }

    @AfterAll
    static void stop() throws Exception {
        paygate.stop();
        acme.stop();
    }

    @BeforeEach
    void reset() {
        acme.resetAll();
    }

    static String answer(String status) {
        return "{\"status\":\"" + status + "\",\"providerReference\":\"acme-1\",\"reason\":null}";
    }

    JsonNode submitAndSettle(String orderId) throws Exception {
        assertThat(paygate.postOrder(order(orderId, "10.00", "EUR", "tok_1")).statusCode()).isIn(200, 202);
        return finalState(orderId);
    }

    JsonNode finalState(String orderId) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            String s = paygate.statusOf(orderId);
            return s != null && Set.of("APPROVED", "DECLINED", "FAILED").contains(s);
        });
        return json(paygate.get("/api/orders/" + orderId).body());
    }

    /** POSTs the provider answered 200 APPROVED for this reference: the charges it made. */
    long charges(String reference) {
        List<ServeEvent> events = acme.getAllServeEvents();
        return events.stream()
                .filter(e -> e.getRequest().getMethod().getName().equals("POST"))
                .filter(e -> reference.equals(e.getRequest().getHeader("Idempotency-Key")))
                .filter(e -> e.getResponse().getStatus() == 200 && e.getResponse().getBodyAsString().contains("APPROVED"))
                .count();
    }

    @Test
    void errorThenUnavailableThenApprovedEndsApprovedWithOneCharge() throws Exception {
        acme.stubFor(post(urlEqualTo("/acme/payments")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("busy"));
        acme.stubFor(post(urlEqualTo("/acme/payments")).inScenario("flaky").whenScenarioStateIs("busy")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("ready"));
        acme.stubFor(post(urlEqualTo("/acme/payments")).inScenario("flaky").whenScenarioStateIs("ready")
                .willReturn(aResponse().withStatus(200).withBody(answer("APPROVED"))));
        // after the 500 nothing was charged: the status query says so
        acme.stubFor(get(urlPathMatching("/acme/payments/pg_.*")).willReturn(aResponse().withStatus(404)));

        JsonNode order = submitAndSettle("flaky-1");

        String reference = order.path("reference").asText();
        assertThat(order.path("status").asText()).isEqualTo("APPROVED");
        assertThat(order.path("provider").asText()).isEqualTo("acme");
        assertThat(charges(reference)).isEqualTo(1);
        acme.verify(3, postRequestedFor(urlEqualTo("/acme/payments")).withHeader("Idempotency-Key", equalTo(reference)));
        acme.verify(getRequestedFor(urlEqualTo("/acme/payments/" + reference)));
        assertThat(paygate.charges("globex")).doesNotContainKey(reference);
    }

    @Test
    void resetAfterTheChargeIsResolvedByAStatusQueryNeverSentElsewhere() throws Exception {
        acme.stubFor(post(urlEqualTo("/acme/payments"))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        acme.stubFor(get(urlPathMatching("/acme/payments/pg_.*"))
                .willReturn(aResponse().withStatus(200).withBody(answer("APPROVED"))));

        JsonNode order = submitAndSettle("reset-after-charge");

        String reference = order.path("reference").asText();
        assertThat(order.path("status").asText()).isEqualTo("APPROVED");
        acme.verify(1, postRequestedFor(urlEqualTo("/acme/payments")));
        acme.verify(getRequestedFor(urlEqualTo("/acme/payments/" + reference)));
        assertThat(paygate.charges("globex")).doesNotContainKey(reference);
    }

    @Test
    void chargeThenHangPastTheTimeoutIsResolvedByAStatusQuery() throws Exception {
        acme.stubFor(post(urlEqualTo("/acme/payments"))
                .willReturn(aResponse().withStatus(200).withBody(answer("APPROVED")).withFixedDelay(4000)));
        acme.stubFor(get(urlPathMatching("/acme/payments/pg_.*"))
                .willReturn(aResponse().withStatus(200).withBody(answer("APPROVED"))));

        JsonNode order = submitAndSettle("charge-then-hang");

        String reference = order.path("reference").asText();
        assertThat(order.path("status").asText()).isEqualTo("APPROVED");
        acme.verify(1, postRequestedFor(urlEqualTo("/acme/payments")));
        assertThat(paygate.charges("globex")).doesNotContainKey(reference);
    }

    @Test
    void resetBeforeTheChargeIsSentAgainWithTheSameKeyAndChargedOnce() throws Exception {
        acme.stubFor(post(urlEqualTo("/acme/payments")).inScenario("reset").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("up"));
        acme.stubFor(post(urlEqualTo("/acme/payments")).inScenario("reset").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody(answer("APPROVED"))));
        acme.stubFor(get(urlPathMatching("/acme/payments/pg_.*")).willReturn(aResponse().withStatus(404)));

        JsonNode order = submitAndSettle("reset-before-charge");

        String reference = order.path("reference").asText();
        assertThat(order.path("status").asText()).isEqualTo("APPROVED");
        assertThat(charges(reference)).isEqualTo(1);
        acme.verify(2, postRequestedFor(urlEqualTo("/acme/payments")).withHeader("Idempotency-Key", equalTo(reference)));
    }

    @Test
    void aProviderThatNeverKnowsTheOrderIsNotCalledBeyondTheBudgetAndTheOrderStaysUnknown() throws Exception {
        acme.stubFor(post(urlEqualTo("/acme/payments")).willReturn(aResponse().withStatus(502)));
        acme.stubFor(get(urlPathMatching("/acme/payments/pg_.*")).willReturn(aResponse().withStatus(404)));

        paygate.postOrder(order("never-known", "10.00", "EUR", "tok_1"));

        // three attempts (the budget), then no more resends: UNKNOWN with no check planned
        await().atMost(Duration.ofSeconds(30)).until(() -> paygate.countRows(
                "SELECT COUNT(*) FROM orders WHERE order_id = 'never-known' AND status = 'UNKNOWN'"
                        + " AND next_check_at IS NULL") == 1);
        assertThat(paygate.statusOf("never-known")).isEqualTo("UNKNOWN");
        acme.verify(3, postRequestedFor(urlEqualTo("/acme/payments")));
    }

    @Test
    void aForgedSecondDispatchMessageForASentOrderCallsNoProvider() throws Exception {
        acme.stubFor(post(urlEqualTo("/acme/payments"))
                .willReturn(aResponse().withStatus(200).withBody(answer("APPROVED")).withFixedDelay(800)));
        // like a real provider: it knows what it charged (matters if the machine is slow and the call times out)
        acme.stubFor(get(urlPathMatching("/acme/payments/pg_.*"))
                .willReturn(aResponse().withStatus(200).withBody(answer("APPROVED"))));

        // the POST waits up to the sync wait; meanwhile the order is SENT and the provider busy
        var posted = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return paygate.postOrder(order("forged-dispatch", "10.00", "EUR", "tok_1")).statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> "SENT".equals(paygate.statusOf("forged-dispatch")));
        String reference = json(paygate.get("/api/orders/forged-dispatch").body()).path("reference").asText();

        try (Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = s.createProducer(s.createQueue("paygate.orders"));
            producer.send(s.createTextMessage("{\"reference\":\"" + reference + "\"}"));
            producer.send(s.createTextMessage("{\"reference\":\"" + reference + "\"}"));

            JsonNode order = finalState("forged-dispatch");
            assertThat(order.path("status").asText()).isEqualTo("APPROVED");
            // positive signal: both forged messages were consumed (and dropped as duplicates)
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                QueueBrowser browser = s.createBrowser(s.createQueue("paygate.orders"));
                try {
                    return !browser.getEnumeration().hasMoreElements();
                } finally {
                    browser.close();
                }
            });
        }
        assertThat(posted.get()).isIn(200, 202);
        acme.verify(1, postRequestedFor(urlEqualTo("/acme/payments")));
        assertThat(charges(reference)).isEqualTo(1);
    }
}
