package io.paygate.notify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.paygate.testing.RunningPaygate.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.paygate.testing.RunningPaygate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail tells the whole story of an order that went through a retry, a failover and a
 * webhook retry, step by step in the order it happened, as the merchant reads it.
 */
class OrderTimelineTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path routesDir;

    static final String APPROVED = "{\"status\":\"APPROVED\",\"providerReference\":\"x\",\"reason\":null}";

    @Test
    void retryFailoverAndWebhookRetryAreOnTheTimelineInOrder() throws Exception {
        WireMockServer acme = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        WireMockServer initech = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        acme.start();
        initech.start();
        // acme: busy twice (not processed), then approves; initech: busy once, then approves
        acme.stubFor(post(urlEqualTo("/payments")).inScenario("a").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("busy-again"));
        acme.stubFor(post(urlEqualTo("/payments")).inScenario("a").whenScenarioStateIs("busy-again")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        acme.stubFor(post(urlEqualTo("/payments")).inScenario("a").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody(APPROVED)));
        initech.stubFor(post(urlEqualTo("/payments")).willReturn(aResponse().withStatus(200).withBody(APPROVED)));
        io.paygate.testing.TestRoutes.withHttpProvider(routesDir, "initech", initech.baseUrl());
        try (StorefrontReceiver storefront = new StorefrontReceiver();
             RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of(
                     "paygate.routes.dir", routesDir.toString(),
                     "paygate.provider.acme.url", acme.baseUrl(),
                     "paygate.routing.default-provider", "acme,initech",
                     "paygate.dispatch.retry-delay", "200ms",
                     "paygate.webhooks.retry-delays", "300ms,300ms",
                     "paygate.webhooks.poll-period", "200ms",
                     "paygate.audit.writer-period-ms", "100"))) {
            storefront.answer("/hooks/t1", 503);
            storefront.answer("/hooks/t2", 503);

            // 1. the storefront asked for acme: busy, so retried later at acme, then approved
            String retried = "{\"orderId\":\"tl-retry\",\"amount\":\"5.00\",\"currency\":\"EUR\",\"provider\":\"acme\","
                    + "\"callbackUrl\":\"" + storefront.url("/hooks/t1") + "\","
                    + "\"paymentMethod\":{\"type\":\"card_token\",\"token\":\"tok_1\"}}";
            assertThat(paygate.postOrder(retried).statusCode()).isIn(200, 202);
            // 2. routing's candidates: acme busy again, so failover to initech, approved there
            String failedOver = "{\"orderId\":\"tl-failover\",\"amount\":\"6.00\",\"currency\":\"EUR\","
                    + "\"callbackUrl\":\"" + storefront.url("/hooks/t2") + "\","
                    + "\"paymentMethod\":{\"type\":\"card_token\",\"token\":\"tok_2\"}}";

            await().atMost(Duration.ofSeconds(20)).until(() -> "APPROVED".equals(paygate.statusOf("tl-retry")));
            acme.resetScenarios(); // busy again for the next order
            assertThat(paygate.postOrder(failedOver).statusCode()).isIn(200, 202);
            await().atMost(Duration.ofSeconds(20)).until(() -> "APPROVED".equals(paygate.statusOf("tl-failover")));

            List<String> retrySteps = awaitSteps(paygate, "tl-retry", "webhook-attempt", 2);
            assertThat(retrySteps).containsSubsequence("received", "stored", "routed", "sent", "provider-answer",
                    "retry-scheduled", "routed", "sent", "provider-answer", "final", "webhook-attempt", "webhook-attempt");
            List<String> failoverSteps = awaitSteps(paygate, "tl-failover", "webhook-attempt", 2);
            assertThat(failoverSteps).containsSubsequence("received", "stored", "routed", "sent", "provider-answer",
                    "failover", "routed", "sent", "provider-answer", "final", "webhook-attempt", "webhook-attempt");
            // the failover's second attempt went to initech
            JsonNode events = json(paygate.get("/api/orders/tl-failover/events").body()).path("events");
            List<String> routedTo = new ArrayList<>();
            events.forEach(e -> {
                if (e.path("step").asText().equals("routed")) {
                    routedTo.add(e.path("provider").asText());
                }
            });
            assertThat(routedTo).containsExactly("acme", "initech");
            assertThat(storefront.requests("/hooks/t2")).hasSize(2);
        } finally {
            acme.stop();
            initech.stop();
        }
    }

    /** The steps of the order's timeline, once {@code step} appears {@code times} times. */
    private static List<String> awaitSteps(RunningPaygate paygate, String orderId, String step, int times) {
        List<String> steps = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            steps.clear();
            json(paygate.get("/api/orders/" + orderId + "/events").body()).path("events")
                    .forEach(e -> steps.add(e.path("step").asText()));
            return steps.stream().filter(step::equals).count() >= times;
        });
        return steps;
    }

}
