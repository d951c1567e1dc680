package io.paygate.order;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paygate.testing.RunningPaygate;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** paygate stopped and started again on the same data dir: nothing it accepted is lost. */
class RestartTest {

    @TempDir
    Path dataDir;

    @Test
    void settledOrdersSurviveAndQueuedOrdersAreProcessedAfterRestart() throws Exception {
        String settledId = "restart-settled";
        String queuedId = "restart-queued";
        String queuedReference;

        try (RunningPaygate first = RunningPaygate.start(dataDir, Map.of("paygate.sync-wait", "1s"))) {
            HttpResponse<String> settled = first.postOrder(order(settledId, "10.00", "EUR", "tok_visa"));
            assertThat(json(settled.body()).path("status").asText()).isEqualTo("APPROVED");

            // Nothing dispatches: the order is accepted (committed) but no attempt is made.
            first.stopDispatching();
            HttpResponse<String> queued = first.postOrder(order(queuedId, "11.00", "EUR", "tok_visa"));
            assertThat(queued.statusCode()).isEqualTo(202);
            assertThat(json(queued.body()).path("status").asText()).isEqualTo("RECEIVED");
            queuedReference = json(queued.body()).path("reference").asText();
            assertThat(first.totalCharges("acme")).isEqualTo(1);
        }

        try (RunningPaygate second = RunningPaygate.start(dataDir, Map.of(
                "paygate.sweeper.period-ms", "500", "paygate.sweeper.received-age", "2s"))) {
            assertThat(second.statusOf(settledId)).isEqualTo("APPROVED");
            await().atMost(Duration.ofSeconds(20)).until(() -> "APPROVED".equals(second.statusOf(queuedId)));
            assertThat(second.charges("acme")).containsEntry(queuedReference, 1);
        }
    }

    @Test
    void anOrderCommittedButNeverQueuedIsQueuedByTheSweeper() throws Exception {
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of(
                "paygate.sweeper.period-ms", "500", "paygate.sweeper.received-age", "2s"))) {
            // What a crash between the commit and the send to paygate.orders leaves behind.
            try (var c = paygate.dataSource().getConnection(); var ps = c.prepareStatement(
                    "INSERT INTO orders (reference, merchant_id, order_id, amount, currency, payment_type, payment_token,"
                            + " status, attempts, created_at, updated_at) VALUES (?, 'demo', 'stranded', '7.00', 'EUR',"
                            + " 'card_token', 'tok_visa', 'RECEIVED', 0, ?, ?)")) {
                var then = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusSeconds(5);
                ps.setString(1, "pg_stranded");
                ps.setObject(2, then);
                ps.setObject(3, then);
                ps.executeUpdate();
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> "APPROVED".equals(paygate.statusOf("stranded")));
            assertThat(paygate.charges("acme")).containsEntry("pg_stranded", 1);
        }
    }
}
