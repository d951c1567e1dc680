package io.paygate.notify;

import static io.paygate.testing.RunningPaygate.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.database.Database;
import io.paygate.order.Order;
import io.paygate.order.OrderLifecycle;
import io.paygate.order.OrderStatus;
import io.paygate.testing.RunningPaygate;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The storefront is told: an order's final state is POSTed to its callbackUrl, signed with the
 * merchant's webhook secret, once — through a receiver that is down for a while, duplicate
 * provider replies, and two senders racing for the same webhook. A webhook that never gets a
 * 2xx is listed for operators and can be re-sent.
 */
class WebhookDeliveryTest {

    static final String DEMO_SECRET = "demo-webhook-secret-not-secret";
    static final String ADMIN_TOKEN = "admin-token-for-webhook-tests";

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(
            "paygate.sync-wait", "3s",
            "paygate.webhooks.poll-period", "100ms",
            // six attempts about half a second apart
            "paygate.webhooks.retry-delays", "500ms,500ms,500ms,500ms,500ms",
            // replies settled one after another, so a later reply is a marker for the earlier ones
            "paygate.replies.consumers", "1",
            "paygate.admin.token", ADMIN_TOKEN));

    static StorefrontReceiver receiver;

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = new StorefrontReceiver();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void anApprovedOrderIsPostedOnceToItsCallbackUrlSignedWithTheMerchantsSecret() throws Exception {
        HttpResponse<String> submitted = paygate.postOrder(order("wh-approved", "10.00", "EUR", "tok_visa",
                receiver.url("/hooks/approved")));
        assertThat(json(submitted.body()).path("status").asText()).isEqualTo("APPROVED");
        String reference = json(submitted.body()).path("reference").asText();

        awaitState(reference, "APPROVED", "DELIVERED");
        List<StorefrontReceiver.Received> got = receiver.requests("/hooks/approved");
        assertThat(got).hasSize(1);
        StorefrontReceiver.Received webhook = got.get(0);

        // what a storefront does: recompute the HMAC over "<t>.<raw body>" with its secret
        Map<String, String> signature = signatureParts(webhook.header("Paygate-Signature"));
        long t = Long.parseLong(signature.get("t"));
        assertThat(signature.get("v1")).isEqualTo(hmacHex(DEMO_SECRET, t + "." + webhook.body()));
        assertThat(Math.abs(Instant.now().getEpochSecond() - t)).isLessThan(60);
        assertThat(signature.get("v1")).isNotEqualTo(hmacHex("other-webhook-secret", t + "." + webhook.body()));

        assertThat(webhook.header("Paygate-Event-Id")).startsWith("evt_");
        assertThat(webhook.header("Content-Type")).startsWith("application/json");
        // the same JSON the storefront reads with GET /api/orders/{orderId}
        assertThat(json(webhook.body())).isEqualTo(json(paygate.get("/api/orders/wh-approved").body()));
        assertThat(json(webhook.body()).path("status").asText()).isEqualTo("APPROVED");
    }

    @Test
    void aReceiverAnswering503IsRetriedUntilItTakesTheWebhookThenNeverAgain() throws Exception {
        receiver.answer("/hooks/busy", 503, 503);
        String reference = submit("wh-busy", receiver.url("/hooks/busy"));

        awaitState(reference, "APPROVED", "DELIVERED");
        List<StorefrontReceiver.Received> got = receiver.requests("/hooks/busy");
        assertThat(got).hasSize(3);
        // the same event every time, so the storefront can tell a retry from a new event
        assertThat(got).extracting(r -> r.header("Paygate-Event-Id")).containsOnly(got.get(0).header("Paygate-Event-Id"));
        assertThat(paygate.countRows("SELECT attempts FROM webhook_outbox WHERE order_reference = ?", reference))
                .isEqualTo(3);
    }

    @Test
    void aReceiverThatIsDownIsReachedOnceItIsBack() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens here until the storefront comes back
        }
        String reference = submit("wh-down", "http://127.0.0.1:" + port + "/hooks/down");
        await().atMost(Duration.ofSeconds(20)).until(() -> paygate.countRows(
                "SELECT attempts FROM webhook_outbox WHERE order_reference = ?", reference) >= 2);
        assertThat(outboxRow(reference).path("lastError").asText()).contains("Connect");

        try (StorefrontReceiver back = new StorefrontReceiver(port)) {
            awaitState(reference, "APPROVED", "DELIVERED");
            assertThat(back.requests("/hooks/down")).hasSize(1);
            assertThat(json(back.requests("/hooks/down").get(0).body()).path("orderId").asText()).isEqualTo("wh-down");
        }
    }

    @Test
    void duplicateProviderRepliesStillMakeOneDelivery() throws Exception {
        paygate.simBehaviour("globex", "{\"duplicateReplies\":true}");
        String reference;
        try {
            reference = submit("wh-dup", receiver.url("/hooks/dup"), "800", "JPY");
        } finally {
            paygate.simBehaviour("globex", "{\"duplicateReplies\":false}");
        }
        awaitState(reference, "APPROVED", "DELIVERED");
        String approved = "{\"status\":\"APPROVED\",\"providerReference\":\"globex-dup\"}";
        reply(reference, approved);
        reply(reference, approved);
        // a contradicting reply after them: once it is dead-lettered, the duplicates were settled too
        reply(reference, "{\"status\":\"DECLINED\",\"providerReference\":\"globex-dup\",\"reason\":\"marker\"}");
        assertThat(deadLetter(15000)).contains("marker");

        assertThat(paygate.countRows("SELECT COUNT(*) FROM webhook_outbox WHERE order_reference = ?", reference))
                .isEqualTo(1);
        assertThat(paygate.countRows("SELECT COUNT(*) FROM webhook_outbox WHERE order_reference = ?"
                + " AND state = 'PENDING'", reference)).isZero();
        assertThat(receiver.requests("/hooks/dup")).hasSize(1);
    }

    @Test
    void theSameStateRecordedTwiceOrClaimedByTwoSendersIsStillOneWebhook() throws Exception {
        WebhookOutbox outbox = paygate.context().getRegistry().lookupByNameAndType("webhookOutbox", WebhookOutbox.class);
        OrderLifecycle lifecycle = paygate.context().getRegistry().lookupByNameAndType("orderLifecycle",
                OrderLifecycle.class);
        paygate.context().getRouteController().stopRoute("webhook-deliveries");
        try {
            String reference = submit("wh-race", receiver.url("/hooks/race"));
            Order approved = lifecycle.store().find(reference).orElseThrow();

            // a redelivered reply on another node records APPROVED again: skipped, its transaction commits
            new Database(paygate.dataSource()).inTransaction(c -> {
                outbox.afterMove(c, OrderStatus.SENT, approved);
                return null;
            });
            assertThat(paygate.countRows("SELECT COUNT(*) FROM webhook_outbox WHERE order_reference = ?", reference))
                    .isEqualTo(1);

            // eight senders claim at once: one wins
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CyclicBarrier start = new CyclicBarrier(8);
            List<Future<List<Webhook>>> claims = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<List<Webhook>> claim = () -> {
                    start.await();
                    return outbox.claimDue(10, Duration.ofMinutes(1));
                };
                claims.add(pool.submit(claim));
            }
            long won = 0;
            for (Future<List<Webhook>> f : claims) {
                won += f.get().stream().filter(w -> w.orderReference().equals(reference)).count();
            }
            pool.shutdown();
            assertThat(won).isEqualTo(1);
        } finally {
            paygate.context().getRouteController().startRoute("webhook-deliveries");
        }
    }

    @Test
    void aWebhookThatNeverGets2xxIsListedForOperatorsAndCanBeResent() throws Exception {
        receiver.answer("/hooks/broken", 500, 500, 500, 500, 500, 500);
        String reference = submit("wh-broken", receiver.url("/hooks/broken"));
        awaitState(reference, "APPROVED", "FAILED");
        assertThat(receiver.requests("/hooks/broken")).hasSize(6);

        assertThat(admin("GET", "/api/admin/webhooks?failed", null).statusCode()).isEqualTo(404);
        HttpResponse<String> listed = admin("GET", "/api/admin/webhooks?failed", ADMIN_TOKEN);
        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode failed = null;
        for (JsonNode w : json(listed.body())) {
            if (w.path("orderReference").asText().equals(reference)) {
                failed = w;
            }
        }
        assertThat(failed).isNotNull();
        assertThat(failed.path("attempts").asInt()).isEqualTo(6);
        assertThat(failed.path("lastStatus").asInt()).isEqualTo(500);
        assertThat(failed.path("targetUrl").asText()).isEqualTo(receiver.url("/hooks/broken"));

        String id = failed.path("id").asText();
        assertThat(admin("POST", "/api/admin/webhooks/" + id + "/resend", null).statusCode()).isEqualTo(404);
        assertThat(admin("POST", "/api/admin/webhooks/evt_nope/resend", ADMIN_TOKEN).statusCode()).isEqualTo(404);
        assertThat(admin("POST", "/api/admin/webhooks/" + id + "/resend", ADMIN_TOKEN).statusCode()).isEqualTo(202);
        awaitState(reference, "APPROVED", "DELIVERED");
        assertThat(receiver.requests("/hooks/broken")).hasSize(7);
        assertThat(receiver.requests("/hooks/broken").get(6).header("Paygate-Event-Id")).isEqualTo(id);
    }

    // --- helpers -------------------------------------------------------------------------------

    static String order(String orderId, String amount, String currency, String token, String callbackUrl) throws Exception {
        ObjectNode o = (ObjectNode) json(RunningPaygate.order(orderId, amount, currency, token));
        o.put("callbackUrl", callbackUrl);
        return o.toString();
    }

    static String submit(String orderId, String callbackUrl) throws Exception {
        return submit(orderId, callbackUrl, "10.00", "EUR");
    }

    static String submit(String orderId, String callbackUrl, String amount, String currency) throws Exception {
        HttpResponse<String> r = paygate.postOrder(order(orderId, amount, currency, "tok_visa", callbackUrl));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r.body()).path("reference").asText();
    }

    static void awaitState(String reference, String orderStatus, String state) {
        await().atMost(Duration.ofSeconds(20)).until(() -> paygate.countRows("SELECT COUNT(*) FROM webhook_outbox"
                + " WHERE order_reference = ? AND order_status = ? AND state = ?", reference, orderStatus, state) == 1);
    }

    static JsonNode outboxRow(String reference) throws Exception {
        HttpResponse<String> r = admin("GET", "/api/admin/webhooks?state=PENDING", ADMIN_TOKEN);
        for (JsonNode w : json(r.body())) {
            if (w.path("orderReference").asText().equals(reference)) {
                return w;
            }
        }
        throw new AssertionError("no pending webhook for " + reference);
    }

    static HttpResponse<String> admin(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(paygate.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return paygate.send(b.build());
    }

    static Map<String, String> signatureParts(String header) {
        assertThat(header).matches("t=[0-9]+,v1=[0-9a-f]{64}");
        String[] parts = header.split(",");
        return Map.of("t", parts[0].substring(2), "v1", parts[1].substring(3));
    }

    static String hmacHex(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    static void reply(String correlationId, String body) throws Exception {
        paygate.replyAsProvider("globex", correlationId, body);
    }

    static String deadLetter(long waitMs) throws Exception {
        try (Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue("paygate.dlq"));
            var m = consumer.receive(waitMs);
            return m instanceof TextMessage t ? t.getText() : null;
        }
    }
}
