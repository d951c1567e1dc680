package io.paygate.security;

import static io.paygate.testing.RunningPaygate.DEMO_KEY;
import static io.paygate.testing.RunningPaygate.OTHER_KEY;
import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.testing.RunningPaygate;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Merchants are walled off from each other: another merchant's order is as unknown as no order. */
class MerchantIsolationTest {

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of("paygate.sync-wait", "2s"));

    /** No digit runs: "ord-" + UUID sometimes holds a Luhn-valid number and is refused as card data. */
    static String newOrderId() {
        StringBuilder id = new StringBuilder("iso-");
        ThreadLocalRandom.current().ints(16, 'a', 'z' + 1).forEach(ch -> id.append((char) ch));
        return id.toString();
    }

    @Test
    void anotherMerchantsOrderIsIndistinguishableFromAnUnknownOne() throws Exception {
        String id = newOrderId();
        HttpResponse<String> unknownBefore = paygate.get("/api/orders/" + id, OTHER_KEY);

        HttpResponse<String> posted = paygate.postOrder(order(id, "21.00", "EUR", "tok_visa"));
        assertThat(posted.statusCode()).isEqualTo(200);
        JsonNode demoOrder = json(posted.body());
        HttpResponse<String> foreign = paygate.get("/api/orders/" + id, OTHER_KEY);

        assertThat(unknownBefore.statusCode()).isEqualTo(404);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(foreign.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(foreign.body()).as("same answer as before the order existed").isEqualTo(unknownBefore.body());
        assertThat(foreign.headers().map().keySet()).isEqualTo(unknownBefore.headers().map().keySet());
        assertThat(foreign.body())
                .doesNotContain(demoOrder.path("reference").asText())
                .doesNotContain(demoOrder.path("providerReference").asText())
                .doesNotContain("demo")
                .doesNotContain("21.00")
                .doesNotContain("APPROVED");
        JsonNode problem = json(foreign.body());
        assertThat(problem.path("status").asInt()).isEqualTo(404);
        assertThat(problem.path("type").asText()).isNotBlank();
        assertThat(problem.path("title").asText()).isNotBlank();
    }

    @Test
    void theNotFoundAnswerHasTheSameShapeForEveryUnknownOrder() throws Exception {
        String id = newOrderId();
        assertThat(paygate.postOrder(order(id, "1.00", "EUR", "tok_visa")).statusCode()).isEqualTo(200);

        JsonNode foreign = json(paygate.get("/api/orders/" + id, OTHER_KEY).body());
        JsonNode unknown = json(paygate.get("/api/orders/" + newOrderId(), DEMO_KEY).body());

        // only "instance" (the path asked for) may differ
        ((ObjectNode) foreign).remove("instance");
        ((ObjectNode) unknown).remove("instance");
        assertThat(foreign).isEqualTo(unknown);
    }

    @Test
    void theOwnOrderIsReadableAndOnlyByItsMerchant() throws Exception {
        String id = newOrderId();
        HttpResponse<String> posted = paygate.postOrder(order(id, "9.00", "USD", "tok_visa"), OTHER_KEY, Map.of());

        HttpResponse<String> own = paygate.get("/api/orders/" + id, OTHER_KEY);

        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(json(own.body())).isEqualTo(json(posted.body()));
        assertThat(paygate.get("/api/orders/" + id, DEMO_KEY).statusCode()).isEqualTo(404);
    }

    @Test
    void missingOrUnknownKeyIs401WithWwwAuthenticate() throws Exception {
        String id = newOrderId();
        assertThat(paygate.postOrder(order(id, "2.00", "EUR", "tok_visa")).statusCode()).isEqualTo(200);
        long before = paygate.orderCount();

        for (String key : new String[] {null, "", "not-a-key", DEMO_KEY + "x", DEMO_KEY.toUpperCase()}) {
            HttpResponse<String> read = paygate.get("/api/orders/" + id, key);
            HttpResponse<String> post = paygate.postOrder(order(newOrderId(), "2.00", "EUR", "tok_visa"), key, Map.of());
            for (HttpResponse<String> r : List.of(read, post)) {
                assertThat(r.statusCode()).as("key %s: %s", key, r.body()).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate")).as("key %s", key).isPresent();
                assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(json(r.body()).path("status").asInt()).isEqualTo(401);
                assertThat(r.body()).doesNotContain("2.00").doesNotContain("reference").doesNotContain(DEMO_KEY);
            }
        }
        assertThat(paygate.orderCount()).isEqualTo(before);
    }
}
