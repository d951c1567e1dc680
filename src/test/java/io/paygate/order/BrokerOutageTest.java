package io.paygate.order;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paygate.testing.RunningPaygate;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker really stops (the embedded BrokerService is shut down): paygate cannot accept
 * durably, says so with 503 + Retry-After, stores nothing, and the storefront's retry with the
 * same key after the broker is back makes exactly one order and one charge.
 */
class BrokerOutageTest {

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of());

    @Test
    void brokerDownMeans503ThenTheRetryWithTheSameKeyMakesOneOrder() throws Exception {
        String orderId = "outage-1";
        String body = order(orderId, "42.00", "EUR", "tok_visa");
        Map<String, String> key = Map.of("Idempotency-Key", "retry-key-1");
        long ordersBefore = paygate.orderCount();

        paygate.broker().stop();
        try {
            HttpResponse<String> refused = paygate.postOrder(body, RunningPaygate.DEMO_KEY, key);

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(paygate.orderCount()).isEqualTo(ordersBefore);
            assertThat(paygate.countRows("SELECT COUNT(*) FROM idempotency_keys")).isZero();

            HttpResponse<String> health = paygate.get("/observe/health", null);
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("DOWN").contains("broker unreachable");
        } finally {
            paygate.broker().start();
        }

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> paygate.get("/observe/health", null).statusCode() == 200);
        HttpResponse<String> retried = paygate.postOrder(body, RunningPaygate.DEMO_KEY, key);
        assertThat(retried.statusCode()).isIn(200, 202);
        await().atMost(Duration.ofSeconds(30)).until(() -> "APPROVED".equals(paygate.statusOf(orderId)));

        assertThat(paygate.countRows("SELECT COUNT(*) FROM orders WHERE order_id = ?", orderId)).isEqualTo(1);
        String reference = json(paygate.get("/api/orders/" + orderId).body()).path("reference").asText();
        assertThat(paygate.charges("acme")).containsEntry(reference, 1);
        assertThat(paygate.totalCharges("acme")).isEqualTo(1);
    }
}
