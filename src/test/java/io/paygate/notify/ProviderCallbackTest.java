package io.paygate.notify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.paygate.testing.RunningPaygate.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.paygate.testing.RunningPaygate;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A provider answers over HTTP on its own, for an order whose outcome paygate does not know
 * (acme, played by WireMock, answered 502). Only a fresh signature made with that provider's
 * callback secret, used once, is believed; anything else is 401 and the order is unchanged.
 */
class ProviderCallbackTest {

    static final String ACME_SECRET = "acme-callback-secret-for-tests";
    static final String GLOBEX_SECRET = "globex-callback-secret-for-tests";
    static final WireMockServer acme = startedProvider();

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(
            "paygate.provider.acme.url", acme.baseUrl() + "/acme",
            "paygate.provider.acme.callback-secret", ACME_SECRET,
            "paygate.provider.globex.callback-secret", GLOBEX_SECRET,
            "paygate.sync-wait", "1s"));

    static WireMockServer startedProvider() {
        WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        return server;
    }

    @BeforeAll
    static void acmeAnswersEverything502() {
        // payments and status queries alike: the outcome stays unknown until the callback comes
        acme.stubFor(any(urlPathMatching("/acme/.*")).willReturn(aResponse().withStatus(502)));
    }

    @AfterAll
    static void stopProvider() {
        acme.stop();
    }

    @Test
    void aSignedCallbackSettlesAnUnknownOrderAndItsReplayIsRefused() throws Exception {
        JsonNode before = unknownOrder("cb-good");
        String body = answer(before, "APPROVED", "acme-cb-1", "10.00");
        String signature = sign(ACME_SECRET, Instant.now().getEpochSecond(), body);

        HttpResponse<String> settled = callback("acme", body, signature);

        assertThat(settled.statusCode()).as(settled.body()).isEqualTo(200);
        JsonNode after = order("cb-good");
        assertThat(after.path("status").asText()).isEqualTo("APPROVED");
        assertThat(after.path("providerReference").asText()).isEqualTo("acme-cb-1");
        // the merchant's timeline shows the callback and the order's final step, once
        JsonNode timeline = await().atMost(Duration.ofSeconds(10)).until(
                () -> json(paygate.get("/api/orders/cb-good/events").body()),
                t -> t.toString().contains("\"step\":\"final\""));
        List<String> steps = new ArrayList<>();
        timeline.path("events").forEach(e -> steps.add(e.path("step").asText()));
        assertThat(steps).containsSubsequence("unknown", "provider-callback", "final").containsOnlyOnce("final");

        HttpResponse<String> replayed = callback("acme", body, signature);
        assertThat(replayed.statusCode()).isEqualTo(401);
        assertThat(json(replayed.body()).path("detail").asText()).contains("already used");
        assertThat(order("cb-good")).isEqualTo(after);
    }

    @Test
    void theStorefrontHearsUnknownThenTheAnswerTheCallbackBrought() throws Exception {
        try (StorefrontReceiver storefront = new StorefrontReceiver()) {
            paygate.postOrder(WebhookDeliveryTest.order("cb-told", "10.00", "EUR", "tok_visa",
                    storefront.url("/hooks/told")));
            await().atMost(Duration.ofSeconds(20)).until(() -> storefront.requests("/hooks/told").size() == 1);
            JsonNode unknown = json(storefront.requests("/hooks/told").get(0).body());
            assertThat(unknown.path("status").asText()).isEqualTo("UNKNOWN");

            String body = answer(unknown, "APPROVED", "acme-told", "10.00");
            assertThat(callback("acme", body, sign(ACME_SECRET, Instant.now().getEpochSecond(), body)).statusCode())
                    .isEqualTo(200);

            await().atMost(Duration.ofSeconds(20)).until(() -> storefront.requests("/hooks/told").size() == 2);
            StorefrontReceiver.Received approved = storefront.requests("/hooks/told").get(1);
            assertThat(json(approved.body()).path("status").asText()).isEqualTo("APPROVED");
            assertThat(json(approved.body()).path("providerReference").asText()).isEqualTo("acme-told");
            assertThat(approved.header("Paygate-Event-Id"))
                    .isNotEqualTo(storefront.requests("/hooks/told").get(0).header("Paygate-Event-Id"));
        }
    }

    @Test
    void aBadSignatureIs401AndChangesNothing() throws Exception {
        JsonNode before = unknownOrder("cb-forged");
        String body = answer(before, "APPROVED", "forged", "10.00");
        long now = Instant.now().getEpochSecond();

        assertThat(callback("acme", body, sign("guessed-secret", now, body)).statusCode()).isEqualTo(401);
        // signed for a DECLINED body, sent with an APPROVED one
        assertThat(callback("acme", body, sign(ACME_SECRET, now, answer(before, "DECLINED", "forged", "10.00")))
                .statusCode()).isEqualTo(401);
        assertThat(callback("acme", body, null).statusCode()).isEqualTo(401);
        assertThat(callback("acme", body, "t=" + now + ",v1=" + "0".repeat(64)).statusCode()).isEqualTo(401);
        // another provider's secret is not acme's
        assertThat(callback("acme", body, sign(GLOBEX_SECRET, now, body)).statusCode()).isEqualTo(401);

        assertThat(order("cb-forged")).isEqualTo(before);
    }

    @Test
    void aStaleTimestampIs401EvenWithTheRightSecret() throws Exception {
        JsonNode before = unknownOrder("cb-stale");
        String body = answer(before, "APPROVED", "acme-old", "10.00");
        long tenMinutesAgo = Instant.now().getEpochSecond() - 600;

        HttpResponse<String> stale = callback("acme", body, sign(ACME_SECRET, tenMinutesAgo, body));

        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(json(stale.body()).path("detail").asText()).contains("timestamp");
        assertThat(order("cb-stale")).isEqualTo(before);
        // the same answer signed now is believed: only the timestamp was wrong
        String declined = answer(before, "DECLINED", "acme-new", "10.00");
        assertThat(callback("acme", declined, sign(ACME_SECRET, Instant.now().getEpochSecond(), declined)).statusCode())
                .isEqualTo(200);
        assertThat(order("cb-stale").path("status").asText()).isEqualTo("DECLINED");
    }

    @Test
    void aSignedAnswerThatIsNotBelievedIs409WithTheReason() throws Exception {
        JsonNode before = unknownOrder("cb-refused");
        long now = Instant.now().getEpochSecond();

        String fromGlobex = answer(before, "APPROVED", "globex-1", "10.00");
        HttpResponse<String> wrongProvider = callback("globex", fromGlobex, sign(GLOBEX_SECRET, now, fromGlobex));
        assertThat(wrongProvider.statusCode()).isEqualTo(409);
        assertThat(wrongProvider.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(wrongProvider.body()).path("detail").asText()).contains("not sent to globex");

        String otherAmount = answer(before, "APPROVED", "acme-2", "99.00");
        HttpResponse<String> wrongAmount = callback("acme", otherAmount, sign(ACME_SECRET, now, otherAmount));
        assertThat(wrongAmount.statusCode()).isEqualTo(409);
        assertThat(json(wrongAmount.body()).path("detail").asText()).contains("amount");

        String unknown = "{\"reference\":\"pg_never_sent\",\"status\":\"APPROVED\"}";
        assertThat(callback("acme", unknown, sign(ACME_SECRET, now, unknown)).statusCode()).isEqualTo(409);

        assertThat(order("cb-refused")).isEqualTo(before);
    }

    @Test
    void aDuplicateOfTheAppliedAnswerIsAcknowledged() throws Exception {
        JsonNode before = unknownOrder("cb-twice");
        String body = answer(before, "APPROVED", "acme-3", "10.00");
        assertThat(callback("acme", body, sign(ACME_SECRET, Instant.now().getEpochSecond(), body)).statusCode()).isEqualTo(200);
        JsonNode settled = order("cb-twice");
        // the provider retries with a new signature (new timestamp): acknowledged, nothing changes
        String again = body.replace("}", " }");
        assertThat(callback("acme", again, sign(ACME_SECRET, Instant.now().getEpochSecond() + 1, again)).statusCode())
                .isEqualTo(200);
        assertThat(order("cb-twice")).isEqualTo(settled);
    }

    @Test
    void providersWithoutACallbackSecretTakeNoCallbacks() throws Exception {
        String body = "{\"reference\":\"pg_x\",\"status\":\"APPROVED\"}";
        long now = Instant.now().getEpochSecond();
        assertThat(callback("initech", body, sign("anything", now, body)).statusCode()).isEqualTo(404);
        assertThat(callback("ACME", body, sign(ACME_SECRET, now, body)).statusCode()).isEqualTo(404);
    }

    @Test
    void aSignedBodyThatIsNotAnAnswerIs400NamingTheField() throws Exception {
        String body = "{\"reference\":\"pg_x\",\"status\":\"MAYBE\"}";
        HttpResponse<String> r = callback("acme", body, sign(ACME_SECRET, Instant.now().getEpochSecond(), body));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r.body()).path("errors").get(0).path("field").asText()).isEqualTo("/status");
    }

    // --- helpers -------------------------------------------------------------------------------

    static JsonNode unknownOrder(String orderId) throws Exception {
        paygate.postOrder(RunningPaygate.order(orderId, "10.00", "EUR", "tok_visa"));
        await().atMost(Duration.ofSeconds(20)).until(() -> "UNKNOWN".equals(paygate.statusOf(orderId)));
        return order(orderId);
    }

    static JsonNode order(String orderId) throws Exception {
        return json(paygate.get("/api/orders/" + orderId).body());
    }

    static String answer(JsonNode order, String status, String providerReference, String amount) {
        return "{\"reference\":\"" + order.path("reference").asText() + "\",\"status\":\"" + status
                + "\",\"providerReference\":\"" + providerReference + "\",\"reason\":null,\"amount\":\"" + amount
                + "\",\"currency\":\"EUR\"}";
    }

    static String sign(String secret, long t, String body) throws Exception {
        return "t=" + t + ",v1=" + WebhookDeliveryTest.hmacHex(secret, t + "." + body);
    }

    static HttpResponse<String> callback(String provider, String body, String signature) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(paygate.baseUrl() + "/api/providers/" + provider + "/callback"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            b.header("Paygate-Signature", signature);
        }
        return paygate.send(b.build());
    }
}
