package io.paygate.fault;

import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paygate.testing.RunningPaygate;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault suite, broker restart mid-flow: orders for acme (HTTP) and globex (JMS) keep coming while
 * the embedded broker is stopped and started again. Storefronts retry refused submissions with
 * the same Idempotency-Key. Afterwards every order that got a 2xx is final, and every APPROVED
 * order was charged exactly once.
 */
class BrokerRestartMidFlowTest {

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(
            "paygate.sync-wait", "1s",
            "paygate.sweeper.period-ms", "1000",
            "paygate.sweeper.received-age", "2s",
            "paygate.reconcile.period-ms", "500",
            "paygate.reconcile.schedule", "1s 2s",
            "paygate.provider.jms.reply-deadline", "5s"));

    @Test
    void ordersInFlightWhileTheBrokerRestartsAreAllFinalAndChargedOnce() throws Exception {
        int orders = 60;
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < orders; i++) {
            String id = "bounce-" + i;
            String body = i % 3 == 0 ? order(id, "700", "JPY", "tok_1") : order(id, "10.00", "EUR", "tok_1");
            done.add(clients.submit(() -> {
                for (int attempt = 0; attempt < 200; attempt++) {
                    try {
                        HttpResponse<String> r = paygate.postOrder(body, RunningPaygate.DEMO_KEY,
                                Map.of("Idempotency-Key", id));
                        if (r.statusCode() == 200 || r.statusCode() == 202) {
                            accepted.add(id);
                            return null;
                        }
                    } catch (Exception e) {
                        // connection trouble: retry like a storefront
                    }
                    Thread.sleep(200);
                }
                return null;
            }));
            if (i == orders / 3) {
                paygate.broker().stop();
                Thread.sleep(1500); // the outage itself: submissions meanwhile get 503 and are retried
                paygate.broker().start();
            }
        }
        for (Future<?> f : done) {
            f.get();
        }
        clients.shutdown();
        assertThat(accepted).hasSize(orders);

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() ->
                paygate.countRows("SELECT COUNT(*) FROM orders WHERE status IN ('APPROVED','DECLINED','FAILED')") == orders);
        assertThat(paygate.countRows("SELECT COUNT(*) FROM orders")).isEqualTo(orders);
        assertThat(paygate.countRows("SELECT COUNT(*) FROM orders WHERE status = 'APPROVED'")).isEqualTo(orders);
        Map<String, Integer> charges = new java.util.HashMap<>(paygate.charges("acme"));
        paygate.charges("globex").forEach((ref, n) -> charges.merge(ref, n, Integer::sum));
        assertThat(charges).hasSize(orders);
        assertThat(charges.values()).allMatch(n -> n == 1);
    }
}
