package io.paygate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.paygate.database.Database;
import io.paygate.database.DatabaseSetup;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit table stores each event once, keyed by its time, sequence and id: a batch delivered
 * again (the sender's retry, a redelivered queue message that went through JSON) adds nothing,
 * also for times finer than the table keeps; and export and timeline read them in order.
 */
class AuditStoreTest {

    @TempDir
    Path dir;

    @Test
    void aBatchStoredTwiceIsStoredOnceAndReadInOrder() throws Exception {
        try (HikariDataSource dataSource = DatabaseSetup.open("jdbc:h2:file:" + dir.resolve("db/paygate")
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=1000", "sa", "", 4)) {
            Database database = new Database(dataSource, Duration.ofMillis(5), false);
            try {
                AuditStore store = new AuditStore(database, dataSource);
                // nanoseconds: finer than either database keeps a time
                Instant start = Instant.parse("2026-11-27T10:00:00.123456789Z");
                List<AuditEvent> batch = new ArrayList<>();
                String[] steps = {"received", "stored", "routed", "sent", "provider-answer", "final"};
                for (int i = 0; i < steps.length; i++) {
                    batch.add(new AuditEvent(UUID.randomUUID().toString(), "pg_1", "demo", 1000 + i, steps[i],
                            start.plusNanos(1_001L * i), "n1", "r", "acme", 1, "ok", 3L, "{}"));
                }
                assertThat(store.insertNew(batch)).isEqualTo(6);

                ObjectMapper json = new ObjectMapper();
                List<AuditEvent> again = AuditEvent.listFromJson(json, AuditEvent.toJson(json, batch));
                List<AuditEvent> mixed = new ArrayList<>(again.subList(2, 6));
                mixed.add(new AuditEvent(UUID.randomUUID().toString(), "pg_1", "demo", 1006, "webhook-attempt",
                        start.plusSeconds(1), "n1", "r", null, null, "200", 5L, "{}"));
                assertThat(store.insertNew(mixed)).as("only the new event").isEqualTo(1);
                assertThat(store.insertNew(again)).isZero();

                List<String> timeline = store.timeline("demo", "pg_1").stream().map(AuditEvent::step).toList();
                assertThat(timeline).containsExactly("received", "stored", "routed", "sent", "provider-answer", "final",
                        "webhook-attempt");
                List<String> exported = new ArrayList<>();
                try (AuditStore.Cursor cursor = store.export(start.minusSeconds(1), start.plusSeconds(2), "demo")) {
                    for (AuditEvent e = cursor.next(); e != null; e = cursor.next()) {
                        exported.add(e.step());
                    }
                }
                assertThat(exported).isEqualTo(timeline);
            } finally {
                database.close();
            }
        }
    }
}
