package io.paygate.fault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.paygate.testing.RunningPaygate;
import io.paygate.testing.TestRoutes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider's call slots (maxConcurrentCalls) still bound its calls in flight after many orders
 * were answered: every answered call gives its slot back exactly once, so the limit neither
 * shrinks nor grows with use.
 */
class CallSlotLimitTest {

    private static final int SLOTS = 3;

    @TempDir
    Path dataDir;
    @TempDir
    Path routesDir;

    @Test
    void afterAnsweredOrdersAHangingProviderStillGetsOnlyItsSlotsWorthOfCalls() throws Exception {
        WireMockServer slowpay = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(40));
        slowpay.start();
        slowpay.stubFor(post(urlEqualTo("/payments")).willReturn(aResponse().withStatus(200)
                .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"fast\",\"reason\":null}")));
        TestRoutes.withHttpProvider(routesDir, "slowpay", slowpay.baseUrl());
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of(
                "paygate.routes.dir", routesDir.toString(),
                "paygate.provider.http.max-concurrent-calls", Integer.toString(SLOTS),
                "paygate.sync-wait", "1s"))) {
            // twice as many answered calls as there are slots
            for (int i = 0; i < 2 * SLOTS; i++) {
                var r = paygate.postOrder(slowpayOrder("done-" + i));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).contains("\"status\":\"APPROVED\"");
            }

            // now it hangs, and more orders than slots arrive at once
            slowpay.stubFor(post(urlEqualTo("/payments")).willReturn(aResponse().withStatus(200).withFixedDelay(5000)
                    .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"slow\",\"reason\":null}")));
            for (int i = 0; i < 8; i++) {
                String body = slowpayOrder("hang-" + i);
                clients.submit(() -> paygate.postOrder(body));
            }
            String inFlight = "SELECT COUNT(*) FROM orders WHERE provider = 'slowpay' AND status = 'SENT'";
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> paygate.countRows(inFlight) >= SLOTS);
            Thread.sleep(1000); // time for busy orders to retry (250 ms) and find no slot again

            // the provider's own count: only SLOTS of the hanging orders were ever called (an order that
            // found no slot was claimed for a moment and put back, never sent)
            assertThat(slowpay.countRequestsMatching(postRequestedFor(urlEqualTo("/payments")).build()).getCount())
                    .isEqualTo(2 * SLOTS + SLOTS);
        } finally {
            clients.shutdownNow();
            slowpay.stop();
        }
    }

    /**
     * An order that finds no free slot is claimed, then put back as it was: it keeps its attempt
     * budget, so with a budget of one attempt it is still charged (once) when a slot comes free,
     * and its timeline shows one "sent", not one per time it waited.
     */
    @Test
    void anOrderThatFindsNoSlotKeepsItsAttemptAndIsChargedOnceWhenOneComesFree() throws Exception {
        WireMockServer slowpay = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        slowpay.start();
        slowpay.stubFor(post(urlEqualTo("/payments")).willReturn(aResponse().withStatus(200)
                .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"fast\",\"reason\":null}")));
        slowpay.stubFor(post(urlEqualTo("/payments")).withRequestBody(containing("tok_hold")).willReturn(aResponse()
                .withStatus(200).withFixedDelay(3000)
                .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"held\",\"reason\":null}")));
        TestRoutes.withHttpProvider(routesDir, "slowpay", slowpay.baseUrl());
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of(
                "paygate.routes.dir", routesDir.toString(),
                "paygate.provider.http.max-concurrent-calls", "1",
                "paygate.dispatch.max-attempts", "1",
                "paygate.sync-wait", "15s"))) {
            var holding = clients.submit(() -> paygate.postOrder(
                    order("holds-the-slot", "10.00", "EUR", "tok_hold").replace("}}", "},\"provider\":\"slowpay\"}")));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> slowpay.countRequestsMatching(
                    postRequestedFor(urlEqualTo("/payments")).build()).getCount() == 1);

            // the only slot is taken for 3 s: this order waits, again and again, without a call
            var waiting = paygate.postOrder(slowpayOrder("waits-for-the-slot"));

            assertThat(waiting.statusCode()).as(waiting.body()).isEqualTo(200);
            assertThat(waiting.body()).contains("\"status\":\"APPROVED\"", "\"providerReference\":\"fast\"");
            assertThat(holding.get().statusCode()).isEqualTo(200);
            assertThat(slowpay.countRequestsMatching(postRequestedFor(urlEqualTo("/payments"))
                    .withRequestBody(containing("tok_1")).build()).getCount()).isEqualTo(1);
            assertThat(paygate.countRows("SELECT attempts FROM orders WHERE order_id = ?", "waits-for-the-slot"))
                    .isEqualTo(1);
            String reference = json(waiting.body()).path("reference").asText();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> paygate.auditSteps(reference, "final") == 1);
            assertThat(paygate.auditSteps(reference, "sent")).isEqualTo(1);
            assertThat(paygate.auditSteps(reference, "retry-scheduled"))
                    .as("it did wait for the slot").isPositive();
        } finally {
            clients.shutdownNow();
            slowpay.stop();
        }
    }

    private static String slowpayOrder(String orderId) {
        return order(orderId, "10.00", "EUR", "tok_1").replace("}}", "},\"provider\":\"slowpay\"}");
    }
}
