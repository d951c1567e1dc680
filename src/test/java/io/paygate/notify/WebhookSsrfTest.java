package io.paygate.notify;

import static io.paygate.testing.RunningPaygate.OTHER_KEY;
import static io.paygate.testing.RunningPaygate.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.testing.RunningPaygate;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A callbackUrl cannot turn paygate against its own network. Merchant "other" lists loopback,
 * metadata and private hosts on its allow-list on purpose: they are still refused, because
 * the addresses are checked too (only the demo merchant may use private addresses). And a
 * storefront answering with a redirect to an internal address is not followed.
 */
class WebhookSsrfTest {

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(
            "paygate.sync-wait", "3s",
            "paygate.webhooks.poll-period", "100ms",
            "paygate.webhooks.retry-delays", "200ms,200ms",
            "paygate.merchant.other.webhook-hosts",
            "shop.example,localhost,127.0.0.1,[::1],169.254.169.254,10.0.0.1,0.0.0.0,192.168.1.1,172.16.0.1"));

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1:8080/payments/cb",
            "http://[::1]/payments/cb",
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "http://10.0.0.1/payments/cb",
            "http://192.168.1.1/payments/cb",
            "http://172.16.0.1/payments/cb",
            "http://0.0.0.0:8080/payments/cb",
            "http://localhost:8080/payments/cb",       // a name that resolves to 127.0.0.1
            "http://LOCALHOST./payments/cb",           // the same name spelled differently
            "file:///etc/passwd",
            "gopher://shop.example/payments/cb",
            "https://evil.example/payments/cb",        // not on the merchant's allow-list
            "https://user:secret@shop.example/cb"})
    void aCallbackUrlIntoPaygatesOwnNetworkIsRefusedAtSubmission(String callbackUrl) throws Exception {
        long ordersBefore = paygate.orderCount();
        String orderId = "ssrf-" + Integer.toHexString(callbackUrl.hashCode());

        HttpResponse<String> r = paygate.postOrder(WebhookDeliveryTest.order(orderId, "10.00", "EUR", "tok_visa",
                callbackUrl), OTHER_KEY, Map.of());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = json(r.body());
        assertThat(problem.path("errors")).hasSize(1);
        assertThat(problem.path("errors").get(0).path("field").asText()).isEqualTo("/callbackUrl");
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("secret@");
        assertThat(paygate.orderCount()).isEqualTo(ordersBefore);
        assertThat(paygate.get("/api/orders/" + orderId, OTHER_KEY).statusCode()).isEqualTo(404);
    }

    @Test
    void aPublicHostOnTheAllowListIsAccepted() throws Exception {
        HttpResponse<String> r = paygate.postOrder(WebhookDeliveryTest.order("ssrf-allowed", "10.00", "EUR", "tok_visa",
                "https://shop.example/payments/cb"), OTHER_KEY, Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void aRedirectToALoopbackAddressIsNotFollowed() throws Exception {
        try (StorefrontReceiver internal = new StorefrontReceiver();
             StorefrontReceiver storefront = new StorefrontReceiver()) {
            storefront.redirect("/hooks/moved", internal.url("/admin/loot"));
            // the demo merchant may post to 127.0.0.1, so only the redirect rule stands in the way
            HttpResponse<String> r = paygate.postOrder(WebhookDeliveryTest.order("ssrf-redirect", "10.00", "EUR",
                    "tok_visa", storefront.url("/hooks/moved")));
            String reference = json(r.body()).path("reference").asText();

            await().atMost(Duration.ofSeconds(20)).until(() -> paygate.countRows("SELECT COUNT(*) FROM webhook_outbox"
                    + " WHERE order_reference = ? AND state = 'FAILED' AND last_status = 302", reference) == 1);
            assertThat(storefront.requests("/hooks/moved")).hasSize(3);
            assertThat(internal.requests("/admin/loot")).isEmpty();
        }
    }

    @Test
    void aCallbackUrlRefusalIsReportedTogetherWithTheBodysOtherMistakes() throws Exception {
        // with other mistakes in the body, the callbackUrl refusal is reported with them in one answer
        String body = WebhookDeliveryTest.order("ssrf-many", "10.001", "EUR", "tok_visa", "http://10.0.0.1/cb");
        HttpResponse<String> r = paygate.postOrder(body, OTHER_KEY, Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        json(r.body()).path("errors").forEach(e -> fields.add(e.path("field").asText()));
        assertThat(fields).containsExactlyInAnyOrder("/amount", "/callbackUrl");
    }
}
