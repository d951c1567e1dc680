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
 * The broker really stops (the embedded BrokerService is shut down). The committed order row is
 * the durable hand-off, so paygate still takes orders: one for an HTTP provider is answered and
 * charged as usual; one for the JMS provider cannot be sent, is answered 202 (never lost, never a
 * 5xx for a stored order), and once the broker is back reconciliation asks globex, hears "never
 * seen", sends it again and it is charged exactly once. A retry with the same key finds the same order.
 */
class BrokerOutageTest {

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(
            "paygate.sweeper.period-ms", "500",
            "paygate.sweeper.received-age", "2s",
            // the send to globex fails after the attempt was claimed: reconciliation asks sooner
            "paygate.provider.jms.reply-deadline", "3s",
            "paygate.reconcile.check-lease", "2s"));

    @Test
    void ordersTakenWhileTheBrokerIsDownAreAnsweredAndChargedOnce() throws Exception {
        String httpOrder = order("outage-http", "42.00", "EUR", "tok_visa");
        String jmsOrder = order("outage-jms", "4200", "JPY", "tok_visa");
        Map<String, String> jmsKey = Map.of("Idempotency-Key", "outage-jms-key");

        paygate.broker().stop();
        try {
            HttpResponse<String> viaHttp = paygate.postOrder(httpOrder, RunningPaygate.DEMO_KEY, Map.of());
            assertThat(viaHttp.statusCode()).isEqualTo(200);
            assertThat(json(viaHttp.body()).path("status").asText()).isEqualTo("APPROVED");

            HttpResponse<String> viaJms = paygate.postOrder(jmsOrder, RunningPaygate.DEMO_KEY, jmsKey);
            assertThat(viaJms.statusCode()).isEqualTo(202);
            assertThat(viaJms.headers().firstValue("Location")).hasValue("/api/orders/outage-jms");
            assertThat(paygate.statusOf("outage-jms")).isIn("RECEIVED", "SENT", "UNKNOWN"); // open, not lost

            HttpResponse<String> health = paygate.get("/observe/health", null);
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("DOWN").contains("broker unreachable");
        } finally {
            paygate.broker().start();
        }

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> "APPROVED".equals(paygate.statusOf("outage-jms")));
        HttpResponse<String> retried = paygate.postOrder(jmsOrder, RunningPaygate.DEMO_KEY, jmsKey);
        assertThat(retried.statusCode()).isIn(200, 202);
        assertThat(json(retried.body()).path("orderId").asText()).isEqualTo("outage-jms");

        for (String orderId : new String[] {"outage-http", "outage-jms"}) {
            assertThat(paygate.countRows("SELECT COUNT(*) FROM orders WHERE order_id = ?", orderId)).isEqualTo(1);
        }
        String httpReference = json(paygate.get("/api/orders/outage-http").body()).path("reference").asText();
        String jmsReference = json(paygate.get("/api/orders/outage-jms").body()).path("reference").asText();
        assertThat(paygate.charges("acme")).containsEntry(httpReference, 1);
        assertThat(paygate.totalCharges("acme")).isEqualTo(1);
        assertThat(paygate.charges("globex")).containsEntry(jmsReference, 1);
        assertThat(paygate.totalCharges("globex")).isEqualTo(1);
    }
}
