package io.paygate.order;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.paygate.testing.RunningPaygate;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storefront's sync wait, now that the first attempt runs on the request's own thread: a
 * provider slower than the sync wait must not hold the answer back. The client gets 202 with the
 * status URL when the sync wait runs out, while the call goes on; that 202 is what a resubmission
 * replays; the order still ends with the provider's answer, charged once. A provider within the
 * sync wait still gets its 200.
 */
class SyncWaitTest {

    private static final int PROVIDER_MILLIS = 4_000;

    @TempDir
    static Path dataDir;
    static WireMockServer provider;
    static RunningPaygate paygate;

    @BeforeAll
    static void start() throws Exception {
        provider = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        provider.start();
        paygate = RunningPaygate.start(dataDir, Map.of(
                "paygate.provider.acme.url", provider.baseUrl() + "/acme",
                "paygate.sync-wait", "1s"));
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

    private static void providerAnswersAfter(int millis) {
        provider.stubFor(post(urlEqualTo("/acme/payments")).willReturn(aResponse().withStatus(200).withFixedDelay(millis)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"wm-slow\",\"reason\":null}")));
    }

    @Test
    void aProviderSlowerThanTheSyncWaitGets202AtTheSyncWaitWhileTheCallGoesOn() throws Exception {
        providerAnswersAfter(PROVIDER_MILLIS);
        String body = order("sync-slow-1", "10.00", "EUR", "tok_visa");

        long started = System.nanoTime();
        HttpResponse<String> first = paygate.postOrder(body);
        long answeredMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(first.headers().firstValue("Location")).contains("/api/orders/sync-slow-1");
        assertThat(json(first.body()).path("status").asText()).isEqualTo("SENT");
        // answered at the sync wait (1 s), not when the provider answered (4 s)
        assertThat(answeredMillis).as("ms until the 202").isLessThan(PROVIDER_MILLIS - 1_000);
        // the call is still going on: the provider has it, unanswered
        assertThat(provider.findAll(postRequestedFor(urlEqualTo("/acme/payments")))).hasSize(1);

        // the connection is free for the next request while the attempt goes on
        HttpResponse<String> read = paygate.get("/api/orders/sync-slow-1");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(json(read.body()).path("status").asText()).isEqualTo("SENT");

        // the 202 was recorded: a resubmission replays it, and calls nobody
        HttpResponse<String> again = paygate.postOrder(body);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(again.body()).isEqualTo(first.body());

        await().atMost(Duration.ofSeconds(15)).until(() -> "APPROVED".equals(paygate.statusOf("sync-slow-1")));
        assertThat(provider.findAll(postRequestedFor(urlEqualTo("/acme/payments")))).hasSize(1);
        assertThat(paygate.countRows("SELECT COUNT(*) FROM orders WHERE order_id = 'sync-slow-1'")).isEqualTo(1);
    }

    @Test
    void aProviderWithinTheSyncWaitGets200() throws Exception {
        providerAnswersAfter(100);
        String body = order("sync-fast-1", "10.00", "EUR", "tok_visa");

        HttpResponse<String> first = paygate.postOrder(body);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(json(first.body()).path("status").asText()).isEqualTo("APPROVED");

        HttpResponse<String> again = paygate.postOrder(body);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(provider.findAll(postRequestedFor(urlEqualTo("/acme/payments")))).hasSize(1);
    }
}
