package io.paygate.provider;

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
import jakarta.jms.TextMessage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * JMS providers answer whenever they like: twice, late, for orders paygate never sent, or
 * contradicting what they said before. The order keeps its first truthful final state and every
 * reply paygate cannot use is kept in paygate.dlq for an operator.
 */
class JmsRepliesTest {

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of("paygate.sync-wait", "3s"));

    @Test
    void duplicateRepliesSettleOnceAndNothingIsDeadLettered() throws Exception {
        paygate.simBehaviour("globex", "{\"duplicateReplies\":true}");
        try {
            JsonNode answer = json(paygate.postOrder(order("dup-replies", "800", "JPY", "tok_visa")).body());

            assertThat(answer.path("status").asText()).isEqualTo("APPROVED");
            assertThat(paygate.charges("globex")).containsEntry(answer.path("reference").asText(), 1);
            Thread.sleep(1000); // give the second reply time to arrive and be settled
            assertThat(paygate.statusOf("dup-replies")).isEqualTo("APPROVED");
            assertThat(deadLetters(500)).isNull();
        } finally {
            paygate.simBehaviour("globex", "{\"duplicateReplies\":false}");
        }
    }

    @Test
    void aReplyThatComesAfterTheSyncWaitStillSettlesTheOrder() throws Exception {
        paygate.simBehaviour("globex", "{\"latencyMs\":5000}");
        try {
            var r = paygate.postOrder(order("late-reply", "900", "JPY", "tok_visa"));
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(json(r.body()).path("status").asText()).isEqualTo("SENT");

            await().atMost(Duration.ofSeconds(15)).until(() -> "APPROVED".equals(paygate.statusOf("late-reply")));
        } finally {
            paygate.simBehaviour("globex", "{\"latencyMs\":0}");
        }
    }

    @Test
    void repliesForUnknownOrdersAndContradictingRepliesAreDeadLettered() throws Exception {
        JsonNode approved = json(paygate.postOrder(order("contradicted", "1000", "JPY", "tok_visa")).body());
        assertThat(approved.path("status").asText()).isEqualTo("APPROVED");
        String reference = approved.path("reference").asText();

        reply("pg_never_sent", "{\"status\":\"APPROVED\",\"providerReference\":\"x\"}");
        Message unknown = deadLetters(15000);
        assertThat(unknown).isNotNull();
        assertThat(unknown.getStringProperty("paygateDeadLetterReason")).isEqualTo("answer for unknown order reference pg_never_sent");
        assertThat(unknown.getStringProperty("paygateDeadLetterRoute")).isEqualTo("provider-replies");

        reply(reference, "{\"status\":\"DECLINED\",\"providerReference\":\"x\",\"reason\":\"changed my mind\"}");
        Message contradicting = deadLetters(15000);
        assertThat(contradicting).isNotNull();
        assertThat(contradicting.getStringProperty("paygateDeadLetterReason")).contains("while the order is APPROVED (conflicting answer, not applied)");
        assertThat(((TextMessage) contradicting).getText()).contains("changed my mind");
        assertThat(paygate.statusOf("contradicted")).isEqualTo("APPROVED");
    }

    private void reply(String correlationId, String body) throws Exception {
        paygate.replyAsProvider("globex", correlationId, body);
    }

    private Message deadLetters(long waitMs) throws Exception {
        try (Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue("paygate.dlq"));
            return consumer.receive(waitMs);
        }
    }
}
