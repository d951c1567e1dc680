package io.paygate.audit;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.testing.RunningPaygate;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every step on the record, read back by the merchant and the operator; the order path never waits for it. */
class AuditTrailTest {

    private static final String ADMIN_TOKEN = "admin-token-for-audit-tests";

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(
            "paygate.admin.token", ADMIN_TOKEN,
            "paygate.node.name", "node-under-test"));

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    static String newOrderId() {
        return "audit-order-" + SEQUENCE.incrementAndGet();
    }

    @Test
    void anAcceptedOrderHasItsTimelineInOrderForItsMerchantOnly() throws Exception {
        String id = newOrderId();
        HttpResponse<String> r = paygate.postOrder(order(id, "12.50", "EUR", "tok_visa_timeline_4242"));
        assertThat(r.statusCode()).isEqualTo(200);
        String reference = json(r.body()).path("reference").asText();

        JsonNode timeline = await().atMost(Duration.ofSeconds(10)).until(
                () -> json(paygate.get("/api/orders/" + id + "/events").body()),
                t -> t.path("events").size() >= 2);

        assertThat(timeline.path("orderId").asText()).isEqualTo(id);
        assertThat(timeline.path("reference").asText()).isEqualTo(reference);
        List<String> steps = new ArrayList<>();
        long lastSequence = Long.MIN_VALUE;
        for (JsonNode e : timeline.path("events")) {
            steps.add(e.path("step").asText());
            assertThat(e.path("sequence").asLong()).isGreaterThan(lastSequence);
            lastSequence = e.path("sequence").asLong();
            assertThat(e.path("node").asText()).isEqualTo("node-under-test");
            assertThat(e.path("eventId").asText()).hasSize(36);
        }
        assertThat(steps.subList(0, 2)).containsExactly("received", "stored");
        JsonNode received = timeline.path("events").get(0);
        assertThat(received.path("route").asText()).isEqualTo("api-submit-order");
        assertThat(received.path("detail").path("orderId").asText()).isEqualTo(id);
        assertThat(received.path("detail").path("paymentMethod").path("token").asText()).isEqualTo("****4242");
        assertThat(timeline.toString()).doesNotContain("tok_visa_timeline");

        // another merchant: exactly the answer for an order that does not exist
        HttpResponse<String> foreign = paygate.get("/api/orders/" + id + "/events", RunningPaygate.OTHER_KEY);
        HttpResponse<String> unknown = paygate.get("/api/orders/no-such-order/events", RunningPaygate.OTHER_KEY);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(withoutInstance(foreign.body())).isEqualTo(withoutInstance(unknown.body()));
        assertThat(foreign.headers().firstValue("Content-Type")).isEqualTo(unknown.headers().firstValue("Content-Type"));
        assertThat(paygate.get("/api/orders/" + id + "/events", null).statusCode()).isEqualTo(401);
        // the order itself is still read at its own path
        assertThat(json(paygate.get("/api/orders/" + id).body()).path("status").asText()).isEqualTo("APPROVED");
    }

    @Test
    void anOrderSettledByAJmsReplyEndsItsTimelineWithItsFinalStep() throws Exception {
        String id = newOrderId();
        // JPY goes to globex, the JMS provider: its answer arrives on the reply queue
        HttpResponse<String> r = paygate.postOrder(order(id, "2500", "JPY", "tok_visa"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r.body()).path("provider").asText()).isEqualTo("globex");

        JsonNode timeline = await().atMost(Duration.ofSeconds(10)).until(
                () -> json(paygate.get("/api/orders/" + id + "/events").body()),
                t -> t.toString().contains("\"step\":\"final\""));
        List<String> steps = new ArrayList<>();
        timeline.path("events").forEach(e -> steps.add(e.path("step").asText()));
        assertThat(steps).containsSubsequence("received", "stored", "sent", "provider-answer", "final")
                .containsOnlyOnce("final");
        assertThat(steps.get(steps.size() - 1)).isEqualTo("final");
        JsonNode last = timeline.path("events").get(steps.size() - 1);
        assertThat(last.path("outcome").asText()).isEqualTo("APPROVED");
        assertThat(last.path("provider").asText()).isEqualTo("globex");
    }

    @Test
    void aRejectedOrderIsOnTheRecordWithFieldPathsAndMessagesOnly() throws Exception {
        String marker = "rejected-" + SEQUENCE.incrementAndGet();
        HttpResponse<String> r = paygate.postOrder("{\"orderId\":\"" + marker + "\",\"amount\":\"abc\",\"currency\":\"EUR\","
                + "\"paymentMethod\":{\"type\":\"card_token\",\"token\":\"tok_never_recorded_77\"}}");
        assertThat(r.statusCode()).isEqualTo(400);

        String line = await().atMost(Duration.ofSeconds(10)).until(
                () -> exportLines("merchant=demo").stream().filter(l -> l.contains("\"rejected\"")
                        && l.contains("/amount")).findFirst().orElse(null), l -> l != null);
        JsonNode event = json(line);
        assertThat(event.path("merchant").asText()).isEqualTo("demo");
        assertThat(event.path("outcome").asText()).isEqualTo("invalid-request");
        assertThat(event.path("detail").path("errors").get(0).path("field").asText()).isEqualTo("/amount");
        assertThat(line).doesNotContain("tok_never_recorded").doesNotContain(marker);
    }

    @Test
    void theOperatorExportsJsonLinesForATimeWindowAndMerchant() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        String mine = newOrderId();
        assertThat(paygate.postOrder(order(mine, "3.00", "EUR", "tok_visa")).statusCode()).isEqualTo(200);
        String theirs = newOrderId();
        assertThat(paygate.postOrder(order(theirs, "4.00", "EUR", "tok_visa"), RunningPaygate.OTHER_KEY, Map.of())
                .statusCode()).isEqualTo(200);

        String window = "from=" + enc(before.toString()) + "&to=" + enc(Instant.now().plusSeconds(60).toString());
        List<String> demo = await().atMost(Duration.ofSeconds(10)).until(() -> exportLines(window + "&merchant=demo"),
                lines -> lines.stream().anyMatch(l -> l.contains(mine) && l.contains("\"received\"")));
        HttpResponse<String> raw = admin("/api/admin/audit?" + window + "&merchant=demo", ADMIN_TOKEN);
        assertThat(raw.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
        for (String line : demo) {
            JsonNode e = json(line);
            assertThat(e.path("merchant").asText()).isEqualTo("demo");
            assertThat(Instant.parse(e.path("at").asText())).isAfterOrEqualTo(before);
        }
        assertThat(String.join("\n", demo)).doesNotContain(theirs);

        List<String> past = exportLines("to=" + enc(before.minusSeconds(3600).toString()));
        assertThat(String.join("\n", past)).doesNotContain(mine);
    }

    @Test
    void badExportParametersAreNamedAndWithoutTheTokenTheExportDoesNotExist() throws Exception {
        assertProblem(admin("/api/admin/audit?from=yesterday", ADMIN_TOKEN), "from");
        assertProblem(admin("/api/admin/audit?to=2026-13-01T00:00:00Z", ADMIN_TOKEN), "to");
        assertProblem(admin("/api/admin/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", ADMIN_TOKEN), "to");
        assertProblem(admin("/api/admin/audit?merchant=" + enc("x' OR '1'='1"), ADMIN_TOKEN), "merchant");
        assertProblem(admin("/api/admin/audit?limit=5", ADMIN_TOKEN), "limit");
        assertProblem(admin("/api/admin/audit?from=2026-01-01&from=2026-01-02", ADMIN_TOKEN), "from");

        assertThat(admin("/api/admin/audit", null).statusCode()).isEqualTo(404);
        assertThat(admin("/api/admin/audit", "wrong-token").statusCode()).isEqualTo(404);
    }

    @Test
    void withTheWriterStoppedOrdersCompleteAndEveryEventArrivesOnceWhenItResumes() throws Exception {
        AuditTrail trail = paygate.context().getRegistry().lookupByNameAndType("auditTrail", AuditTrail.class);
        paygate.context().getRouteController().stopRoute("audit-writer");
        Map<String, String> references = new HashMap<>();
        try {
            long sentBefore = trail.queuedCount();
            List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = newOrderId();
                ids.add(id);
                posts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return paygate.postOrder(order(id, "9.99", "EUR", "tok_visa"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = posts.get(i).get();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(json(r.body()).path("status").asText()).isEqualTo("APPROVED");
                references.put(json(r.body()).path("reference").asText(), ids.get(i));
            }
            // every event of these orders is on the persistent queue, none in the table yet
            await().atMost(Duration.ofSeconds(10)).until(() -> trail.queuedCount() - sentBefore >= 40 && trail.pending() == 0);
            assertThat(countFor(references.keySet(), null)).isZero();
        } finally {
            paygate.context().getRouteController().startRoute("audit-writer");
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> countFor(references.keySet(), "stored") == 20);
        for (String reference : references.keySet()) {
            assertThat(stepsOf(reference)).as(reference).containsSubsequence("received", "stored")
                    .containsOnlyOnce("received", "stored");
        }
        for (String id : references.values()) {
            assertThat(paygate.statusOf(id)).isEqualTo("APPROVED");
        }
    }

    @Test
    void whileTheAuditTableIsUnavailableOrdersCompleteAndItsEventsArriveOnceWhenItIsBack() throws Exception {
        AuditTrail trail = paygate.context().getRegistry().lookupByNameAndType("auditTrail", AuditTrail.class);
        AuditWriter writer = paygate.context().getRegistry().lookupByNameAndType("auditWriter", AuditWriter.class);
        List<String> references = new ArrayList<>();
        execute("ALTER TABLE audit_record RENAME TO audit_record_away");
        try {
            long sentBefore = trail.queuedCount();
            long failedBefore = writer.failedRounds();
            for (int i = 0; i < 5; i++) {
                String id = newOrderId();
                HttpResponse<String> r = paygate.postOrder(order(id, "2.00", "EUR", "tok_visa"));
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(json(r.body()).path("status").asText()).isEqualTo("APPROVED");
                references.add(json(r.body()).path("reference").asText());
            }
            // the writer has tried (and been refused) more often than the broker's usual redelivery limit
            await().atMost(Duration.ofSeconds(20)).until(() -> trail.queuedCount() - sentBefore >= 10
                    && writer.failedRounds() - failedBefore >= 10);
        } finally {
            execute("ALTER TABLE audit_record_away RENAME TO audit_record");
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> countFor(references, "stored") == 5);
        for (String reference : references) {
            assertThat(stepsOf(reference)).as(reference).containsOnlyOnce("received", "stored");
        }
        try (jakarta.jms.Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            jakarta.jms.Session session = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            var browser = session.createBrowser(session.createQueue("paygate.dlq"));
            for (var e = browser.getEnumeration(); e.hasMoreElements(); ) {
                String body = ((jakarta.jms.TextMessage) e.nextElement()).getText();
                references.forEach(reference -> assertThat(body).doesNotContain(reference));
            }
        }

        // and the sender writes to the table itself again (it waits a few seconds after a refusal)
        long writtenBefore = trail.writtenCount();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            paygate.postOrder(order(newOrderId(), "2.00", "EUR", "tok_visa"));
            return trail.writtenCount() > writtenBefore;
        });
    }

    @Test
    void whileTheWriterRunsEventsGoStraightToTheTableNotThroughTheBroker() throws Exception {
        AuditTrail trail = paygate.context().getRegistry().lookupByNameAndType("auditTrail", AuditTrail.class);
        long queuedBefore = trail.queuedCount();
        long writtenBefore = trail.writtenCount();
        List<String> references = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = paygate.postOrder(order(newOrderId(), "3.00", "EUR", "tok_visa"));
            assertThat(r.statusCode()).isEqualTo(200);
            references.add(json(r.body()).path("reference").asText());
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> countFor(references, "final") == 5);
        for (String reference : references) {
            assertThat(stepsOf(reference)).as(reference).containsSubsequence("received", "stored", "sent", "final")
                    .containsOnlyOnce("received", "stored", "sent", "final");
        }
        assertThat(trail.writtenCount() - writtenBefore).isGreaterThanOrEqualTo(20);
        assertThat(trail.queuedCount()).isEqualTo(queuedBefore);
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = paygate.dataSource().getConnection(); var statement = c.createStatement()) {
            statement.execute(sql);
        }
    }

    @Test
    void aRedeliveredEventIsStoredOnceAndAMessageThatIsNoEventIsDeadLettered() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        String reference = "pg_redelivered_" + SEQUENCE.incrementAndGet();
        AuditEvent twice = new AuditEvent(java.util.UUID.randomUUID().toString(), reference, "demo", 1, "sent",
                Instant.now(), "another-node", "dispatch", "acme", 1, null, null, "{}");
        AuditEvent once = new AuditEvent(java.util.UUID.randomUUID().toString(), reference, "demo", 2, "provider-answer",
                Instant.now(), "another-node", "dispatch", "acme", 1, "APPROVED", 12L, "{}");
        sendToAuditQueue(twice.toJson(mapper));
        await().atMost(Duration.ofSeconds(10)).until(() -> stepsOf(reference).size() == 1);
        // later, the same event again (a redelivery, or a sender whose commit answer was lost), in a
        // batch with another event and a message that is no event at all
        sendToAuditQueue(twice.toJson(mapper), "not an audit event", twice.toJson(mapper), once.toJson(mapper));

        await().atMost(Duration.ofSeconds(10)).until(() -> stepsOf(reference).size() >= 2);
        assertThat(stepsOf(reference)).containsExactly("sent", "provider-answer");
        try (jakarta.jms.Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            jakarta.jms.Session session = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.Message dead = session.createConsumer(session.createQueue("paygate.dlq")).receive(5000);
            assertThat(dead).isNotNull();
            assertThat(((jakarta.jms.TextMessage) dead).getText()).isEqualTo("not an audit event");
            assertThat(dead.getStringProperty("paygateDeadLetterReason")).isEqualTo("not an audit event");
        }
    }

    @Test
    void aRecordQueuedTwiceIsStoredOnce() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        String reference = "pg_record_twice_" + SEQUENCE.incrementAndGet();
        Instant at = Instant.now();
        List<AuditRecord> records = AuditRecord.pack(List.of(
                new AuditEvent(java.util.UUID.randomUUID().toString(), reference, "demo", 1, "sent", at,
                        "another-node", "dispatch", "acme", 1, null, null, "{}"),
                new AuditEvent(java.util.UUID.randomUUID().toString(), reference, "demo", 2, "provider-answer",
                        at.plusMillis(3), "another-node", "dispatch", "acme", 1, "APPROVED", 12L, "{}")));
        String message = AuditRecord.toJson(mapper, records);
        // a sender whose commit answer was lost sends its batch again: in the same writer round, and later
        sendToAuditQueue(message, message);
        await().atMost(Duration.ofSeconds(10)).until(() -> stepsOf(reference).size() >= 2);
        sendToAuditQueue(message);
        await().atMost(Duration.ofSeconds(10)).until(() -> waitingOnAuditQueue() == 0);
        assertThat(stepsOf(reference)).containsExactly("sent", "provider-answer");
    }

    private static int waitingOnAuditQueue() throws Exception {
        try (jakarta.jms.Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            jakarta.jms.Session session = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            int waiting = 0;
            for (var e = session.createBrowser(session.createQueue(AuditTrail.QUEUE)).getEnumeration(); e.hasMoreElements(); ) {
                e.nextElement();
                waiting++;
            }
            return waiting;
        }
    }

    private static void sendToAuditQueue(String... bodies) throws Exception {
        try (jakarta.jms.Connection c = paygate.brokerClient().createConnection()) {
            jakarta.jms.Session session = c.createSession(true, jakarta.jms.Session.SESSION_TRANSACTED);
            jakarta.jms.MessageProducer producer = session.createProducer(session.createQueue(AuditTrail.QUEUE));
            for (String body : bodies) {
                producer.send(session.createTextMessage(body));
            }
            session.commit();
        }
    }

    private static long countFor(Iterable<String> references, String step) throws Exception {
        long total = 0;
        for (String reference : references) {
            total += step == null ? paygate.auditEvents(reference).size() : paygate.auditSteps(reference, step);
        }
        return total;
    }

    static List<String> stepsOf(String reference) throws Exception {
        return paygate.auditEvents(reference).stream().map(AuditEvent::step).toList();
    }

    private static List<String> exportLines(String query) throws Exception {
        HttpResponse<String> r = admin("/api/admin/audit?" + query, ADMIN_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body().isEmpty() ? List.of() : List.of(r.body().split("\n"));
    }

    private static HttpResponse<String> admin(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(paygate.baseUrl() + path)).GET()
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return paygate.send(b.build());
    }

    private static void assertProblem(HttpResponse<String> r, String parameter) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(r.body()).path("errors").get(0).path("field").asText()).isEqualTo(parameter);
        assertThat(r.body()).doesNotContain("Exception");
    }

    /** A problem document names the path asked for; everything else must be the same. */
    private static JsonNode withoutInstance(String body) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) json(body);
        o.remove("instance");
        return o;
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
