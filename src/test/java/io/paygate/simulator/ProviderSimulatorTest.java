package io.paygate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ProviderSimulatorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static BrokerService broker;
    private static ActiveMQConnectionFactory connectionFactory;
    private static ProviderSimulator simulator;
    private static HttpClient http;
    private static String base;

    @BeforeAll
    static void startBrokerAndSimulator() throws Exception {
        broker = newBroker("simtest");
        broker.start();
        broker.waitUntilStarted();
        connectionFactory = new ActiveMQConnectionFactory("vm://simtest?create=false");

        // Goes through fromProperties so the property names are exercised as well.
        Map<String, String> properties = Map.of("paygate.sim.port", "0");
        simulator = new ProviderSimulator(SimulatorSettings.fromProperties(key -> Optional.ofNullable(properties.get(key))),
                connectionFactory);
        simulator.start();
        base = "http://127.0.0.1:" + simulator.port();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (simulator != null) {
            simulator.stop();
        }
        if (broker != null) {
            broker.stop();
            broker.waitUntilStopped();
        }
    }

    @BeforeEach
    void resetSimulator() throws Exception {
        assertThat(send("POST", "/sim/reset", "").statusCode()).isEqualTo(200);
        String defaults = MAPPER.writeValueAsString(ProviderBehaviour.DEFAULT);
        assertThat(send("PUT", "/sim/providers/acme", defaults).statusCode()).isEqualTo(200);
        assertThat(send("PUT", "/sim/providers/globex", defaults).statusCode()).isEqualTo(200);
    }

    @Test
    void approvedHttpPaymentIsChargedOnce() throws Exception {
        String reference = newReference();

        HttpResponse<String> response = pay(reference, "tok_visa");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = MAPPER.readTree(response.body());
        assertThat(answer.get("status").asText()).isEqualTo("APPROVED");
        assertThat(answer.get("providerReference").asText()).matches("acme_[0-9a-f]{12}");
        assertThat(answer.get("reason").isNull()).isTrue();

        JsonNode charges = MAPPER.readTree(send("GET", "/sim/charges", null).body());
        assertThat(charges.get("acme").get(reference).asInt()).isEqualTo(1);
        assertThat(charges.get("globex").isEmpty()).isTrue();
        assertThat(simulator.charges()).containsEntry("acme", Map.of(reference, 1)).containsEntry("globex", Map.of());
    }

    @Test
    void repeatedReferenceReplaysTheStoredAnswerWithoutChargingAgain() throws Exception {
        String reference = newReference();

        JsonNode first = MAPPER.readTree(pay(reference, "tok_visa").body());
        JsonNode second = MAPPER.readTree(pay(reference, "tok_visa").body());

        assertThat(second).isEqualTo(first);
        assertThat(simulator.charges().get("acme")).containsExactly(Map.entry(reference, 1));
        JsonNode requests = MAPPER.readTree(send("GET", "/sim/requests", null).body());
        assertThat(requests.get("acme").get(reference).asInt()).isEqualTo(2);
    }

    @Test
    void declineTokenIsDeclinedAndNotCharged() throws Exception {
        String reference = newReference();

        HttpResponse<String> response = pay(reference, "tok_decline_visa");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = MAPPER.readTree(response.body());
        assertThat(answer.get("status").asText()).isEqualTo("DECLINED");
        assertThat(answer.get("reason").asText()).isEqualTo("card_declined");
        assertThat(simulator.charges().get("acme")).isEmpty();
    }

    @Test
    void errorRatioSetAtRuntimeGivesServerErrorsWithoutCharges() throws Exception {
        HttpResponse<String> put = send("PUT", "/sim/providers/acme", "{\"errorRatio\": 1}");
        assertThat(put.statusCode()).isEqualTo(200);
        JsonNode behaviour = MAPPER.readTree(send("GET", "/sim/providers/acme", null).body());
        assertThat(behaviour.get("errorRatio").asDouble()).isEqualTo(1.0);
        assertThat(behaviour.get("approveRatio").asDouble()).isEqualTo(1.0); // untouched fields keep their value
        String reference = newReference();

        HttpResponse<String> response = pay(reference, "tok_visa");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(MAPPER.readTree(response.body()).get("error").asText()).isEqualTo("simulated failure");
        assertThat(simulator.charges().get("acme")).isEmpty();
        assertThat(send("GET", "/acme/payments/" + reference, null).statusCode()).isEqualTo(404);
    }

    @Test
    void invalidBehaviourIsRejected() throws Exception {
        assertThat(send("PUT", "/sim/providers/acme", "{\"errorRate\": 1}").statusCode()).isEqualTo(400);
        assertThat(send("PUT", "/sim/providers/acme", "{\"approveRatio\": 2}").statusCode()).isEqualTo(400);
        assertThat(send("PUT", "/sim/providers/nobody", "{}").statusCode()).isEqualTo(404);
        assertThat(simulator.requests()).containsKeys("acme", "globex");
    }

    @Test
    void concurrentIdenticalRequestsChargeOnce() throws Exception {
        String reference = newReference();
        HttpRequest request = paymentRequest(reference, reference, "tok_visa");

        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            inFlight.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }

        List<String> providerReferences = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> future : inFlight) {
            HttpResponse<String> response = future.get();
            assertThat(response.statusCode()).isEqualTo(200);
            providerReferences.add(MAPPER.readTree(response.body()).get("providerReference").asText());
        }
        assertThat(providerReferences).hasSize(20).containsOnly(providerReferences.get(0));
        assertThat(simulator.charges().get("acme")).containsExactly(Map.entry(reference, 1));
        assertThat(simulator.requests().get("acme")).containsExactly(Map.entry(reference, 20));
    }

    @Test
    void httpStatusQueryAnswersTheStoredAnswerOr404ForAnUnknownReference() throws Exception {
        HttpResponse<String> unknown = send("GET", "/acme/payments/" + newReference(), null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(MAPPER.readTree(unknown.body())).isEqualTo(MAPPER.readTree("{\"error\":\"unknown reference\"}"));

        String reference = newReference();
        String answer = pay(reference, "tok_visa").body();
        HttpResponse<String> status = send("GET", "/acme/payments/" + reference, null);

        assertThat(status.statusCode()).isEqualTo(200);
        JsonNode body = MAPPER.readTree(status.body());
        assertThat(body).isEqualTo(MAPPER.readTree(answer));
        assertThat(body.get("status").asText()).isEqualTo("APPROVED");
        assertThat(body.get("reference").asText()).isEqualTo(reference);
        assertThat(body.get("amount").asText()).isEqualTo("12.50");
        assertThat(body.get("currency").asText()).isEqualTo("EUR");
        assertThat(simulator.statusQueries().get("acme")).containsEntry(reference, 1);
        assertThat(simulator.charges().get("acme")).containsExactly(Map.entry(reference, 1));
    }

    @Test
    void resetAfterChargeDropsTheConnectionButTheChargeStandsAndAResendGetsTheAnswer() throws Exception {
        String reference = newReference();

        assertThatThrownBy(() -> pay(reference, "tok_reset_after_charge")).isInstanceOf(IOException.class);

        assertThat(simulator.charges().get("acme")).containsExactly(Map.entry(reference, 1));
        HttpResponse<String> status = send("GET", "/acme/payments/" + reference, null);
        assertThat(MAPPER.readTree(status.body()).get("status").asText()).isEqualTo("APPROVED");
        HttpResponse<String> resend = pay(reference, "tok_reset_after_charge");
        assertThat(resend.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(resend.body())).isEqualTo(MAPPER.readTree(status.body()));
        assertThat(simulator.charges().get("acme")).containsExactly(Map.entry(reference, 1));
    }

    @Test
    void resetBeforeChargeDropsOnlyTheFirstRequestAndChargesNothingUntilTheResend() throws Exception {
        String reference = newReference();

        assertThatThrownBy(() -> pay(reference, "tok_reset_before_charge")).isInstanceOf(IOException.class);

        assertThat(simulator.requests().get("acme")).containsExactly(Map.entry(reference, 1));
        assertThat(simulator.charges().get("acme")).isEmpty();
        assertThat(send("GET", "/acme/payments/" + reference, null).statusCode()).isEqualTo(404);
        HttpResponse<String> resend = pay(reference, "tok_reset_before_charge");
        assertThat(resend.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(resend.body()).get("status").asText()).isEqualTo("APPROVED");
        assertThat(simulator.charges().get("acme")).containsExactly(Map.entry(reference, 1));
    }

    @Test
    void protocolViolationsAreRejected() throws Exception {
        String reference = newReference();
        HttpRequest noKey = HttpRequest.newBuilder(URI.create(base + "/acme/payments"))
                .POST(HttpRequest.BodyPublishers.ofString(paymentJson(reference, "tok_visa"))).build();
        assertThat(http.send(noKey, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
        assertThat(http.send(paymentRequest("other-key", reference, "tok_visa"), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(400);
        HttpRequest badJson = HttpRequest.newBuilder(URI.create(base + "/acme/payments"))
                .header("Idempotency-Key", reference).POST(HttpRequest.BodyPublishers.ofString("{\"reference\":")).build();
        HttpResponse<String> badJsonResponse = http.send(badJson, HttpResponse.BodyHandlers.ofString());
        assertThat(badJsonResponse.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(badJsonResponse.body()).has("error")).isTrue();
        assertThat(simulator.charges().get("acme")).isEmpty();
    }

    @Test
    void slowTokenAnswersAfterItsLatency() throws Exception {
        long started = System.nanoTime();

        HttpResponse<String> response = pay(newReference(), "tok_slow_300");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(MAPPER.readTree(response.body()).get("status").asText()).isEqualTo("APPROVED");
    }

    @Test
    void hangTokenChargesButNeverAnswersAndStatusShowsTheCharge() throws Exception {
        String reference = newReference();
        HttpRequest request = HttpRequest.newBuilder(paymentRequest(reference, reference, "tok_hang"), (n, v) -> true)
                .timeout(Duration.ofMillis(700)).build();

        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);

        assertThat(simulator.charges().get("acme")).containsExactly(Map.entry(reference, 1));
        HttpResponse<String> status = send("GET", "/acme/payments/" + reference, null);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(status.body()).get("status").asText()).isEqualTo("APPROVED");
    }

    @Test
    void jmsRequestGetsCorrelatedReplyAndIsCharged() throws Exception {
        String reference = newReference();
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue replies = session.createQueue("test.replies." + reference);
            MessageConsumer consumer = session.createConsumer(replies);

            sendJmsRequest(session, reference, replies);

            Message reply = consumer.receive(10_000);
            assertThat(reply).isInstanceOf(TextMessage.class);
            assertThat(reply.getJMSCorrelationID()).isEqualTo(reference);
            JsonNode answer = MAPPER.readTree(((TextMessage) reply).getText());
            assertThat(answer.get("status").asText()).isEqualTo("APPROVED");
            assertThat(answer.get("providerReference").asText()).startsWith("globex_");
            assertThat(reply.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
        }
        assertThat(simulator.charges().get("globex")).containsExactly(Map.entry(reference, 1));
    }

    @Test
    void duplicateJmsRequestIsAnsweredFromStoreAndDuplicateRepliesAreSent() throws Exception {
        send("PUT", "/sim/providers/globex", "{\"duplicateReplies\": true}");
        String reference = newReference();
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue replies = session.createQueue("test.replies." + reference);
            MessageConsumer consumer = session.createConsumer(replies);

            sendJmsRequest(session, reference, replies);
            sendJmsRequest(session, reference, replies);

            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Message reply = consumer.receive(10_000);
                assertThat(reply).as("reply %d", i + 1).isNotNull();
                bodies.add(((TextMessage) reply).getText());
            }
            assertThat(bodies).containsOnly(bodies.get(0));
            assertThat(consumer.receive(300)).isNull();
        }
        assertThat(simulator.charges().get("globex")).containsExactly(Map.entry(reference, 1));
        assertThat(simulator.requests().get("globex")).containsExactly(Map.entry(reference, 2));
    }

    @Test
    void jmsStatusQueryIsAnsweredWithTheStoredAnswerOrNotFound() throws Exception {
        String reference = newReference();
        String unknown = newReference();
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue replies = session.createQueue("test.replies." + reference);
            MessageConsumer consumer = session.createConsumer(replies);
            sendJmsRequest(session, reference, replies);
            Message paymentReply = consumer.receive(10_000);
            assertThat(paymentReply).isNotNull();
            JsonNode answer = MAPPER.readTree(((TextMessage) paymentReply).getText());
            assertThat(answer.get("reference").asText()).isEqualTo(reference);
            assertThat(answer.get("amount").asText()).isEqualTo("12.50");
            assertThat(answer.get("currency").asText()).isEqualTo("EUR");

            sendStatusQuery(session, reference, replies);
            Message known = consumer.receive(10_000);
            sendStatusQuery(session, unknown, replies);
            Message notFound = consumer.receive(10_000);

            assertThat(known).isNotNull();
            assertThat(known.getJMSType()).isEqualTo("status");
            assertThat(known.getJMSCorrelationID()).isEqualTo(reference);
            assertThat(MAPPER.readTree(((TextMessage) known).getText())).isEqualTo(answer);
            assertThat(notFound).isNotNull();
            assertThat(notFound.getJMSType()).isEqualTo("status");
            assertThat(notFound.getJMSCorrelationID()).isEqualTo(unknown);
            assertThat(MAPPER.readTree(((TextMessage) notFound).getText()))
                    .isEqualTo(MAPPER.readTree("{\"reference\":\"" + unknown + "\",\"status\":\"NOT_FOUND\"}"));
        }
        assertThat(simulator.charges().get("globex")).containsExactly(Map.entry(reference, 1));
        assertThat(simulator.statusQueries().get("globex")).containsOnlyKeys(reference, unknown);
    }

    @Test
    void jmsHangTokenChargesWithoutReplyingAndAStatusQueryShowsTheCharge() throws Exception {
        String reference = newReference();
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue replies = session.createQueue("test.replies." + reference);
            MessageConsumer consumer = session.createConsumer(replies);
            sendJmsRequest(session, reference, replies, "tok_hang");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> simulator.charges().get("globex").containsKey(reference));

            sendStatusQuery(session, reference, replies);

            // The first message on the reply queue is the status reply: the payment itself got none.
            Message first = consumer.receive(10_000);
            assertThat(first).isNotNull();
            assertThat(first.getJMSType()).isEqualTo("status");
            assertThat(MAPPER.readTree(((TextMessage) first).getText()).get("status").asText()).isEqualTo("APPROVED");
        }
        assertThat(simulator.charges().get("globex")).containsExactly(Map.entry(reference, 1));
    }

    @Test
    void objectMessagesAreIgnored() throws Exception {
        String reference = newReference();
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue replies = session.createQueue("test.replies." + reference);
            MessageConsumer consumer = session.createConsumer(replies);
            Message objectMessage = session.createObjectMessage(paymentJson(reference, "tok_visa"));
            objectMessage.setJMSCorrelationID(reference);
            objectMessage.setJMSReplyTo(replies);
            session.createProducer(session.createQueue("provider.globex.requests")).send(objectMessage);

            assertThat(consumer.receive(1_000)).isNull();
        }
        assertThat(simulator.requests().get("globex")).isEmpty();
        assertThat(simulator.charges().get("globex")).isEmpty();
    }

    @Test
    void jmsProviderReconnectsAfterBrokerRestart() throws Exception {
        BrokerService first = newBroker("simtest-restart");
        TransportConnector connector = first.addConnector("tcp://127.0.0.1:0");
        first.start();
        first.waitUntilStarted();
        int brokerPort = connector.getConnectUri().getPort();
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort);
        ProviderSimulator jmsOnly = new ProviderSimulator(
                new SimulatorSettings(0, Map.of(), Map.of("globex", ProviderBehaviour.DEFAULT)), factory);
        BrokerService second = null;
        try {
            jmsOnly.start();
            first.stop();
            first.waitUntilStopped();
            second = newBroker("simtest-restart");
            second.addConnector("tcp://127.0.0.1:" + brokerPort);
            second.start();
            second.waitUntilStarted();

            String reference = newReference();
            try (Connection connection = factory.createConnection()) {
                connection.start();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                Queue replies = session.createQueue("test.replies." + reference);
                MessageConsumer consumer = session.createConsumer(replies);

                sendJmsRequest(session, reference, replies);

                Message reply = consumer.receive(15_000); // reconnect attempts run every second
                assertThat(reply).isNotNull();
                assertThat(reply.getJMSCorrelationID()).isEqualTo(reference);
            }
            assertThat(jmsOnly.charges().get("globex")).containsExactly(Map.entry(reference, 1));
        } finally {
            jmsOnly.stop();
            if (second != null) {
                second.stop();
            }
            first.stop();
        }
    }

    @Test
    void withAStateFileChargesAndAnswersSurviveARestart(@TempDir Path dir) throws Exception {
        Path stateFile = dir.resolve("sim-state.jsonl");
        String approved = newReference();
        String declined = newReference();
        String resetOnce = newReference();
        String approvedAnswer;
        ProviderSimulator first = httpOnlySimulator(stateFile);
        try {
            String firstBase = "http://127.0.0.1:" + first.port();
            approvedAnswer = pay(firstBase, approved, "tok_visa").body();
            pay(firstBase, declined, "tok_decline");
            assertThatThrownBy(() -> pay(firstBase, resetOnce, "tok_reset_before_charge")).isInstanceOf(IOException.class);
        } finally {
            first.stop();
        }
        // A write torn by a crash: the simulator drops it and starts with what is complete.
        Files.writeString(stateFile, "{\"event\":\"answer\",\"provi", StandardOpenOption.APPEND);

        ProviderSimulator second = httpOnlySimulator(stateFile);
        try {
            String secondBase = "http://127.0.0.1:" + second.port();
            assertThat(second.charges().get("acme")).containsExactly(Map.entry(approved, 1));
            HttpResponse<String> status = get(secondBase + "/acme/payments/" + approved);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(MAPPER.readTree(status.body())).isEqualTo(MAPPER.readTree(approvedAnswer));
            assertThat(MAPPER.readTree(get(secondBase + "/sim/charges").body()).get("acme").get(approved).asInt()).isEqualTo(1);
            assertThat(MAPPER.readTree(pay(secondBase, approved, "tok_visa").body())).isEqualTo(MAPPER.readTree(approvedAnswer));
            assertThat(MAPPER.readTree(pay(secondBase, declined, "tok_visa").body()).get("status").asText()).isEqualTo("DECLINED");
            // the reset was already played before the restart, so the resend is charged
            assertThat(pay(secondBase, resetOnce, "tok_reset_before_charge").statusCode()).isEqualTo(200);
            assertThat(second.charges().get("acme")).containsOnly(Map.entry(approved, 1), Map.entry(resetOnce, 1));
            assertThat(post(secondBase + "/sim/reset").statusCode()).isEqualTo(200);
        } finally {
            second.stop();
        }

        ProviderSimulator third = httpOnlySimulator(stateFile);
        try {
            assertThat(third.charges().get("acme")).isEmpty(); // the reset cleared the file as well
        } finally {
            third.stop();
        }
    }

    @Test
    void withoutAStateFileARestartForgetsEverything() throws Exception {
        String reference = newReference();
        ProviderSimulator first = httpOnlySimulator(null);
        try {
            pay("http://127.0.0.1:" + first.port(), reference, "tok_visa");
            assertThat(first.charges().get("acme")).containsKey(reference);
        } finally {
            first.stop();
        }
        ProviderSimulator second = httpOnlySimulator(null);
        try {
            assertThat(second.charges().get("acme")).isEmpty();
        } finally {
            second.stop();
        }
    }

    @Test
    void standaloneFlagsNameSettingsKeys() {
        assertThat(ProviderSimulator.parseFlags(List.of("--port", "8091", "--state-file=sim.jsonl", "--broker", "tcp://h:1")))
                .containsOnly(Map.entry("paygate.sim.port", "8091"), Map.entry("paygate.sim.state-file", "sim.jsonl"),
                        Map.entry("paygate.sim.broker.url", "tcp://h:1"));
        assertThatThrownBy(() -> ProviderSimulator.parseFlags(List.of("--prot", "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--prot");
        assertThatThrownBy(() -> ProviderSimulator.parseFlags(List.of("--port")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a value");
    }

    @Test
    void settingsAreReadFromPropertiesWithDefaults() {
        Map<String, String> properties = Map.of(
                "paygate.sim.http-providers", "acme, initech",
                "paygate.sim.initech.approve-ratio", "0.25",
                "paygate.sim.initech.latency-ms", "150",
                "paygate.sim.initech.charge-then-hang", "true",
                "paygate.sim.globex.duplicate-replies", "TRUE");

        SimulatorSettings settings = SimulatorSettings.fromProperties(key -> Optional.ofNullable(properties.get(key)));

        assertThat(settings.port()).isEqualTo(8090);
        assertThat(settings.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(settings.httpProviders()).containsOnlyKeys("acme", "initech");
        assertThat(settings.httpProviders().get("acme")).isEqualTo(ProviderBehaviour.DEFAULT);
        assertThat(settings.httpProviders().get("initech")).isEqualTo(new ProviderBehaviour(0.25, 0.0, 150, true, false));
        assertThat(settings.jmsProviders()).containsOnlyKeys("globex");
        assertThat(settings.jmsProviders().get("globex").duplicateReplies()).isTrue();
        SimulatorSettings httpOnly = SimulatorSettings.fromProperties(
                key -> key.equals("paygate.sim.jms-providers") ? Optional.of("") : Optional.empty());
        assertThat(httpOnly.jmsProviders()).isEmpty();
        assertThat(httpOnly.httpProviders()).containsOnlyKeys("acme");
        assertThat(SimulatorSettings.environmentName("paygate.sim.acme.error-ratio")).isEqualTo("PAYGATE_SIM_ACME_ERROR_RATIO");
        assertThatThrownBy(() -> SimulatorSettings.fromProperties(key -> key.equals("paygate.sim.acme.error-ratio")
                ? Optional.of("lots") : Optional.empty())).isInstanceOf(IllegalArgumentException.class);
    }

    private static BrokerService newBroker(String name) {
        BrokerService service = new BrokerService();
        service.setBrokerName(name);
        service.setPersistent(false);
        service.setUseJmx(false);
        service.setUseShutdownHook(false);
        service.setAdvisorySupport(false);
        return service;
    }

    private static ProviderSimulator httpOnlySimulator(Path stateFile) throws Exception {
        ProviderSimulator started = new ProviderSimulator(new SimulatorSettings(0, Map.of("acme", ProviderBehaviour.DEFAULT),
                Map.of(), "127.0.0.1", stateFile), null);
        started.start();
        return started;
    }

    private static void sendStatusQuery(Session session, String reference, Queue replyTo) throws Exception {
        MessageProducer producer = session.createProducer(session.createQueue("provider.globex.requests"));
        TextMessage query = session.createTextMessage("{\"reference\":\"" + reference + "\"}");
        query.setJMSType("status");
        query.setJMSCorrelationID(reference);
        query.setJMSReplyTo(replyTo);
        producer.send(query);
        producer.close();
    }

    private static void sendJmsRequest(Session session, String reference, Queue replyTo) throws Exception {
        sendJmsRequest(session, reference, replyTo, "tok_visa");
    }

    private static void sendJmsRequest(Session session, String reference, Queue replyTo, String token) throws Exception {
        MessageProducer producer = session.createProducer(session.createQueue("provider.globex.requests"));
        TextMessage request = session.createTextMessage(paymentJson(reference, token));
        request.setJMSCorrelationID(reference);
        request.setJMSReplyTo(replyTo);
        producer.send(request);
        producer.close();
    }

    private static HttpResponse<String> pay(String reference, String token) throws Exception {
        return pay(base, reference, token);
    }

    private static HttpResponse<String> pay(String simulatorBase, String reference, String token) throws Exception {
        return http.send(paymentRequest(simulatorBase, reference, reference, token), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest paymentRequest(String idempotencyKey, String reference, String token) {
        return paymentRequest(base, idempotencyKey, reference, token);
    }

    private static HttpRequest paymentRequest(String simulatorBase, String idempotencyKey, String reference, String token) {
        return HttpRequest.newBuilder(URI.create(simulatorBase + "/acme/payments"))
                .header("Idempotency-Key", idempotencyKey)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(paymentJson(reference, token)))
                .build();
    }

    private static String paymentJson(String reference, String token) {
        return "{\"reference\":\"" + reference + "\",\"amount\":\"12.50\",\"currency\":\"EUR\",\"token\":\"" + token + "\"}";
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, publisher)
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String newReference() {
        return "pay-" + UUID.randomUUID();
    }
}
