package io.paygate.audit;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paygate.testing.RunningPaygate;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events waiting on paygate.audit survive a restart of the whole gateway, and are stored once. */
class AuditRestartTest {

    @TempDir
    Path dataDir;

    private RunningPaygate paygate;

    @AfterEach
    void stop() throws Exception {
        if (paygate != null) {
            paygate.stop();
        }
    }

    @Test
    void eventsQueuedWhileTheWriterIsStoppedArriveOnceAfterARestart() throws Exception {
        paygate = RunningPaygate.start(dataDir, Map.of());
        AuditTrail trail = paygate.context().getRegistry().lookupByNameAndType("auditTrail", AuditTrail.class);
        paygate.context().getRouteController().stopRoute("audit-writer");

        List<String> references = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = paygate.postOrder(order("restart-audit-" + i, "5.00", "EUR", "tok_visa"));
            assertThat(r.statusCode()).isEqualTo(200);
            references.add(json(r.body()).path("reference").asText());
        }
        // all of them committed to the persistent queue, none written
        await().atMost(Duration.ofSeconds(10)).until(() -> trail.queuedCount() >= 20 && trail.pending() == 0);
        assertThat(paygate.auditEvents(null)).isEmpty();
        // and a last order whose events may still be in memory when the stop begins: a stop flushes them
        HttpResponse<String> last = paygate.postOrder(order("restart-audit-last", "5.00", "EUR", "tok_visa"));
        references.add(json(last.body()).path("reference").asText());
        paygate.stop();

        paygate = RunningPaygate.start(dataDir, Map.of());
        await().atMost(Duration.ofSeconds(15)).until(() -> stepCounts(paygate).size() == 22);

        Map<String, Long> counts = stepCounts(paygate);
        for (String reference : references) {
            assertThat(counts).containsEntry(reference + " received", 1L).containsEntry(reference + " stored", 1L);
        }
        List<AuditEvent> stored = paygate.auditEvents(null);
        assertThat(stored).extracting(AuditEvent::eventId).doesNotHaveDuplicates();
        for (int i = 0; i < 10; i++) {
            assertThat(paygate.statusOf("restart-audit-" + i)).isEqualTo("APPROVED");
        }
    }

    private static Map<String, Long> stepCounts(RunningPaygate paygate) throws Exception {
        Map<String, Long> counts = new HashMap<>();
        for (AuditEvent e : paygate.auditEvents(null)) {
            if (e.step().equals("received") || e.step().equals("stored")) {
                counts.merge(e.reference() + " " + e.step(), 1L, Long::sum);
            }
        }
        return counts;
    }
}
