package io.paygate.database;

import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paygate.testing.RunningPaygate;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database really goes away (paygate talks to an H2 TCP server that is shut down): POST
 * answers 503 + Retry-After, health names the database, and the storefront's retry with the
 * same key after the database is back makes exactly one order and one charge.
 */
class DatabaseOutageTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path dbDir;

    @Test
    void databaseDownMeans503ThenTheRetryWithTheSameKeyMakesOneOrder() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Server db = startDb(port);
        String body = order("db-outage-1", "15.00", "EUR", "tok_visa");
        Map<String, String> key = Map.of("Idempotency-Key", "db-retry-1");

        try (RunningPaygate paygate = RunningPaygate.start(dataDir,
                Map.of("paygate.db.url", "jdbc:h2:tcp://127.0.0.1:" + port + "/paygate"))) {
            assertThat(paygate.postOrder(order("db-before", "1.00", "EUR", "tok_visa")).statusCode()).isEqualTo(200);

            db.stop();
            try {
                HttpResponse<String> refused = paygate.postOrder(body, RunningPaygate.DEMO_KEY, key);
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                assertThat(refused.body()).doesNotContain("Exception").doesNotContain("jdbc");
                HttpResponse<String> health = paygate.get("/observe/health", null);
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("database unreachable");
            } finally {
                db = startDb(port);
            }

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> paygate.get("/observe/health", null).statusCode() == 200);
            HttpResponse<String> retried = paygate.postOrder(body, RunningPaygate.DEMO_KEY, key);
            assertThat(retried.statusCode()).isEqualTo(200);
            assertThat(paygate.statusOf("db-outage-1")).isEqualTo("APPROVED");
            assertThat(paygate.countRows("SELECT COUNT(*) FROM orders WHERE order_id = ?", "db-outage-1")).isEqualTo(1);
            assertThat(paygate.totalCharges("acme")).isEqualTo(2); // db-before and db-outage-1, once each
        } finally {
            db.stop();
        }
    }

    private Server startDb(int port) throws Exception {
        return Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists",
                "-baseDir", dbDir.toString()).start();
    }
}
