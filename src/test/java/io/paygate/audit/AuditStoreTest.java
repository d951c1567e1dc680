package io.paygate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.paygate.database.Database;
import io.paygate.database.DatabaseSetup;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit table stores the steps of an order in one write as one record, and each record once,
 * keyed by its first event's time, sequence and id: a batch delivered again (the sender's retry, a
 * redelivered queue message that went through JSON) adds nothing, also for times finer than the
 * table keeps. Timelines and exports give the events back one by one, in order, as if each were
 * a row of its own.
 */
class AuditStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] STEPS = {"received", "stored", "routed", "sent", "provider-answer", "final"};

    @TempDir
    Path dir;

    @Test
    void aBatchStoredTwiceIsStoredOnceAndReadInOrder() throws Exception {
        withStore((store, dataSource) -> {
            // nanoseconds: finer than either database keeps a time
            Instant start = Instant.parse("2026-11-27T10:00:00.123456789Z");
            List<AuditEvent> batch = new ArrayList<>();
            for (int i = 0; i < STEPS.length; i++) {
                batch.add(event("pg_1", "demo", 1000 + i, STEPS[i], start.plusNanos(1_001L * i)));
            }
            List<AuditRecord> records = AuditRecord.pack(batch);
            assertThat(records).as("one order, one write: one record").hasSize(1);
            assertThat(store.insertNew(records)).isEqualTo(6);
            assertThat(rows(dataSource)).isEqualTo(1);

            // the same records after a trip through the queue's JSON
            List<AuditRecord> again = AuditRecord.listFromJson(JSON, AuditRecord.toJson(JSON, records));
            assertThat(store.insertNew(again)).isZero();
            List<AuditRecord> later = AuditRecord.pack(List.of(
                    event("pg_1", "demo", 1006, "webhook-attempt", start.plusSeconds(1))));
            List<AuditRecord> mixed = new ArrayList<>(again);
            mixed.addAll(later);
            assertThat(store.insertNew(mixed)).as("only the new record's event").isEqualTo(1);
            assertThat(rows(dataSource)).isEqualTo(2);

            List<String> timeline = store.timeline("demo", "pg_1").stream().map(AuditEvent::step).toList();
            assertThat(timeline).containsExactly("received", "stored", "routed", "sent", "provider-answer", "final",
                    "webhook-attempt");
            assertThat(store.timeline("other-merchant", "pg_1")).isEmpty();
            assertThat(exported(store, start.minusSeconds(1), start.plusSeconds(2), "demo")).isEqualTo(timeline);
        });
    }

    @Test
    void anExportMergesRecordsThatOverlapInTimeAndCutsAtTheWindow() throws Exception {
        withStore((store, dataSource) -> {
            Instant t = Instant.parse("2026-11-27T10:00:00Z");
            List<AuditEvent> events = new ArrayList<>();
            // two orders whose steps interleave: a0 b0 a1 b1 ..., 100 ms apart, and another merchant's
            for (int i = 0; i < 6; i++) {
                events.add(event("pg_a", "demo", 2 * i, "a" + i, t.plusMillis(200L * i)));
                events.add(event("pg_b", "demo", 2 * i + 1, "b" + i, t.plusMillis(200L * i + 100)));
                events.add(event("pg_c", "globex", 100 + i, "c" + i, t.plusMillis(200L * i + 50)));
            }
            List<AuditRecord> records = AuditRecord.pack(events);
            assertThat(records).hasSize(3);
            store.insertNew(records);

            assertThat(exported(store, t, t.plusSeconds(5), "demo"))
                    .containsExactly("a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4", "a5", "b5");
            // a window that starts inside the records and ends before them: from inclusive, to exclusive
            assertThat(exported(store, t.plusMillis(300), t.plusMillis(800), "demo"))
                    .containsExactly("b1", "a2", "b2", "a3", "b3");
            assertThat(exported(store, t.plusMillis(300), t.plusMillis(800), null))
                    .containsExactly("b1", "a2", "c2", "b2", "a3", "c3", "b3");
            assertThat(exported(store, t.plusSeconds(2), t.plusSeconds(3), null)).isEmpty();
        });
    }

    @Test
    void aPurgeDeletesTheRecordsWhollyBeforeTheCutAndKeepsOneThatReachesPastIt() throws Exception {
        withStore((store, dataSource) -> {
            Instant cut = Instant.parse("2026-11-27T10:00:00Z");
            store.insertNew(AuditRecord.pack(List.of(
                    event("pg_old", "demo", 1, "received", cut.minusSeconds(30)),
                    event("pg_old", "demo", 2, "final", cut.minusSeconds(30).plusMillis(40)),
                    event("pg_across", "demo", 3, "received", cut.minusMillis(300)),
                    event("pg_across", "demo", 4, "final", cut.plusMillis(200)),
                    event("pg_new", "demo", 5, "received", cut.plusSeconds(1)))));

            assertThat(store.purge(cut)).isEqualTo(1);
            assertThat(store.timeline("demo", "pg_old")).isEmpty();
            assertThat(store.timeline("demo", "pg_across")).extracting(AuditEvent::step).containsExactly("received", "final");
            assertThat(store.timeline("demo", "pg_new")).hasSize(1);
        });
    }

    @Test
    void aQueuedRecordBeyondTheLimitsIsCutAsTheSenderWouldHaveCutItAndExportsStayInOrder() throws Exception {
        withStore((store, dataSource) -> {
            Instant t = Instant.parse("2026-11-27T10:00:00Z");
            // one "record" of 20 steps over 4 s, out of order: not what a paygate sender packs
            List<String> steps = new ArrayList<>();
            for (int i = 19; i >= 0; i--) {
                steps.add(event("pg_big", "demo", i, "s" + i, t.plusMillis(200L * i)).toJson(JSON));
            }
            String message = "[{\"reference\":\"pg_big\",\"merchant\":\"demo\",\"events\":["
                    + String.join(",", steps) + "]}]";
            List<AuditRecord> read = AuditRecord.listFromJson(JSON, message);
            assertThat(read).hasSizeGreaterThan(1).allSatisfy(r -> {
                assertThat(r.size()).isLessThanOrEqualTo(AuditRecord.MAX_EVENTS);
                assertThat(Duration.between(r.first().at(), r.lastAt())).isLessThanOrEqualTo(AuditRecord.MAX_SPAN);
            });
            assertThat(AuditRecord.listFromJson(JSON, message)).as("the same every time it is read")
                    .isEqualTo(read);
            assertThat(store.insertNew(read)).isEqualTo(20);
            assertThat(store.insertNew(AuditRecord.listFromJson(JSON, message))).isZero();

            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add("s" + i);
            }
            assertThat(exported(store, t, t.plusSeconds(10), "demo")).isEqualTo(expected);
            assertThat(exported(store, t.plusMillis(2100), t.plusSeconds(10), "demo")).isEqualTo(expected.subList(11, 20));
        });
    }

    private interface StoreWork {
        void run(AuditStore store, HikariDataSource dataSource) throws Exception;
    }

    private void withStore(StoreWork work) throws Exception {
        try (HikariDataSource dataSource = DatabaseSetup.open("jdbc:h2:file:" + dir.resolve("db/paygate")
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=1000", "sa", "", 4)) {
            Database database = new Database(dataSource, Duration.ofMillis(5), false);
            try {
                work.run(new AuditStore(database, dataSource), dataSource);
            } finally {
                database.close();
            }
        }
    }

    private static AuditEvent event(String reference, String merchant, long sequence, String step, Instant at) {
        return new AuditEvent(UUID.randomUUID().toString(), reference, merchant, sequence, step, at, "n1", "r",
                "acme", 1, "ok", 3L, "{\"note\":\"a \\\"quoted\\\" value\"}");
    }

    private static List<String> exported(AuditStore store, Instant from, Instant to, String merchant) throws Exception {
        List<String> steps = new ArrayList<>();
        try (AuditStore.Cursor cursor = store.export(from, to, merchant)) {
            for (AuditEvent e = cursor.next(); e != null; e = cursor.next()) {
                steps.add(e.step());
            }
        }
        return steps;
    }

    private static long rows(HikariDataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM audit_record")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
