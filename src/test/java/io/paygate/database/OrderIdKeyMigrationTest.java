package io.paygate.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.paygate.order.IdempotencyKeys;
import io.paygate.order.IdempotencyRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V7 moves orderId keys onto their orders: a database written before it (keys for orderIds and
 * keys merchants sent, one answered with a 202) still replays both after the upgrade, and
 * idempotency_keys keeps only the keys merchants sent. On H2 and on PostgreSQL (when
 * PAYGATE_TEST_PG_URL names a database it may wipe; .ci/run starts one).
 */
class OrderIdKeyMigrationTest {

    private static final String ANSWER_202 = "{\"status\":\"SENT\"}";

    @TempDir
    Path dir;

    @Test
    void keysWrittenBeforeV7StillReplayOnH2() throws Exception {
        try (HikariDataSource dataSource = pool("jdbc:h2:file:" + dir.resolve("db/paygate") + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "")) {
            upgradeAndReplay(dataSource);
        }
    }

    @Test
    void keysWrittenBeforeV7StillReplayOnPostgresql() throws Exception {
        TestPostgres pg = TestPostgres.wiped();
        try (HikariDataSource dataSource = pool(pg.url(), pg.user(), pg.password())) {
            upgradeAndReplay(dataSource);
        }
    }

    private void upgradeAndReplay(HikariDataSource dataSource) throws Exception {
        migrate(dataSource, "6");
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5);
        try (Connection c = dataSource.getConnection()) {
            // as the code before V7 stored them: every order with a key row
            order(c, "pg_a", "ord-a", at);
            key(c, "ord-a", "fp-a", "pg_a", 202, ANSWER_202, at);   // no header: the orderId was the key
            order(c, "pg_b", "ord-b", at);
            key(c, "k-b", "fp-b", "pg_b", null, null, at);            // the merchant sent Idempotency-Key: k-b
        }

        migrate(dataSource, null);

        IdempotencyKeys keys = new IdempotencyKeys(new Database(dataSource), Duration.ofDays(1));
        IdempotencyRecord byOrderId = keys.find(IdempotencyRecord.forRequest("demo", null, "ord-a", "fp-a", "pg_new", at))
                .orElseThrow();
        assertThat(byOrderId.ownKey()).isFalse();
        assertThat(byOrderId.fingerprint()).isEqualTo("fp-a");
        assertThat(byOrderId.orderReference()).isEqualTo("pg_a");
        assertThat(byOrderId.responseStatus()).isEqualTo(202);
        assertThat(byOrderId.responseBody()).isEqualTo(ANSWER_202);

        IdempotencyRecord byHeader = keys.find(IdempotencyRecord.forRequest("demo", "k-b", "ord-b", "fp-b", "pg_new", at))
                .orElseThrow();
        assertThat(byHeader.ownKey()).isTrue();
        assertThat(byHeader.fingerprint()).isEqualTo("fp-b");
        assertThat(byHeader.orderReference()).isEqualTo("pg_b");
        assertThat(byHeader.answered()).isFalse();
        // the order keyed by a header carries no orderId key: its orderId is not a replay
        assertThat(keys.find(IdempotencyRecord.forRequest("demo", null, "ord-b", "fp-b", "pg_new", at))).isEmpty();

        assertThat(PurgeTest.column(dataSource, "SELECT idem_key FROM idempotency_keys")).containsExactly("k-b");
    }

    private static void order(Connection c, String reference, String orderId, OffsetDateTime at) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (reference, merchant_id, order_id, amount,"
                + " currency, payment_type, payment_token, status, attempts, created_at, updated_at)"
                + " VALUES (?, 'demo', ?, '10.00', 'EUR', 'card_token', 'tok_visa', 'APPROVED', 1, ?, ?)")) {
            ps.setString(1, reference);
            ps.setString(2, orderId);
            ps.setObject(3, at);
            ps.setObject(4, at);
            ps.executeUpdate();
        }
    }

    private static void key(Connection c, String key, String fingerprint, String reference, Integer status, String body,
                            OffsetDateTime at) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO idempotency_keys (merchant_id, idem_key, fingerprint,"
                + " order_reference, response_status, response_body, created_at) VALUES ('demo', ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, fingerprint);
            ps.setString(3, reference);
            ps.setObject(4, status);
            ps.setString(5, body);
            ps.setObject(6, at);
            ps.executeUpdate();
        }
    }

    private static HikariDataSource pool(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    private static void migrate(HikariDataSource dataSource, String target) {
        var flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration");
        if (target != null) {
            flyway.target(target);
        }
        flyway.load().migrate();
    }
}
