package io.paygate.database;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.testing.RunningPaygate;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same gateway on PostgreSQL by configuration alone: Flyway migrates an empty database and
 * orders flow. Runs when PAYGATE_TEST_PG_URL names a database it may wipe (.ci/run starts one).
 */
class PostgresTest {

    @TempDir
    Path dataDir;

    @Test
    void ordersFlowOnPostgresql() throws Exception {
        TestPostgres pg = TestPostgres.wiped();
        try (RunningPaygate paygate = RunningPaygate.start(dataDir,
                Map.of("paygate.db.url", pg.url(), "paygate.db.user", pg.user(), "paygate.db.password", pg.password()))) {
            HttpResponse<String> approved = paygate.postOrder(order("pg-1", "12.50", "EUR", "tok_visa"));
            HttpResponse<String> jms = paygate.postOrder(order("pg-2", "700", "JPY", "tok_visa"));
            HttpResponse<String> replay = paygate.postOrder(order("pg-1", "12.50", "EUR", "tok_visa"));
            HttpResponse<String> reused = paygate.postOrder(order("pg-1", "99.00", "EUR", "tok_visa"));

            assertThat(json(approved.body()).path("status").asText()).isEqualTo("APPROVED");
            assertThat(json(jms.body()).path("status").asText()).isEqualTo("APPROVED");
            assertThat(replay.body()).isEqualTo(approved.body());
            assertThat(reused.statusCode()).isEqualTo(422);
            assertThat(paygate.countRows("SELECT COUNT(*) FROM orders")).isEqualTo(2);
            try (Connection c = paygate.dataSource().getConnection()) {
                assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
            }
        }
    }
}
