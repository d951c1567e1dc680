package io.paygate.operations;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.paygate.testing.RunningPaygate;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operators intervene through /api/admin: they read and discard dead letters, list orders by
 * state and resolve an order whose outcome paygate could not learn. Only with the admin token;
 * without it the endpoints do not exist. Provider acme is a WireMock that answers 502 for
 * tok_502 (ambiguous: UNKNOWN), 503 for tok_busy (not processed: back to RECEIVED, retried a
 * minute later) and APPROVED otherwise.
 */
class OperatorEndpointsTest {

    static final String TOKEN = "test-admin-token-5f1c";

    @TempDir
    static Path dataDir;
    static WireMockServer acme;
    static RunningPaygate paygate;
    static Operator alice;

    /** Every operator endpoint, with a body where it takes one. */
    static final List<String[]> ENDPOINTS = List.of(
            new String[] {"GET", "/api/admin/dlq", null},
            new String[] {"GET", "/api/admin/dlq/ID:some-host-1-2-3:1:1:1:1", null},
            new String[] {"POST", "/api/admin/dlq/ID:some-host-1-2-3:1:1:1:1/replay", "{}"},
            new String[] {"POST", "/api/admin/dlq/ID:some-host-1-2-3:1:1:1:1/discard", "{\"reason\":\"x\"}"},
            new String[] {"GET", "/api/admin/orders?status=UNKNOWN", null},
            new String[] {"POST", "/api/admin/orders/pg_x/resolve", "{\"status\":\"APPROVED\",\"reason\":\"x\"}"},
            new String[] {"GET", "/api/admin/actions", null});

    @BeforeAll
    static void start() throws Exception {
        acme = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        acme.start();
        acme.stubFor(post(urlEqualTo("/acme/payments")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.token", equalTo("tok_502")))
                .willReturn(aResponse().withStatus(502)));
        acme.stubFor(post(urlEqualTo("/acme/payments")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.token", equalTo("tok_busy")))
                .willReturn(aResponse().withStatus(503)));
        acme.stubFor(post(urlEqualTo("/acme/payments")).atPriority(10)
                .willReturn(aResponse().withStatus(200)
                        .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"wm-1\",\"reason\":null}")));
        paygate = RunningPaygate.start(dataDir, Map.of(
                "paygate.admin.token", TOKEN,
                "paygate.provider.acme.url", acme.baseUrl() + "/acme",
                "paygate.dispatch.retry-delay", "60s",
                "paygate.sync-wait", "1s"));
        alice = new Operator(paygate, TOKEN, "alice");
    }

    @AfterAll
    static void stop() throws Exception {
        paygate.stop();
        acme.stop();
    }

    // --- access ---------------------------------------------------------------------------

    @Test
    void everyOperatorEndpointIsNotFoundWithoutTheRightToken() throws Exception {
        for (String[] e : ENDPOINTS) {
            for (Operator stranger : List.of(new Operator(paygate, null, null),
                    new Operator(paygate, "wrong-token", "mallory"),
                    new Operator(paygate, TOKEN + "x", "mallory"),
                    new Operator(paygate, "", "mallory"))) {
                HttpResponse<String> r = stranger.send(e[0], e[1], e[2]);
                assertThat(r.statusCode()).as("%s %s", e[0], e[1]).isEqualTo(404);
                assertThat(json(r.body()).path("detail").asText()).isEqualTo("no such resource");
            }
        }
        // the same requests with the token reach the endpoints (404 here only for the made-up ids)
        assertThat(alice.get("/api/admin/dlq").statusCode()).isEqualTo(200);
        assertThat(alice.get("/api/admin/orders?status=UNKNOWN").statusCode()).isEqualTo(200);
        assertThat(alice.get("/api/admin/actions").statusCode()).isEqualTo(200);
        assertThat(paygate.countRows("SELECT COUNT(*) FROM operator_actions WHERE operator_name = 'mallory'")).isZero();
    }

    @Test
    void withoutAConfiguredTokenTheOperatorEndpointsDoNotExist(@TempDir Path otherDir) throws Exception {
        try (RunningPaygate closed = RunningPaygate.start(otherDir, Map.of())) {
            for (String[] e : ENDPOINTS) {
                for (String token : new String[] {null, "", TOKEN}) {
                    HttpResponse<String> r = new Operator(closed, token, "alice").send(e[0], e[1], e[2]);
                    assertThat(r.statusCode()).as("%s %s with %s", e[0], e[1], token).isEqualTo(404);
                }
            }
        }
    }

    // --- dead letters ---------------------------------------------------------------------

    @Test
    void poisonMessagesAreListedWithTheirReasonAndReadInFull() throws Exception {
        Operator.put(paygate, "paygate.replies", "<html>502 Bad Gateway</html>", "pg_poison_reply", Map.of());
        Operator.put(paygate, "paygate.orders", "{\"reference\":\"pg_nobody_ordered_this\"}", null, Map.of());

        JsonNode reply = awaitDeadLetter(m -> "pg_poison_reply".equals(m.path("correlationId").asText()));
        assertThat(reply.path("reason").asText()).isEqualTo("reply for pg_poison_reply is not a valid provider answer");
        assertThat(reply.path("route").asText()).isEqualTo("provider-replies");
        assertThat(reply.path("originalQueue").asText()).isEqualTo("paygate.replies");
        assertThat(reply.path("bodyPreview").asText()).isEqualTo("<html>502 Bad Gateway</html>");
        assertThat(reply.path("at").asText()).isNotEmpty();

        JsonNode dispatch = awaitDeadLetter(m -> m.path("bodyPreview").asText().contains("pg_nobody_ordered_this"));
        assertThat(dispatch.path("reason").asText()).isEqualTo("unknown order reference pg_nobody_ordered_this");
        assertThat(dispatch.path("route").asText()).isEqualTo("dispatch");
        assertThat(dispatch.path("originalQueue").asText()).isEqualTo("paygate.orders");

        String id = dispatch.path("id").asText();
        HttpResponse<String> one = alice.get("/api/admin/dlq/" + id);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(json(one.body()).path("body").asText()).isEqualTo("{\"reference\":\"pg_nobody_ordered_this\"}");
        assertThat(json(one.body()).path("id").asText()).isEqualTo(id);

        HttpResponse<String> unknown = alice.get("/api/admin/dlq/ID:nobody-1-1-1:1:1:1:1");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(alice.get("/api/admin/dlq/ID:x'%20OR%20'1'='1").statusCode()).isEqualTo(404);
    }

    @Test
    void discardNeedsAReasonThenRemovesTheMessageAndRecordsWhoAndWhy() throws Exception {
        Operator.put(paygate, "paygate.replies", "not json at all", "pg_discard_me", Map.of());
        String id = awaitDeadLetter(m -> "pg_discard_me".equals(m.path("correlationId").asText())).path("id").asText();
        String path = "/api/admin/dlq/" + id + "/discard";

        for (String body : List.of("{}", "{\"reason\":\"   \"}", "{\"reason\":null}", "{\"reason\":42}")) {
            HttpResponse<String> refused = alice.post(path, body);
            assertThat(refused.statusCode()).as(body).isEqualTo(400);
            assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json(refused.body()).path("errors").get(0).path("field").asText()).isEqualTo("/reason");
        }
        HttpResponse<String> typo = alice.post(path, "{\"reason\":\"dup\",\"reasn\":\"x\"}");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).contains("/reasn");
        assertThat(alice.get("/api/admin/dlq/" + id).statusCode()).as("still there after refusals").isEqualTo(200);

