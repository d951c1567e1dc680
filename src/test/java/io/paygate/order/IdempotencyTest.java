package io.paygate.order;

import static io.paygate.testing.RunningPaygate.DEMO_KEY;
import static io.paygate.testing.RunningPaygate.OTHER_KEY;
import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.testing.RunningPaygate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Idempotency as the storefront sees it: a retried request gets the first answer again, byte for
 * byte; a reused key with another body is refused; concurrent duplicates make one order and one
 * charge; keys belong to one merchant.
 */
class IdempotencyTest {

    // the in-flight case needs a provider slower than the retry and faster than the sync wait
    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of("paygate.sync-wait", "5s"));

    /** No digit runs: "ord-" + UUID sometimes holds a Luhn-valid number and is refused as card data. */
    static String newOrderId() {
        StringBuilder id = new StringBuilder("idem-");
        ThreadLocalRandom.current().ints(16, 'a', 'z' + 1).forEach(ch -> id.append((char) ch));
        return id.toString();
    }

    static long rowsFor(String orderId) throws Exception {
        return paygate.countRows("SELECT COUNT(*) FROM orders WHERE order_id = ?", orderId);
    }

    /** The orderId as key: on the order's row (its fingerprint), never a row of its own. */
    static long orderIdKeys(String orderId) throws Exception {
        assertThat(paygate.countRows("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ?", orderId)).isZero();
        return paygate.countRows("SELECT COUNT(*) FROM orders WHERE order_id = ? AND request_fingerprint IS NOT NULL", orderId);
    }

    static long keyRows() throws Exception {
        return paygate.countRows("SELECT COUNT(*) FROM idempotency_keys");
    }

    static void assertProblem(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as("answer %d %s %s", r.statusCode(), r.headers().map(), r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode p = json(r.body());
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("type").asText()).isNotBlank();
        assertThat(p.path("title").asText()).isNotBlank();
    }

    // (a) ----------------------------------------------------------------------------------

    @Test
    void aRetryAfterCompletionGetsTheSameAnswerByteForByteAndChargesOnce() throws Exception {
        String id = newOrderId();
        String body = order(id, "12.50", "EUR", "tok_visa");
        Map<String, String> key = Map.of("Idempotency-Key", "retry-" + id);

        HttpResponse<String> first = paygate.postOrder(body, DEMO_KEY, key);
        HttpResponse<String> again = paygate.postOrder(body, DEMO_KEY, key);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first.body()).path("status").asText()).isEqualTo("APPROVED");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(again.statusCode()).isEqualTo(first.statusCode());
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(again.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(rowsFor(id)).isEqualTo(1);
        assertThat(paygate.charges("acme")).containsEntry(json(first.body()).path("reference").asText(), 1);
    }

    @Test
    void aRetryWithReorderedAndReformattedButEqualJsonIsAReplay() throws Exception {
        String id = newOrderId();
        String body = "{\"orderId\":\"" + id + "\",\"amount\":\"7.00\",\"currency\":\"USD\","
                + "\"paymentMethod\":{\"type\":\"card_token\",\"token\":\"tok_visa\"},"
                + "\"customer\":{\"name\":\"Jane\",\"email\":\"jane@shop.example\"}}";
        String reordered = "{\n  \"customer\" : { \"email\" : \"jane@shop.example\", \"name\" : \"Jane\" },\n"
                + "  \"paymentMethod\" : {\"token\":\"tok_visa\",   \"type\":\"card_token\"},\n"
                + "  \"currency\":\"USD\", \"amount\": \"7.00\",\t\"orderId\" : \"" + id + "\"\n}\n";

        HttpResponse<String> first = paygate.postOrder(body);
        HttpResponse<String> again = paygate.postOrder(reordered);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).as("answer %s", again.body()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(rowsFor(id)).isEqualTo(1);
        assertThat(paygate.charges("acme")).containsEntry(json(first.body()).path("reference").asText(), 1);
    }

    @Test
    void aReplayOfA202AnswerIsA202WithItsLocation() throws Exception {
        String id = newOrderId();
        String body = order(id, "3.00", "EUR", "tok_slow_6500");

        HttpResponse<String> first = paygate.postOrder(body);
        HttpResponse<String> again = paygate.postOrder(body);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(rowsFor(id)).isEqualTo(1);
    }

    // (b) ----------------------------------------------------------------------------------

    @Test
    void theSameKeyWithADifferentBodyIs422AndStoresNothing() throws Exception {
        String id = newOrderId();
        Map<String, String> key = Map.of("Idempotency-Key", "k-" + id);
        HttpResponse<String> first = paygate.postOrder(order(id, "10.00", "EUR", "tok_visa"), DEMO_KEY, key);
        assertThat(first.statusCode()).isEqualTo(200);
        long orders = paygate.orderCount();
        long keys = keyRows();

        HttpResponse<String> other = paygate.postOrder(order(id, "99.00", "EUR", "tok_visa"), DEMO_KEY, key);
        HttpResponse<String> otherOrder = paygate.postOrder(order(newOrderId(), "10.00", "EUR", "tok_visa"), DEMO_KEY, key);

        assertProblem(other, 422);
        assertProblem(otherOrder, 422);
        assertThat(other.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(paygate.orderCount()).isEqualTo(orders);
        assertThat(keyRows()).isEqualTo(keys);
        assertThat(json(paygate.get("/api/orders/" + id).body()).path("amount").asText()).isEqualTo("10.00");
        assertThat(paygate.charges("acme")).containsEntry(json(first.body()).path("reference").asText(), 1);
    }

    // (c) ----------------------------------------------------------------------------------

    @Test
    void theSameKeyWhileTheFirstRequestIsStillWaitingIs409() throws Exception {
        String id = newOrderId();
        String body = order(id, "15.00", "EUR", "tok_slow_3000");
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return paygate.postOrder(body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);

        HttpResponse<String> second = paygate.postOrder(body);

        assertProblem(second, 409);
        assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(json(first.get().body()).path("status").asText()).isEqualTo("APPROVED");
        HttpResponse<String> third = paygate.postOrder(body);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(third.body()).isEqualTo(first.get().body());
        assertThat(rowsFor(id)).isEqualTo(1);
        assertThat(paygate.charges("acme")).containsEntry(json(first.get().body()).path("reference").asText(), 1);
    }

    // (d) ----------------------------------------------------------------------------------

    @Test
    void twentyConcurrentIdenticalPostsMakeOneOrderAndOneCharge() throws Exception {
        String id = newOrderId();
        String body = order(id, "42.00", "EUR", "tok_slow_200");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(paygate.baseUrl() + "/api/orders"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", DEMO_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        int n = 20;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return client.send(request, HttpResponse.BodyHandlers.ofString());
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                answers.add(f.get(40, TimeUnit.SECONDS));
            }

            List<Integer> statuses = answers.stream().map(HttpResponse::statusCode).toList();
            System.out.println("20 concurrent POSTs answered " + statuses);
            assertThat(statuses).as("statuses").allMatch(s -> s == 200 || s == 409);
            assertThat(statuses).contains(200);
            List<String> okBodies = answers.stream().filter(r -> r.statusCode() == 200).map(HttpResponse::body).distinct().toList();
            assertThat(okBodies).as("every 200 is the same answer").hasSize(1);
            answers.stream().filter(r -> r.statusCode() == 409).forEach(r ->
                    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json"));
            assertThat(rowsFor(id)).isEqualTo(1);
            String reference = json(okBodies.get(0)).path("reference").asText();
            assertThat(paygate.charges("acme")).containsEntry(reference, 1);
            assertThat(orderIdKeys(id)).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    // (e) ----------------------------------------------------------------------------------

    @Test
    void keysArePerMerchant() throws Exception {
        String id = newOrderId();
        String body = order(id, "8.00", "EUR", "tok_visa");
        Map<String, String> key = Map.of("Idempotency-Key", "shared-" + id);

        HttpResponse<String> demo = paygate.postOrder(body, DEMO_KEY, key);
        HttpResponse<String> other = paygate.postOrder(body, OTHER_KEY, key);

        assertThat(demo.statusCode()).isEqualTo(200);
        assertThat(other.statusCode()).as("answer %s", other.body()).isEqualTo(200);
        assertThat(other.headers().firstValue("Idempotent-Replayed")).isEmpty();
        String demoRef = json(demo.body()).path("reference").asText();
        String otherRef = json(other.body()).path("reference").asText();
        assertThat(otherRef).isNotEqualTo(demoRef);
        assertThat(rowsFor(id)).isEqualTo(2);
        assertThat(paygate.countRows("SELECT COUNT(*) FROM orders WHERE order_id = ? AND merchant_id = 'demo'", id)).isEqualTo(1);
        assertThat(paygate.countRows("SELECT COUNT(*) FROM orders WHERE order_id = ? AND merchant_id = 'other'", id)).isEqualTo(1);
        assertThat(json(paygate.get("/api/orders/" + id, DEMO_KEY).body()).path("reference").asText()).isEqualTo(demoRef);
        assertThat(json(paygate.get("/api/orders/" + id, OTHER_KEY).body()).path("reference").asText()).isEqualTo(otherRef);
        assertThat(paygate.charges("acme")).containsEntry(demoRef, 1).containsEntry(otherRef, 1);
    }

    @Test
    void theOrderIdAsKeyIsPerMerchantToo() throws Exception {
        String id = newOrderId();
        String body = order(id, "8.00", "USD", "tok_visa");

        HttpResponse<String> demo = paygate.postOrder(body);
        HttpResponse<String> other = paygate.postOrder(body, OTHER_KEY, Map.of());

        assertThat(demo.statusCode()).isEqualTo(200);
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(json(other.body()).path("reference").asText()).isNotEqualTo(json(demo.body()).path("reference").asText());
        assertThat(rowsFor(id)).isEqualTo(2);
    }

    // (f) ----------------------------------------------------------------------------------

    @Test
    void withoutAHeaderTheOrderIdIsTheKey() throws Exception {
        String id = newOrderId();
        String body = order(id, "5.55", "EUR", "tok_visa");

        HttpResponse<String> first = paygate.postOrder(body);
        HttpResponse<String> same = paygate.postOrder(body);
        long orders = paygate.orderCount();
        HttpResponse<String> changed = paygate.postOrder(order(id, "6.66", "EUR", "tok_visa"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(same.statusCode()).isEqualTo(200);
        assertThat(same.body()).isEqualTo(first.body());
        assertThat(same.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertProblem(changed, 422);
        assertThat(paygate.orderCount()).isEqualTo(orders);
        assertThat(rowsFor(id)).isEqualTo(1);
        assertThat(orderIdKeys(id)).as("the key is the order's own row").isEqualTo(1);
        assertThat(paygate.charges("acme")).containsEntry(json(first.body()).path("reference").asText(), 1);
    }

    // (g) ----------------------------------------------------------------------------------

    @Test
    void anotherKeyForAnExistingOrderIdIs409OrderExists() throws Exception {
        String id = newOrderId();
        String body = order(id, "4.00", "EUR", "tok_visa");
        HttpResponse<String> first = paygate.postOrder(body, DEMO_KEY, Map.of("Idempotency-Key", "first-" + id));
        assertThat(first.statusCode()).isEqualTo(200);
        long keys = keyRows();

        HttpResponse<String> otherKey = paygate.postOrder(body, DEMO_KEY, Map.of("Idempotency-Key", "second-" + id));
        HttpResponse<String> noKey = paygate.postOrder(body);

        assertProblem(otherKey, 409);
        assertProblem(noKey, 409);
        assertThat(json(otherKey.body()).path("type").asText()).endsWith("order-exists");
        assertThat(json(noKey.body()).path("type").asText()).endsWith("order-exists");
        assertThat(json(otherKey.body()).path("instance").asText()).isEqualTo("/api/orders");
        assertThat(rowsFor(id)).isEqualTo(1);
        assertThat(keyRows()).as("the refused keys are not kept").isEqualTo(keys);
        assertThat(paygate.charges("acme")).containsEntry(json(first.body()).path("reference").asText(), 1);
    }

    // (h) ----------------------------------------------------------------------------------

    @Test
    void aHeaderEqualToTheOrderIdIsTheOrderIdKey() throws Exception {
        String id = newOrderId();
        String body = order(id, "7.00", "EUR", "tok_visa");
        long keys = keyRows();

        HttpResponse<String> first = paygate.postOrder(body, DEMO_KEY, Map.of("Idempotency-Key", id));
        HttpResponse<String> noHeader = paygate.postOrder(body);
        HttpResponse<String> changed = paygate.postOrder(order(id, "8.00", "EUR", "tok_visa"), DEMO_KEY,
                Map.of("Idempotency-Key", id));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(noHeader.statusCode()).isEqualTo(200);
        assertThat(noHeader.body()).isEqualTo(first.body());
        assertThat(noHeader.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertProblem(changed, 422);
        assertThat(orderIdKeys(id)).isEqualTo(1);
        assertThat(keyRows()).isEqualTo(keys);
        assertThat(paygate.charges("acme")).containsEntry(json(first.body()).path("reference").asText(), 1);
    }

    @Test
    void aKeyTheMerchantSentIsNotAnotherOrdersOrderId() throws Exception {
        String keyed = newOrderId();
        String id = newOrderId();
        // the first order's key happens to be the second order's orderId: two keys, two orders
        HttpResponse<String> first = paygate.postOrder(order(keyed, "3.00", "EUR", "tok_visa"), DEMO_KEY,
                Map.of("Idempotency-Key", id));
        HttpResponse<String> second = paygate.postOrder(order(id, "4.00", "EUR", "tok_visa"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).as("answer %s", second.body()).isEqualTo(200);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(json(second.body()).path("amount").asText()).isEqualTo("4.00");
        assertThat(rowsFor(id)).isEqualTo(1);
        assertThat(paygate.charges("acme")).containsEntry(json(second.body()).path("reference").asText(), 1);
    }
}
