package io.paygate.fault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.paygate.testing.RunningPaygate;
import io.paygate.testing.TestRoutes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite, isolation: a provider that takes 8 s to answer gets a flood of orders; meanwhile
 * orders for acme are answered as usual — 200 APPROVED within the sync wait, not 202 — because
 * the slow provider holds at most its call slots, never all request or dispatch threads.
 * The latencies are printed (a measurement, not an assertion).
 */
class SlowProviderIsolationTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path routesDir;

    @Test
    void aSlowProviderDoesNotDelayOrdersForTheOthers() throws Exception {
        WireMockServer slowpay = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(80));
        slowpay.start();
        slowpay.stubFor(post(urlEqualTo("/payments")).willReturn(aResponse().withStatus(200).withFixedDelay(8000)
                .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"slow\",\"reason\":null}")));
        TestRoutes.withHttpProvider(routesDir, "slowpay", slowpay.baseUrl());
        ExecutorService clients = Executors.newFixedThreadPool(40);
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of(
                "paygate.routes.dir", routesDir.toString(),
                "paygate.sync-wait", "5s"))) {
            List<Future<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String body = order("slow-" + i, "10.00", "EUR", "tok_1").replace("}}", "},\"provider\":\"slowpay\"}");
                slow.add(clients.submit(() -> paygate.postOrder(body)));
            }
            // the flood is in: every slowpay call slot (12 by default) holds an order in SENT
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> paygate.countRows(
                    "SELECT COUNT(*) FROM orders WHERE provider = 'slowpay' AND status = 'SENT'") >= 12);
            List<Long> millis = Collections.synchronizedList(new ArrayList<>());
            List<Future<HttpResponse<String>>> fast = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String body = order("fast-" + i, "10.00", "EUR", "tok_visa");
                fast.add(clients.submit(() -> {
                    long t = System.nanoTime();
                    HttpResponse<String> r = paygate.postOrder(body);
                    millis.add((System.nanoTime() - t) / 1_000_000);
                    return r;
                }));
            }
            for (Future<HttpResponse<String>> f : fast) {
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).contains("\"status\":\"APPROVED\"");
            }
            List<Long> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            System.out.printf("acme orders while slowpay is flooded: p50 %d ms, max %d ms (20 orders)%n",
                    sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
            for (Future<HttpResponse<String>> f : slow) {
                assertThat(f.get().statusCode()).isIn(200, 202);
            }
        } finally {
            clients.shutdownNow();
            slowpay.stop();
        }
    }
}
