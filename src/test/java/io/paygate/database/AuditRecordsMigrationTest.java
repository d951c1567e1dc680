package io.paygate.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.paygate.audit.AuditEvent;
import io.paygate.audit.AuditRecord;
import io.paygate.audit.AuditStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An audit trail written before V9 (one {@code audit_event} row per event) is moved into
 * {@code audit_record} on upgrade: nothing lost, timelines and exports read it as before, and an
 * event an earlier paygate left on {@code paygate.audit} is recognised as stored, not stored twice.
 */
class AuditRecordsMigrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-20T08:00:00.123456Z");

    @TempDir
    Path dir;

    @Test
    void eventsOfTheOldTableBecomeRecordsOnH2() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db/paygate") + ";DB_CLOSE_ON_EXIT=FALSE";
        upgrade(url, "sa", "");
    }

    @Test
    void eventsOfTheOldTableBecomeRecordsOnPostgresql() throws Exception {
        TestPostgres pg = TestPostgres.wiped();
        upgrade(pg.url(), pg.user(), pg.password());
    }

    private static void upgrade(String url, String user, String password) throws Exception {
        Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration").target("8").load()
                .migrate();
        AuditEvent queuedEarlier = oldEvent("e-2", "pg_1", 2, "sent", AT.plusMillis(5), "{\"to\":\"acme\"}");
        try (Connection c = java.sql.DriverManager.getConnection(url, user, password)) {
            insertOld(c, oldEvent("e-1", "pg_1", 1, "received", AT, "{\"note\":\"a \\\"quoted\\\" value\"}"));
            insertOld(c, queuedEarlier);
            insertOld(c, oldEvent("e-3", "pg_1", 3, "final", AT.plusMillis(9), null));
            insertOld(c, oldEvent("e-4", null, 4, "rejected", AT.plusMillis(1), "{\"field\":\"amount\"}"));
        }

        try (HikariDataSource dataSource = DatabaseSetup.open(url, user, password, 2)) {
            Database database = new Database(dataSource);
            AuditStore store = new AuditStore(database, dataSource);

            List<AuditEvent> timeline = store.timeline("demo", "pg_1");
            assertThat(timeline).extracting(AuditEvent::eventId).containsExactly("e-1", "e-2", "e-3");
            assertThat(timeline.get(0).detailJson()).isEqualTo("{\"note\":\"a \\\"quoted\\\" value\"}");
            assertThat(timeline.get(0).at()).isEqualTo(AT);
            assertThat(timeline.get(1).latencyMs()).isEqualTo(7L);
            assertThat(timeline.get(2).detailJson()).isNull();
            List<String> exported = new java.util.ArrayList<>();
            try (AuditStore.Cursor cursor = store.export(AT.minusSeconds(60), AT.plusSeconds(60), null)) {
                for (AuditEvent e = cursor.next(); e != null; e = cursor.next()) {
                    exported.add(e.eventId());
                }
            }
            assertThat(exported).containsExactly("e-1", "e-4", "e-2", "e-3");

            // the same event, still on the queue from before the upgrade, is already stored
            assertThat(store.insertNew(AuditRecord.listFromJson(JSON, queuedEarlier.toJson(JSON)))).isZero();
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.executeQuery("SELECT COUNT(*) FROM audit_event"))
                        .isInstanceOf(SQLException.class);
            }
        }
    }

    private static AuditEvent oldEvent(String id, String reference, long sequence, String step, Instant at,
                                       String detail) {
        return new AuditEvent(id, reference, reference == null ? "globex" : "demo", sequence, step, at, "n1", "api",
                "acme", reference == null ? null : 1, "ok", sequence == 2 ? 7L : null, detail);
    }

    private static void insertOld(Connection c, AuditEvent e) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_event (event_id, order_reference, merchant_id,"
                + " sequence_no, step, occurred_at, node, route_id, provider, attempt, outcome, latency_ms, detail,"
                + " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, e.eventId());
            ps.setString(2, e.reference());
            ps.setString(3, e.merchantId());
            ps.setLong(4, e.sequence());
            ps.setString(5, e.step());
            ps.setObject(6, OffsetDateTime.ofInstant(e.at(), ZoneOffset.UTC));
            ps.setString(7, e.node());
            ps.setString(8, e.routeId());
            ps.setString(9, e.provider());
            if (e.attempt() == null) {
                ps.setNull(10, Types.INTEGER);
            } else {
                ps.setInt(10, e.attempt());
            }
            ps.setString(11, e.outcome());
            if (e.latencyMs() == null) {
                ps.setNull(12, Types.BIGINT);
            } else {
                ps.setLong(12, e.latencyMs());
            }
            ps.setString(13, e.detailJson());
            ps.setObject(14, OffsetDateTime.ofInstant(e.at(), ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }
}
