package io.paygate.operations;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.testing.RunningPaygate;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite item 10: poison message -> DLQ -> replay after the fix -> the order completes.
 * globex (JMS) charges a yen order and replies while paygate's database is down (an H2 TCP
 * server that is really shut down): the reply cannot be settled, is retried, and lands in
 * paygate.dlq; the order is left SENT. A replay while the database is still down fails and
 * changes nothing. Once the database is back, the operator's replay settles the order:
 * APPROVED, charged once, the reply gone from the DLQ, the replay recorded.
 */
class DeadLetterReplayTest {

    static final String TOKEN = "test-admin-token-replay";

    @TempDir
    Path dataDir;
    @TempDir
    Path dbDir;

    @Test
    void aReplyDeadLetteredDuringADatabaseOutageSettlesItsOrderWhenReplayedAfterTheOutage() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Server db = startDb(port);
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of(
                "paygate.db.url", "jdbc:h2:tcp://127.0.0.1:" + port + "/paygate",
                "paygate.admin.token", TOKEN,
                "paygate.sync-wait", "1s"))) {
            Operator bob = new Operator(paygate, TOKEN, "bob");
            paygate.simBehaviour("globex", "{\"latencyMs\":2500}");

            HttpResponse<String> accepted = paygate.postOrder(order("replay-after-outage", "4200", "JPY", "tok_visa"));
            assertThat(accepted.statusCode()).isEqualTo(202);
            assertThat(json(accepted.body()).path("status").asText()).isEqualTo("SENT");
            String reference = json(accepted.body()).path("reference").asText();

            db.stop();
            try {
                // globex charges and replies; the reply cannot be settled and is dead-lettered
                JsonNode letter = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                        .until(() -> deadLetters(bob, reference), l -> l.size() == 1).get(0);
                assertThat(letter.path("route").asText()).isEqualTo("provider-replies");
                assertThat(letter.path("originalQueue").asText()).isEqualTo("paygate.replies");
                assertThat(letter.path("reason").asText()).contains("SQL");
                assertThat(paygate.charges("globex")).containsEntry(reference, 1);

                // replay before the fix: the record cannot be written, so nothing moves
                HttpResponse<String> tooEarly = bob.post("/api/admin/dlq/" + letter.path("id").asText() + "/replay",
                        "{\"reason\":\"database is back?\"}");
                assertThat(tooEarly.statusCode()).isEqualTo(503);
            } finally {
                db = startDb(port);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> paygate.get("/observe/health", null).statusCode() == 200);

            // the failed replay was rolled back whole: still one dead letter, the order still SENT
            List<JsonNode> letters = deadLetters(bob, reference);
            assertThat(letters).hasSize(1);
            assertThat(paygate.statusOf("replay-after-outage")).isEqualTo("SENT");
            String id = letters.get(0).path("id").asText();

            HttpResponse<String> replay = bob.post("/api/admin/dlq/" + id + "/replay",
                    "{\"reason\":\"database outage over\"}");

            assertThat(replay.statusCode()).isEqualTo(200);
            assertThat(json(replay.body()).path("replayedTo").asText()).isEqualTo("paygate.replies");
            await().atMost(Duration.ofSeconds(15)).until(() -> "APPROVED".equals(paygate.statusOf("replay-after-outage")));
            assertThat(paygate.charges("globex")).containsEntry(reference, 1);
            assertThat(deadLetters(bob, reference)).isEmpty();
            JsonNode actions = json(bob.get("/api/admin/actions?target=" + id).body()).path("actions");
            assertThat(actions).hasSize(1);
            assertThat(actions.get(0).path("action").asText()).isEqualTo("replayed");
            assertThat(actions.get(0).path("operator").asText()).isEqualTo("bob");
            assertThat(actions.get(0).path("reason").asText()).isEqualTo("database outage over");
        } finally {
            db.stop();
        }
    }

    /** The dead letters about this order (a reply carries the reference as its correlation id). */
    private static List<JsonNode> deadLetters(Operator operator, String reference) throws Exception {
        HttpResponse<String> r = operator.get("/api/admin/dlq?limit=1000");
        assertThat(r.statusCode()).isEqualTo(200);
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode m : json(r.body()).path("messages")) {
            if (reference.equals(m.path("correlationId").asText())) {
                found.add(m);
            }
        }
        return found;
    }

    private Server startDb(int port) throws Exception {
        return Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists",
                "-baseDir", dbDir.toString()).start();
    }
}
