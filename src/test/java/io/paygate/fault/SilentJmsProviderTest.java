package io.paygate.fault;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paygate.testing.RunningPaygate;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault suite, a JMS provider that charges and never replies (simulator token tok_hang): the
 * order is SENT until the provider's reply deadline, then UNKNOWN, then a status query on
 * provider.globex.requests learns the charge and the order is APPROVED — charged once, not twice.
 */
class SilentJmsProviderTest {

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(
            "paygate.sync-wait", "1s",
            "paygate.provider.jms.reply-deadline", "2s",
            "paygate.reconcile.period-ms", "200",
            "paygate.reconcile.schedule", "500ms 1s"));

    @Test
    void aJmsProviderThatNeverRepliesIsAskedAfterTheDeadlineAndTheOrderEndsApprovedChargedOnce() throws Exception {
        var r = paygate.postOrder(order("silent-globex", "1200", "JPY", "tok_hang"));
        assertThat(r.statusCode()).isEqualTo(202);
        String reference = json(r.body()).path("reference").asText();
        assertThat(paygate.statusOf("silent-globex")).isEqualTo("SENT");

        await().atMost(Duration.ofSeconds(20)).until(() -> "APPROVED".equals(paygate.statusOf("silent-globex")));

        assertThat(paygate.charges("globex")).containsEntry(reference, 1);
        // the path it took: past the deadline it was UNKNOWN, and a status query settled it
        // (the audit trail is written behind the order path: wait for it)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(json(paygate.get("/api/orders/silent-globex/events").body()).path("events").toString())
                        .contains("\"unknown\"").contains("\"status-query\""));
    }

    @Test
    void aJmsProviderThatNeverSawTheOrderGetsItAgainWithTheSameReference() throws Exception {
        // tok_reset_before_charge: the first request is swallowed uncharged and unanswered
        var r = paygate.postOrder(order("lost-request", "1300", "JPY", "tok_reset_before_charge"));
        String reference = json(r.body()).path("reference").asText();

        await().atMost(Duration.ofSeconds(20)).until(() -> "APPROVED".equals(paygate.statusOf("lost-request")));

        assertThat(paygate.charges("globex")).containsEntry(reference, 1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(json(paygate.get("/api/orders/lost-request/events").body()).path("events").toString())
                        .contains("NOT_FOUND"));
        assertThat(paygate.countRows("SELECT attempts FROM orders WHERE reference = ?", reference)).isEqualTo(2);
    }
}