        HttpResponse<String> discarded = alice.post(path, "{\"reason\":\"provider test traffic, no such order\"}");
        assertThat(discarded.statusCode()).isEqualTo(200);
        assertThat(json(discarded.body()).path("operator").asText()).isEqualTo("alice");

        assertThat(alice.get("/api/admin/dlq/" + id).statusCode()).isEqualTo(404);
        assertThat(alice.post(path, "{\"reason\":\"again\"}").statusCode()).isEqualTo(404);
        JsonNode actions = json(alice.get("/api/admin/actions?target=" + id).body()).path("actions");
        assertThat(actions).hasSize(1);
        assertThat(actions.get(0).path("action").asText()).isEqualTo("discarded");
        assertThat(actions.get(0).path("operator").asText()).isEqualTo("alice");
        assertThat(actions.get(0).path("reason").asText()).isEqualTo("provider test traffic, no such order");
    }

    @Test
    void aPaymentRequestDeadLetteredByTheBrokerIsShownMaskedAndCannotBeReplayed() throws Exception {
        // What ActiveMQ would dead-letter if a JMS provider kept rolling back its request queue.
        Operator.put(paygate, "paygate.dlq",
                "{\"reference\":\"pg_request_1\",\"amount\":\"5.00\",\"currency\":\"EUR\",\"token\":\"tok_secret_42\"}",
                "pg_request_1", Map.of("paygateDeadLetterReason", "provider gave up",
                        "paygateDeadLetterQueue", "provider.globex.requests"));
        JsonNode letter = awaitDeadLetter(m -> "pg_request_1".equals(m.path("correlationId").asText()));
        assertThat(letter.path("bodyPreview").asText()).contains("(masked)").doesNotContain("tok_secret_42");
        String id = letter.path("id").asText();
        assertThat(alice.get("/api/admin/dlq/" + id).body()).doesNotContain("tok_secret_42");

        HttpResponse<String> replay = alice.post("/api/admin/dlq/" + id + "/replay", null);

        assertThat(replay.statusCode()).isEqualTo(409);
        assertThat(json(replay.body()).path("detail").asText()).contains("provider.globex.requests");
        assertThat(alice.get("/api/admin/dlq/" + id).statusCode()).as("left where it was").isEqualTo(200);
    }

    @Test
    void aDeadLetterBehindAThousandOthersCanStillBeReadAndDiscarded() throws Exception {
        // The broker only looks at the messages it has paged in when it applies a selector.
        try (Connection c = paygate.brokerClient().createConnection()) {
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer p = s.createProducer(s.createQueue("paygate.dlq"));
            for (int i = 0; i < 1200; i++) {
                p.send(s.createTextMessage("{\"reference\":\"pg_backlog_" + i + "\"}"));
            }
            TextMessage last = s.createTextMessage("{\"reference\":\"pg_deep_down\"}");
            last.setJMSCorrelationID("pg_deep_down");
            p.send(last);
            s.commit();
            String id = last.getJMSMessageID();

            assertThat(alice.get("/api/admin/dlq/" + id).statusCode()).isEqualTo(200);
            assertThat(alice.post("/api/admin/dlq/" + id + "/discard", "{\"reason\":\"test\"}").statusCode()).isEqualTo(200);
            assertThat(alice.get("/api/admin/dlq/" + id).statusCode()).isEqualTo(404);
        } finally {
            // the other tests look for their dead letters among the first thousand
            try (Connection c = paygate.brokerClient().createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageConsumer drain = s.createConsumer(s.createQueue("paygate.dlq"));
                while (drain.receive(1000) != null) {
                    // dropped
                }
            }
        }
    }

    // --- orders ---------------------------------------------------------------------------

    @Test
    void anUnknownOrderIsListedAndResolvedByAnOperatorWithWhoAndWhy() throws Exception {
        JsonNode order = settleAtAcme("op-unknown-1", "tok_502");
        assertThat(order.path("status").asText()).isEqualTo("UNKNOWN");
        String reference = order.path("reference").asText();

        JsonNode listed = entry("UNKNOWN", reference).orElseThrow();
        assertThat(listed.path("merchant").asText()).isEqualTo("demo");
        assertThat(listed.path("orderId").asText()).isEqualTo("op-unknown-1");
        assertThat(listed.path("provider").asText()).isEqualTo("acme");
        assertThat(listed.path("attempts").asInt()).isEqualTo(1);
        assertThat(listed.path("amount").asText()).isEqualTo("10.00");
        assertThat(listed.has("token") || listed.toString().contains("tok_502")).isFalse();

        String resolve = "/api/admin/orders/" + reference + "/resolve";
        HttpResponse<String> noReason = alice.post(resolve, "{\"status\":\"APPROVED\"}");
        assertThat(noReason.statusCode()).isEqualTo(400);
        assertThat(json(noReason.body()).path("errors").get(0).path("field").asText()).isEqualTo("/reason");
        HttpResponse<String> badStatus = alice.post(resolve, "{\"status\":\"FAILED\",\"reason\":\"x\"}");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(json(badStatus.body()).path("errors").get(0).path("field").asText()).isEqualTo("/status");
        assertThat(paygate.statusOf("op-unknown-1")).isEqualTo("UNKNOWN");

        HttpResponse<String> resolved = alice.post(resolve,
                "{\"status\":\"APPROVED\",\"reason\":\"acme dashboard shows the charge (ticket 7731)\"}");

        assertThat(resolved.statusCode()).isEqualTo(200);
        assertThat(json(resolved.body()).path("resolvedFrom").asText()).isEqualTo("UNKNOWN");
        assertThat(paygate.statusOf("op-unknown-1")).isEqualTo("APPROVED");
        assertThat(json(paygate.get("/api/orders/op-unknown-1").body()).path("reason").asText())
                .contains("acme dashboard shows the charge");
        assertThat(entry("UNKNOWN", reference)).isEmpty();
        acme.verify(1, postRequestedFor(urlEqualTo("/acme/payments"))
                .withRequestBody(matchingJsonPath("$.reference", equalTo(reference))));
        JsonNode actions = json(alice.get("/api/admin/actions?target=" + reference).body()).path("actions");
        assertThat(actions).hasSize(1);
        assertThat(actions.get(0).path("action").asText()).isEqualTo("resolved");
        assertThat(actions.get(0).path("operator").asText()).isEqualTo("alice");
        assertThat(actions.get(0).path("reason").asText()).isEqualTo("acme dashboard shows the charge (ticket 7731)");
        assertThat(actions.get(0).path("detail").asText()).isEqualTo("UNKNOWN -> APPROVED");
    }

    @Test
    void aSettledOrderCannotBeResolvedAndStaysAsItWas() throws Exception {
        JsonNode order = settleAtAcme("op-approved-1", "tok_visa");
        assertThat(order.path("status").asText()).isEqualTo("APPROVED");
        String reference = order.path("reference").asText();

        HttpResponse<String> r = alice.post("/api/admin/orders/" + reference + "/resolve",
                "{\"status\":\"DECLINED\",\"reason\":\"customer complained\"}");

        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(json(r.body()).path("detail").asText()).contains("APPROVED");
        JsonNode after = json(paygate.get("/api/orders/op-approved-1").body());
        assertThat(after.path("status").asText()).isEqualTo("APPROVED");
        assertThat(after.path("updatedAt").asText()).isEqualTo(order.path("updatedAt").asText());
        assertThat(paygate.countRows("SELECT COUNT(*) FROM operator_actions WHERE target = ?", reference)).isZero();
        assertThat(alice.post("/api/admin/orders/pg_no_such_order/resolve",
                "{\"status\":\"DECLINED\",\"reason\":\"x\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void anOrderStillInPaygatesHandsCannotBeResolved() throws Exception {
        // acme answered 503 (not processed): the order is RECEIVED again, its retry a minute away.
        paygate.postOrder(order("op-received-1", "10.00", "EUR", "tok_busy"));
        JsonNode waiting = await().atMost(Duration.ofSeconds(15))
                .until(() -> entry("RECEIVED", null, "op-received-1"), e -> e.isPresent() && e.get().path("attempts").asInt() == 1)
                .orElseThrow();
        String reference = waiting.path("reference").asText();

        HttpResponse<String> r = alice.post("/api/admin/orders/" + reference + "/resolve",
                "{\"status\":\"APPROVED\",\"reason\":\"impatient\"}");

        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(json(r.body()).path("detail").asText()).contains("RECEIVED");
        assertThat(paygate.statusOf("op-received-1")).isEqualTo("RECEIVED");
        assertThat(paygate.countRows("SELECT COUNT(*) FROM operator_actions WHERE target = ?", reference)).isZero();
    }

    @Test
    void theOrderListNamesWhatIsWrongWithItsParameters() throws Exception {
        for (String query : List.of("", "?status=unknown", "?status=LOST", "?status=")) {
            HttpResponse<String> r = alice.get("/api/admin/orders" + query);
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            assertThat(json(r.body()).path("errors").get(0).path("field").asText()).isEqualTo("status");
        }
        for (String limit : List.of("0", "1001", "ten", "-5")) {
            HttpResponse<String> r = alice.get("/api/admin/orders?status=APPROVED&limit=" + limit);
            assertThat(r.statusCode()).as(limit).isEqualTo(400);
            assertThat(json(r.body()).path("errors").get(0).path("field").asText()).isEqualTo("limit");
        }
        settleAtAcme("op-list-1", "tok_visa");
        settleAtAcme("op-list-2", "tok_visa");
        JsonNode one = json(alice.get("/api/admin/orders?status=APPROVED&limit=1").body());
        assertThat(one.path("orders")).hasSize(1);
        assertThat(one.path("limit").asInt()).isEqualTo(1);
        assertThat(alice.send("DELETE", "/api/admin/orders?status=APPROVED", null).statusCode()).isEqualTo(405);
    }

    // --- helpers --------------------------------------------------------------------------

    JsonNode settleAtAcme(String orderId, String token) throws Exception {
        paygate.postOrder(order(orderId, "10.00", "EUR", token));
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            String s = paygate.statusOf(orderId);
            return s != null && !s.equals("RECEIVED") && !s.equals("SENT");
        });
        return json(paygate.get("/api/orders/" + orderId).body());
    }

    JsonNode awaitDeadLetter(Predicate<JsonNode> which) {
        return await().atMost(Duration.ofSeconds(15)).until(() -> {
            for (JsonNode m : json(alice.get("/api/admin/dlq?limit=1000").body()).path("messages")) {
                if (which.test(m)) {
                    return m;
                }
            }
            return null;
        }, m -> m != null);
    }

    Optional<JsonNode> entry(String status, String reference) throws Exception {
        return entry(status, reference, null);
    }

    Optional<JsonNode> entry(String status, String reference, String orderId) throws Exception {
        HttpResponse<String> r = alice.get("/api/admin/orders?status=" + status + "&limit=1000");
        assertThat(r.statusCode()).isEqualTo(200);
        for (JsonNode o : json(r.body()).path("orders")) {
            if (o.path("reference").asText().equals(reference) || o.path("orderId").asText().equals(orderId)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }
}
