package io.paygate.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The sender writes the events tapped within one write interval together: one table write for
 * many steps, one row per order (fewer, bigger writes for the database), and every event is written.
 */
class AuditWriteIntervalTest {

    /** Records each batch the sender writes instead of writing it. */
    private static final class RecordingTable extends AuditStore {
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        final List<String> ids = new CopyOnWriteArrayList<>();
        final List<Integer> rows = new CopyOnWriteArrayList<>();

        RecordingTable() {
            super(null, null);
        }

        @Override
        public int insertNew(Collection<AuditRecord> records) {
            int events = AuditRecord.eventCount(records);
            batches.add(events);
            rows.add(records.size());
            records.forEach(r -> r.events().forEach(e -> ids.add(e.eventId())));
            return events;
        }
    }

    @Test
    void theStepsOfOneIntervalShareOneWrite() throws Exception {
        RecordingTable table = new RecordingTable();
        // no broker: with the table taking every batch the queue is never needed
        AuditTrail trail = new AuditTrail(table, () -> true, null, new ObjectMapper(), 10_000, 100,
                Duration.ofSeconds(2), Duration.ofSeconds(1));
        trail.start();
        try {
            List<String> tapped = new ArrayList<>();
            tap(trail, tapped, "order-0"); // after a quiet spell: written at once
            await().atMost(Duration.ofSeconds(5)).until(() -> table.batches.size() == 1);

            // 250 steps of 50 orders within the next interval: more than one batch size, one write
            for (int order = 1; order <= 50; order++) {
                for (int step = 0; step < 5; step++) {
                    tap(trail, tapped, "order-" + order);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> table.ids.size() == tapped.size());

            assertThat(table.batches).containsExactly(1, 250);
            assertThat(table.rows).as("one row per order in each write").containsExactly(1, 50);
            // grouped by order, each order's steps in the order they were tapped
            assertThat(table.ids).containsExactlyElementsOf(tapped);
            assertThat(trail.queuedCount()).isZero();
        } finally {
            trail.stop();
        }
    }

    private static void tap(AuditTrail trail, List<String> tapped, String reference) {
        String id = UUID.randomUUID().toString();
        tapped.add(id);
        trail.publish(List.of(new AuditEvent(id, reference, "demo", tapped.size(), "sent",
                Instant.now(), "node", "dispatch", "acme", 1, null, null, "{}")));
    }
}
