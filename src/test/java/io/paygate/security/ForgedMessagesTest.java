package io.paygate.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker who can send HTTP requests, or holds a provider's broker login, tries to settle
 * orders that were never charged, to multiply or park provider calls, and to find a merchant's
 * API key on disk. Each attack is tried for real; the orders stay as they were.
 */
class ForgedMessagesTest {

    @TempDir
    static Path dataDir;
    static WireMockServer acme;
    static RunningPaygate paygate;

    @BeforeAll
    static void start() throws Exception {
        acme = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        acme.start();
        paygate = RunningPaygate.start(dataDir, Map.of(
                "paygate.provider.acme.url", acme.baseUrl() + "/acme",
                "paygate.sync-wait", "2s",
                // the victims stay UNKNOWN for the test's length: status queries come late
                "paygate.reconcile.schedule", "10m",
                // an order left RECEIVED (no attempt made) is picked up soon after dispatch resumes
                "paygate.sweeper.period-ms", "500",
                "paygate.sweeper.received-age", "2s"));
    }

    @AfterAll
    static void stop() throws Exception {
        paygate.stop();
        acme.stop();
    }

    @BeforeEach
    void reset() {
        acme.resetAll();
    }

    /** A 5000.00 EUR order that acme answered 502 for: UNKNOWN, never charged. */
    String unknownVictim(String orderId) throws Exception {
        acme.stubFor(post(urlEqualTo("/acme/payments")).willReturn(aResponse().withStatus(502)));
        paygate.postOrder(order(orderId, "5000.00", "EUR", "tok_victim"));
        await().atMost(Duration.ofSeconds(15)).until(() -> "UNKNOWN".equals(paygate.statusOf(orderId)));
        acme.resetAll();
        acme.stubFor(post(urlEqualTo("/acme/payments")).willReturn(aResponse().withStatus(200)
                .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"acme-x\",\"reason\":null}")));
        return json(paygate.get("/api/orders/" + orderId).body()).path("reference").asText();
    }

    @Test
    void jmsHeadersOnAnHttpOrderCannotSettleAnotherOrder() throws Exception {
        String victim = unknownVictim("victim-1");

        // the reproduction: a 0.01 EUR order carrying JMS headers naming the victim
        var r = paygate.postOrder(order("attacker-1", "0.01", "EUR", "tok_cheap"), RunningPaygate.DEMO_KEY, Map.of(
                "JMSCorrelationID", victim,
                "JMSReplyTo", "queue://paygate.replies",
                "JMSType", "payment"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r.body()).path("status").asText()).isEqualTo("APPROVED");

        // positive signal first: the attacker's order was answered; the replies queue is empty
        await().atMost(Duration.ofSeconds(10)).until(() -> browse("paygate.replies").isEmpty());
        JsonNode v = json(paygate.get("/api/orders/victim-1").body());
        assertThat(v.path("status").asText()).isEqualTo("UNKNOWN");
        assertThat(v.path("providerReference").isNull()).isTrue();
    }

    @Test
    void paygatesConsumersAnswerNobodyOnAQueueTheSenderNames() throws Exception {
        acme.stubFor(post(urlEqualTo("/acme/payments")).willReturn(aResponse().withStatus(200)
                .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"acme-r\",\"reason\":null}")));
        paygate.postOrder(order("reply-to-me", "10.00", "EUR", "tok_1"));
        String reference = json(paygate.get("/api/orders/reply-to-me").body()).path("reference").asText();

        try (Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage m = s.createTextMessage("{\"reference\":\"" + reference + "\"}");
            m.setJMSReplyTo(s.createQueue("attacker.inbox"));
            s.createProducer(s.createQueue("paygate.orders")).send(m);
        }
        // positive signal: the message was consumed; then nothing may have been sent to the named queue
        await().atMost(Duration.ofSeconds(10)).until(() -> browse("paygate.orders").isEmpty());
        assertThat(browse("attacker.inbox")).isEmpty();
    }

    @Test
    void scheduledDeliveryHeadersFromAClientAreNotObeyed() throws Exception {
        acme.stubFor(post(urlEqualTo("/acme/payments")).willReturn(aResponse().withStatus(200)
                .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"acme-y\",\"reason\":null}")));

        var r = paygate.postOrder(order("repeat-me", "10.00", "EUR", "tok_1"), RunningPaygate.DEMO_KEY, Map.of(
                "AMQ_SCHEDULED_REPEAT", "3",
                "AMQ_SCHEDULED_PERIOD", "100",
                "AMQ_SCHEDULED_DELAY", "3600000"));

        // not parked for an hour (the broker would hold the message before any repeat): answered
        // within the sync wait, and acme called once
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r.body()).path("status").asText()).isEqualTo("APPROVED");
        acme.verify(1, postRequestedFor(urlEqualTo("/acme/payments")));
    }

    @Test
    void theMerchantsApiKeyIsNowhereUnderTheDataDir() throws Exception {
        acme.stubFor(post(urlEqualTo("/acme/payments")).willReturn(aResponse().withStatus(200)
                .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"acme-z\",\"reason\":null}")));
        paygate.postOrder(order("key-on-disk", "10.00", "EUR", "tok_1"));
        assertThat(paygate.statusOf("key-on-disk")).isEqualTo("APPROVED");

        byte[] key = RunningPaygate.DEMO_KEY.getBytes();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(indexOf(Files.readAllBytes(f), key)).as("API key in %s", f).isEqualTo(-1);
            }
        }
    }

    @Test
    void aReplyForAnHttpProvidersOrderIsDeadLetteredAndChangesNothing() throws Exception {
        String victim = unknownVictim("victim-http");

        Map<String, String> dead = sendReplyAsGlobex(victim, approved(null, null));

        assertThat(dead.get("reason")).contains("not sent to globex");
        assertThat(paygate.statusOf("victim-http")).isEqualTo("UNKNOWN");
    }

    @Test
    void aReplyForAnOrderNeverSentIsDeadLetteredAndChangesNothing() throws Exception {
        // dispatch is stopped, so the order stays RECEIVED
        paygate.stopDispatching();
        try {
            var r = paygate.postOrder(order("still-received", "800", "JPY", "tok_1"));
            assertThat(r.statusCode()).isEqualTo(202);
            String reference = json(r.body()).path("reference").asText();

            Map<String, String> dead = sendReplyAsGlobex(reference, approved(null, null));

            assertThat(dead.get("reason")).contains(reference);
            assertThat(paygate.statusOf("still-received")).isEqualTo("RECEIVED");
        } finally {
            paygate.startDispatching();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> "APPROVED".equals(paygate.statusOf("still-received")));
        assertThat(paygate.totalCharges("globex")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aReplyWithAnotherAmountIsDeadLetteredAndChangesNothing() throws Exception {
        paygate.simBehaviour("globex", "{\"latencyMs\":60000}");
        try {
            var r = paygate.postOrder(order("amount-forged", "900", "JPY", "tok_1"));
            String reference = json(r.body()).path("reference").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> "SENT".equals(paygate.statusOf("amount-forged")));

            Map<String, String> dead = sendReplyAsGlobex(reference, approved("1", "JPY"));

            assertThat(dead.get("reason")).contains("another amount");
            assertThat(paygate.statusOf("amount-forged")).isEqualTo("SENT");
        } finally {
            paygate.simBehaviour("globex", "{\"latencyMs\":0}");
        }
    }

    @Test
    void aClientWithoutCredentialsAndAProviderWritingToTheOrderQueueAreRefused() throws Exception {
        assertThat(catchRefusal(() -> {
            try (Connection c = paygate.brokerClient(null, null).createConnection()) {
                c.start();
                c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            }
        })).isTrue();
        long before = browse("paygate.orders").size();
        assertThat(catchRefusal(() -> {
            try (Connection c = paygate.providerClient("globex").createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                s.createProducer(s.createQueue("paygate.orders")).send(s.createTextMessage("{\"reference\":\"x\"}"));
            }
        })).isTrue();
        assertThat(browse("paygate.orders")).hasSize((int) before);
    }

    private static boolean catchRefusal(ThrowingRunnable r) {
        try {
            r.run();
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static String approved(String amount, String currency) {
        return "{\"status\":\"APPROVED\",\"providerReference\":\"forged\",\"reason\":null"
                + (amount == null ? "" : ",\"amount\":\"" + amount + "\",\"currency\":\"" + currency + "\"") + "}";
    }

    /** Sends a reply as the globex provider user and returns the dead letter it became. */
    private static Map<String, String> sendReplyAsGlobex(String reference, String body) throws Exception {
        paygate.replyAsProvider("globex", reference, body);
        try (Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer dlq = s.createConsumer(s.createQueue("paygate.dlq"),
                    "JMSCorrelationID = '" + reference + "'");
            Message dead = dlq.receive(15000);
            assertThat(dead).as("dead letter for %s", reference).isNotNull();
            Map<String, String> out = new HashMap<>();
            out.put("reason", dead.getStringProperty("paygateDeadLetterReason"));
            out.put("body", ((TextMessage) dead).getText());
            return out;
        }
    }

    private static List<Message> browse(String queue) throws Exception {
        try (Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var e = s.createBrowser(s.createQueue(queue)).getEnumeration();
            List<Message> all = new java.util.ArrayList<>();
            while (e.hasMoreElements()) {
                all.add((Message) e.nextElement());
            }
            return all;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
