package io.paygate.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.paygate.audit.AuditStore;
import io.paygate.order.IdempotencyKeys;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The purges delete every expired row and nothing else, in short transactions (more rows than
 * one batch here), on the embedded H2 with group commit and on PostgreSQL (when
 * PAYGATE_TEST_PG_URL names a database it may wipe; .ci/run starts one).
 */
class PurgeTest {

    private static final int EXPIRED = Database.PURGE_BATCH * 2 + 345;
    private static final int KEPT = 7;

    @TempDir
    Path dir;

    @Test
    void expiredRowsGoAndRecentOnesStayOnH2() throws Exception {
        try (HikariDataSource dataSource = DatabaseSetup.open("jdbc:h2:file:" + dir.resolve("db/paygate")
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=1000", "sa", "", 10)) {
            Database database = new Database(dataSource, Duration.ofMillis(5), false);
            try {
                purgeOnlyExpired(dataSource, database);
            } finally {
                database.close();
            }
        }
    }

    @Test
    void expiredRowsGoAndRecentOnesStayOnPostgresql() throws Exception {
        TestPostgres pg = TestPostgres.wiped();
        try (HikariDataSource dataSource = DatabaseSetup.open(pg.url(), pg.user(), pg.password(), 10)) {
            purgeOnlyExpired(dataSource, new Database(dataSource));
        }
    }

    private void purgeOnlyExpired(HikariDataSource dataSource, Database database) throws Exception {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime old = now.minusDays(500);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement keys = c.prepareStatement("INSERT INTO idempotency_keys (merchant_id, idem_key,"
                    + " fingerprint, order_reference, created_at) VALUES (?, ?, 'f', ?, ?)");
                    PreparedStatement events = c.prepareStatement("INSERT INTO audit_record (first_at, first_sequence,"
                            + " first_event_id, last_at, order_reference, merchant_id, event_count, events, recorded_at)"
                            + " VALUES (?, 1, ?, ?, ?, 'acme', 1, '[]', ?)")) {
                for (int i = 0; i < EXPIRED + KEPT; i++) {
                    // a second apart: batches end at a row's time, and each batch is one of many
                    OffsetDateTime at = (i < EXPIRED ? old : now).plusSeconds(i % 1000);
                    // two merchants share key names: the composite key picks the right row
                    keys.setString(1, i % 2 == 0 ? "acme" : "globex");
                    keys.setString(2, "key-" + (i / 2));
                    keys.setString(3, "ord-" + i);
                    keys.setObject(4, at);
                    keys.addBatch();
                    events.setObject(1, at);
                    events.setString(2, "evt-" + i);
                    events.setObject(3, at);
                    events.setString(4, "ord-" + i);
                    events.setObject(5, at);
                    events.addBatch();
                }
                keys.executeBatch();
                events.executeBatch();
            }
            c.commit();
        }

        assertThat(new IdempotencyKeys(database, Duration.ofDays(1)).purgeExpired()).isEqualTo(EXPIRED);
        assertThat(new AuditStore(database, dataSource).purge(now.minusDays(400).toInstant())).isEqualTo(EXPIRED);

        List<String> expected = new ArrayList<>();
        for (int i = EXPIRED; i < EXPIRED + KEPT; i++) {
            expected.add("ord-" + i);
        }
        assertThat(column(dataSource, "SELECT order_reference FROM idempotency_keys")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(column(dataSource, "SELECT order_reference FROM audit_record")).containsExactlyInAnyOrderElementsOf(expected);
    }

    static List<String> column(HikariDataSource dataSource, String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
