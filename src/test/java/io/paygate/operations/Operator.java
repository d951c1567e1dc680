package io.paygate.operations;

import io.paygate.testing.RunningPaygate;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** An operator calling paygate's operator endpoints with a token, as curl would. */
final class Operator {

    private final RunningPaygate paygate;
    private final String token;
    private final String name;

    Operator(RunningPaygate paygate, String token, String name) {
        this.paygate = paygate;
        this.token = token;
        this.name = name;
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return send("POST", path, json);
    }

    HttpResponse<String> send(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(paygate.baseUrl() + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (name != null) {
            b.header("X-Operator", name);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return paygate.send(b.build());
    }

    /**
     * Puts a message on a queue over the broker's TCP connector: on paygate.replies as the provider
     * globex would (its login), elsewhere as a tool with paygate's login.
     */
    static void put(RunningPaygate paygate, String queue, String body, String correlationId, Map<String, String> properties)
            throws Exception {
        try (Connection c = (queue.equals("paygate.replies") ? paygate.providerClient("globex") : paygate.brokerClient())
                .createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage m = s.createTextMessage(body);
            if (correlationId != null) {
                m.setJMSCorrelationID(correlationId);
            }
            for (Map.Entry<String, String> p : properties.entrySet()) {
                m.setStringProperty(p.getKey(), p.getValue());
            }
            s.createProducer(s.createQueue(queue)).send(m);
        }
    }
}
