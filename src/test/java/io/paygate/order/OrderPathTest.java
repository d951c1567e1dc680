package io.paygate.order;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.testing.RunningPaygate;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An order's whole way through the real gateway: HTTP port, embedded ActiveMQ (KahaDB), H2 file
 * database, the HTTP provider acme and the JMS provider globex of the simulator.
 */
class OrderPathTest {

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of("paygate.sync-wait", "2s"));

    private static final java.util.concurrent.atomic.AtomicInteger SEQUENCE = new java.util.concurrent.atomic.AtomicInteger();

    static String newOrderId() {
        return "path-order-" + SEQUENCE.incrementAndGet();
    }

    @Test
    void acmeApprovesOverHttpAndChargesOnce() throws Exception {
        String id = newOrderId();
        HttpResponse<String> r = paygate.postOrder(order(id, "12.50", "EUR", "tok_visa"));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r.body());
        assertThat(body.path("status").asText()).isEqualTo("APPROVED");
        assertThat(body.path("provider").asText()).isEqualTo("acme");
        assertThat(body.path("orderId").asText()).isEqualTo(id);
        assertThat(body.path("amount").asText()).isEqualTo("12.50");
        assertThat(body.path("providerReference").asText()).startsWith("acme_");
        String reference = body.path("reference").asText();
        assertThat(paygate.charges("acme")).containsEntry(reference, 1);
    }

    @Test
    void globexApprovesOverJmsWithAnAsynchronousReply() throws Exception {
        String id = newOrderId();
        HttpResponse<String> r = paygate.postOrder(order(id, "1500", "JPY", "tok_visa"));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r.body());
        assertThat(body.path("status").asText()).isEqualTo("APPROVED");
        assertThat(body.path("provider").asText()).isEqualTo("globex");
        assertThat(paygate.charges("globex")).containsEntry(body.path("reference").asText(), 1);
    }

    @Test
    void preferredProviderWinsOverTheRoutingRules() throws Exception {
        String id = newOrderId();
        String o = order(id, "20.00", "EUR", "tok_visa").replace("}}", "},\"provider\":\"globex\"}");
        HttpResponse<String> r = paygate.postOrder(o);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r.body()).path("provider").asText()).isEqualTo("globex");
    }

    @Test
    void declineIsAFinalAnswerWithItsReason() throws Exception {
        String id = newOrderId();
        HttpResponse<String> r = paygate.postOrder(order(id, "9.99", "EUR", "tok_decline"));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r.body());
        assertThat(body.path("status").asText()).isEqualTo("DECLINED");
        assertThat(body.path("reason").asText()).isEqualTo("card_declined");
        assertThat(paygate.charges("acme")).doesNotContainKey(body.path("reference").asText());
    }

    @Test
    void getReturnsTheStoredState() throws Exception {
        String id = newOrderId();
        JsonNode posted = json(paygate.postOrder(order(id, "5.00", "USD", "tok_visa")).body());

        HttpResponse<String> r = paygate.get("/api/orders/" + id);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(json(r.body())).isEqualTo(posted);
        assertThat(paygate.get("/api/orders/no-such-order").statusCode()).isEqualTo(404);
    }

    @Test
    void providerSlowerThanTheSyncWaitGets202ThenSettles() throws Exception {
        String id = newOrderId();
        HttpResponse<String> r = paygate.postOrder(order(id, "30.00", "EUR", "tok_slow_4000"));

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.headers().firstValue("Location")).hasValue("/api/orders/" + id);
        assertThat(json(r.body()).path("status").asText()).isEqualTo("SENT");
        await().atMost(Duration.ofSeconds(15)).until(() -> "APPROVED".equals(paygate.statusOf(id)));
    }

    @Test
    void missingOrWrongApiKeyIs401AndStoresNothing() throws Exception {
        long before = paygate.orderCount();
        String id = newOrderId();

        HttpResponse<String> none = paygate.postOrder(order(id, "1.00", "EUR", "tok_visa"), null, Map.of());
        HttpResponse<String> wrong = paygate.postOrder(order(id, "1.00", "EUR", "tok_visa"), "not-a-key", Map.of());

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong.body()).path("status").asInt()).isEqualTo(401);
        assertThat(paygate.get("/api/orders/" + id, null).statusCode()).isEqualTo(401);
        assertThat(paygate.orderCount()).isEqualTo(before);
    }

    @Test
    void missingRequiredFieldIs400NamingTheFieldAndStoresNothing() throws Exception {
        long before = paygate.orderCount();
        String id = newOrderId();
        String noCurrency = "{\"orderId\":\"" + id + "\",\"amount\":\"1.00\","
                + "\"paymentMethod\":{\"type\":\"card_token\",\"token\":\"tok_visa\"}}";

        HttpResponse<String> r = paygate.postOrder(noCurrency);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode errors = json(r.body()).path("errors");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).path("field").asText()).isEqualTo("/currency");
        assertThat(errors.get(0).path("message").asText()).isEqualTo("is required");
        assertThat(paygate.orderCount()).isEqualTo(before);
        assertThat(paygate.get("/api/orders/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void theContractIsServedAsOpenApi() throws Exception {
        HttpResponse<String> r = paygate.get("/api/openapi.json", null);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = json(r.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("paths").path("/api/orders").path("post").path("responses").has("422")).isTrue();
        assertThat(doc.path("components").path("schemas").path("OrderRequest").path("required"))
                .extracting(JsonNode::asText).contains("orderId", "amount", "currency", "paymentMethod");
    }

    @Test
    void poisonMessagesEndInTheDeadLetterQueueWithTheirReason() throws Exception {
        try (Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = s.createProducer(s.createQueue("paygate.orders"));
            producer.send(s.createTextMessage("this is not json"));
            producer.send(s.createTextMessage("{\"reference\":\"pg_does_not_exist\"}"));
            producer.send(s.createObjectMessage(new java.util.ArrayList<String>()));

            MessageConsumer dlq = s.createConsumer(s.createQueue("paygate.dlq"));
            Map<String, String> reasons = new java.util.HashMap<>();
            for (int i = 0; i < 3; i++) {
                Message m = dlq.receive(15000);
                assertThat(m).as("dead letter %d", i).isNotNull();
                assertThat(m).isInstanceOf(jakarta.jms.TextMessage.class);
                reasons.put(((jakarta.jms.TextMessage) m).getText(), m.getStringProperty("paygateDeadLetterReason"));
                assertThat(m.getStringProperty("paygateDeadLetterRoute")).isEqualTo("dispatch");
            }
            assertThat(reasons).containsEntry("this is not json", "dispatch message is not valid JSON");
            assertThat(reasons).containsEntry("{\"reference\":\"pg_does_not_exist\"}", "unknown order reference pg_does_not_exist");
            assertThat(reasons).containsEntry("(ObjectMessage body not read)", "ObjectMessage refused: paygate accepts JSON text only");
        }
    }
}
