package io.paygate.order;

import static io.paygate.testing.RunningPaygate.DEMO_KEY;
import static io.paygate.testing.RunningPaygate.OTHER_KEY;
import static io.paygate.testing.RunningPaygate.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.testing.RunningPaygate;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The storefront contract's refusals, one row per invalid request: the status, the exact set of
 * JSON-pointer field paths reported, an RFC 9457 body without internals, and nothing stored.
 */
class InvalidOrdersTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CARD_MESSAGE = "send a provider token, not a card number";

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of("paygate.sync-wait", "2s"));

    /** One request and what the contract says paygate answers to it. */
    record Case(String name, String method, String apiKey, String contentType, byte[] body, Map<String, String> headers,
                int status, Set<String> fields, List<String> secrets, String messageContains) {

        @Override
        public String toString() {
            return name;
        }

        Case withKey(String key) {
            return new Case(name, method, key, contentType, body, headers, status, fields, secrets, messageContains);
        }

        Case withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Case(this.name, method, apiKey, contentType, body, h, status, fields, secrets, messageContains);
        }

        Case withContentType(String type) {
            return new Case(name, method, apiKey, type, body, headers, status, fields, secrets, messageContains);
        }

        Case withMethod(String m) {
            return new Case(name, m, apiKey, contentType, body, headers, status, fields, secrets, messageContains);
        }
    }

    // --- building bodies -------------------------------------------------------------------

    static ObjectNode base() {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("orderId", uniqueId("inv-"));
        o.put("amount", "12.50");
        o.put("currency", "EUR");
        ObjectNode pm = o.putObject("paymentMethod");
        pm.put("type", "card_token");
        pm.put("token", "tok_visa");
        return o;
    }

    /**
     * A fresh orderId without long digit runs: "ord-" + UUID trips the card-number screen for
     * about 1 in 460 UUIDs (e.g. "...-a665-2008015986f9" holds a Luhn-valid 13-digit number).
     */
    static String uniqueId(String prefix) {
        StringBuilder id = new StringBuilder(prefix);
        java.util.concurrent.ThreadLocalRandom.current().ints(16, 'a', 'z' + 1).forEach(ch -> id.append((char) ch));
        return id.toString();
    }

    static String body(Consumer<ObjectNode> change) {
        ObjectNode o = base();
        change.accept(o);
        return o.toString();
    }

    static ObjectNode pm(ObjectNode o) {
        return (ObjectNode) o.get("paymentMethod");
    }

    static Case bad(String name, String body, String... fields) {
        return new Case(name, "POST", DEMO_KEY, "application/json", body.getBytes(StandardCharsets.UTF_8), Map.of(), 400,
                Set.of(fields), List.of(), null);
    }

    static Case badBytes(String name, byte[] body, String... fields) {
        return new Case(name, "POST", DEMO_KEY, "application/json", body, Map.of(), 400, Set.of(fields), List.of(), null);
    }

    static Case card(String name, String body, String field, String... secrets) {
        return new Case(name, "POST", DEMO_KEY, "application/json", body.getBytes(StandardCharsets.UTF_8), Map.of(), 400,
                Set.of(field), List.of(secrets), CARD_MESSAGE);
    }

    static Case envelope(String name, String method, String contentType, byte[] body, int status) {
        return new Case(name, method, DEMO_KEY, contentType, body, Map.of(), status, Set.of(), List.of(), null);
    }

    static Stream<Case> invalidRequests() {
        List<Case> cases = new ArrayList<>();
        String valid = base().toString();

        // missing required fields
        cases.add(bad("missing orderId", body(o -> o.remove("orderId")), "/orderId"));
        cases.add(bad("missing amount", body(o -> o.remove("amount")), "/amount"));
        cases.add(bad("missing currency", body(o -> o.remove("currency")), "/currency"));
        cases.add(bad("missing paymentMethod", body(o -> o.remove("paymentMethod")), "/paymentMethod"));
        cases.add(bad("missing paymentMethod.type", body(o -> pm(o).remove("type")), "/paymentMethod/type"));
        cases.add(bad("missing paymentMethod.token", body(o -> pm(o).remove("token")), "/paymentMethod/token"));
        cases.add(bad("empty object", "{}", "/orderId", "/amount", "/currency", "/paymentMethod"));

        // wrong types and nulls
        cases.add(bad("amount is a number", body(o -> o.put("amount", new java.math.BigDecimal("12.50"))), "/amount"));
        cases.add(bad("amount is an integer", body(o -> o.put("amount", 12)), "/amount"));
        cases.add(bad("paymentMethod is an array", body(o -> o.putArray("paymentMethod").add("card_token")), "/paymentMethod"));
        cases.add(bad("paymentMethod is a string", body(o -> o.put("paymentMethod", "tok_visa")), "/paymentMethod"));
        cases.add(bad("orderId is an object", body(o -> o.putObject("orderId").put("id", "x")), "/orderId"));
        cases.add(bad("orderId is null", body(o -> o.putNull("orderId")), "/orderId"));
        cases.add(bad("amount is null", body(o -> o.putNull("amount")), "/amount"));
        cases.add(bad("currency is a boolean", body(o -> o.put("currency", true)), "/currency"));
        cases.add(bad("token is a number", body(o -> pm(o).put("token", 42)), "/paymentMethod/token"));
        cases.add(bad("customer is a string", body(o -> o.put("customer", "Jane")), "/customer"));
        cases.add(bad("customer.name is a number", body(o -> o.putObject("customer").put("name", 7)), "/customer/name"));
        cases.add(bad("callbackUrl is an array", body(o -> o.putArray("callbackUrl").add("https://shop.example/cb")),
                "/callbackUrl"));

        // orderId
        cases.add(bad("orderId too long (65)", body(o -> o.put("orderId", "o".repeat(65))), "/orderId"));
        cases.add(bad("orderId with a space", body(o -> o.put("orderId", "ord 1")), "/orderId"));
        cases.add(bad("orderId with a slash", body(o -> o.put("orderId", "ord/1")), "/orderId"));
        cases.add(bad("orderId with non-ASCII", body(o -> o.put("orderId", "ordé-1")), "/orderId"));
        cases.add(bad("orderId empty", body(o -> o.put("orderId", "")), "/orderId"));

        // amount
        cases.add(bad("amount 0.00", body(o -> o.put("amount", "0.00")), "/amount"));
        cases.add(bad("amount -1.00", body(o -> o.put("amount", "-1.00")), "/amount"));
        cases.add(bad("amount 1.5 EUR", body(o -> o.put("amount", "1.5")), "/amount"));
        cases.add(bad("amount 1.000 EUR", body(o -> o.put("amount", "1.000")), "/amount"));
        cases.add(bad("amount 12 EUR (no minor units)", body(o -> o.put("amount", "12")), "/amount"));
        cases.add(bad("amount 1.00 JPY", body(o -> { o.put("currency", "JPY"); o.put("amount", "1.00"); }), "/amount"));
        cases.add(bad("amount 12.34 KWD", body(o -> { o.put("currency", "KWD"); o.put("amount", "12.34"); }), "/amount"));
        cases.add(bad("amount 1e3", body(o -> o.put("amount", "1e3")), "/amount"));
        cases.add(bad("amount with leading space", body(o -> o.put("amount", " 1.00")), "/amount"));
        cases.add(bad("amount with decimal comma", body(o -> o.put("amount", "1,00")), "/amount"));
        cases.add(bad("amount with leading zero", body(o -> o.put("amount", "01.00")), "/amount"));
        cases.add(bad("amount empty", body(o -> o.put("amount", "")), "/amount"));
        cases.add(bad("amount over max EUR", body(o -> o.put("amount", "1000000.01")), "/amount"));
        cases.add(bad("amount over max JPY", body(o -> { o.put("currency", "JPY"); o.put("amount", "150000001"); }), "/amount"));
        cases.add(bad("amount over max KWD", body(o -> { o.put("currency", "KWD"); o.put("amount", "300000.001"); }), "/amount"));

        // currency
        cases.add(bad("currency lower case", body(o -> o.put("currency", "eur")), "/currency"));
        cases.add(bad("currency two letters", body(o -> o.put("currency", "EU")), "/currency"));
        cases.add(bad("currency XXX (no minor units)", body(o -> o.put("currency", "XXX")), "/currency"));
        cases.add(bad("currency ZZZ (not ISO 4217)", body(o -> o.put("currency", "ZZZ")), "/currency"));
        cases.add(bad("currency not accepted by merchant other (GBP)", body(o -> o.put("currency", "GBP")), "/currency")
                .withKey(OTHER_KEY));
        cases.add(bad("currency not accepted by merchant other (JPY)",
                body(o -> { o.put("currency", "JPY"); o.put("amount", "1500"); }), "/currency").withKey(OTHER_KEY));

        // payment method
        cases.add(bad("unknown payment type", body(o -> pm(o).put("type", "credit_card")), "/paymentMethod/type"));
        cases.add(bad("blank token", body(o -> pm(o).put("token", "   ")), "/paymentMethod/token"));
        cases.add(bad("empty token", body(o -> pm(o).put("token", "")), "/paymentMethod/token"));
        cases.add(bad("token with a space", body(o -> pm(o).put("token", "tok visa")), "/paymentMethod/token"));

        // callback URL
        cases.add(bad("callbackUrl ftp", body(o -> o.put("callbackUrl", "ftp://shop.example/cb")), "/callbackUrl"));
        cases.add(bad("callbackUrl relative", body(o -> o.put("callbackUrl", "/payments/callback")), "/callbackUrl"));
        cases.add(bad("callbackUrl not a url", body(o -> o.put("callbackUrl", "not a url")), "/callbackUrl"));
        cases.add(bad("callbackUrl without host", body(o -> o.put("callbackUrl", "https:///cb")), "/callbackUrl"));

        // customer
        cases.add(bad("email without domain", body(o -> o.putObject("customer").put("email", "buyer@")), "/customer/email"));
        cases.add(bad("email without at sign", body(o -> o.putObject("customer").put("email", "buyer.example.com")),
                "/customer/email"));
        cases.add(bad("customer.name too long", body(o -> o.putObject("customer").put("name", "n".repeat(257))),
                "/customer/name"));

        cases.add(bad("customer over 4000 characters as JSON (escaped control characters)", body(o -> o.putObject("customer")
                .put("id", "\u0001".repeat(256)).put("name", "\u0001".repeat(256)).put("phone", "\u0001".repeat(256))
                .put("country", "\u0001".repeat(256))), "/customer"));

        // unknown fields
        cases.add(bad("unknown top-level field", body(o -> o.put("coupon", "SAVE10")), "/coupon"));
        cases.add(bad("unknown paymentMethod field", body(o -> pm(o).put("cvv", "123")), "/paymentMethod/cvv"));
        cases.add(bad("unknown customer field", body(o -> o.putObject("customer").put("address", "Main St 1")),
                "/customer/address"));
        cases.add(bad("unknown field with a slash in its name", body(o -> o.put("a/b", "x")), "/a~1b"));

        // provider
        cases.add(bad("unknown provider", body(o -> o.put("provider", "initech")), "/provider"));

        // several problems at once
        cases.add(bad("several errors at once", body(o -> {
            o.remove("orderId");
            o.put("amount", "twelve");
            o.put("currency", "eur");
            pm(o).put("type", "cash");
            pm(o).put("token", "");
            o.put("callbackUrl", "ftp://x");
            o.putObject("customer").put("email", "nope").put("shoeSize", "44");
            o.put("provider", "initech");
            o.put("coupon", "SAVE10");
        }), "/orderId", "/amount", "/currency", "/paymentMethod/type", "/paymentMethod/token", "/callbackUrl",
                "/customer/email", "/customer/shoeSize", "/provider", "/coupon"));

        // not an object
        cases.add(bad("body is an array", "[" + valid + "]", ""));
        cases.add(bad("body is a string", "\"an order\"", ""));
        cases.add(bad("body is a number", "42", ""));
        cases.add(bad("body is null", "null", ""));

        // card numbers: refused, named by field, never echoed
        cases.add(card("card number as token", body(o -> pm(o).put("token", "4111111111111111")), "/paymentMethod/token",
                "4111111111111111"));
        cases.add(card("card number with spaces in customer.name",
                body(o -> o.putObject("customer").put("name", "Jane 5500 0000 0000 0004 Doe")), "/customer/name",
                "5500 0000 0000 0004", "5500000000000004"));
        cases.add(card("card number with dashes in customer.phone",
                body(o -> o.putObject("customer").put("phone", "4012-8888-8888-1881")), "/customer/phone",
                "4012-8888-8888-1881", "4012888888881881"));
        cases.add(card("card number in an unknown field", body(o -> o.put("pan", "378282246310005")), "/pan",
                "378282246310005"));
        cases.add(card("card number as a JSON number", body(o -> o.put("amount", 6011111111111117L)), "/amount",
                "6011111111111117"));
        cases.add(card("card number as a field name", body(o -> o.put("4111111111111111", "x")), "",
                "4111111111111111"));
        cases.add(card("card number in a nested unknown array",
                body(o -> o.putArray("notes").add("fine").add("card 3530111333300000 please")), "/notes/1",
                "3530111333300000"));
        cases.add(card("card number written with JSON escapes",
                body(o -> pm(o).put("token", "4111111111111111")).replace("4111111111111111",
                        "\\u00341\\u00311111111111111"), "/paymentMethod/token", "4111111111111111"));
        cases.add(card("card number in a body that is not JSON",
                "{\"orderId\": \"x\", \"note\": \"4111111111111111\"", "", "4111111111111111"));

        // the JSON itself
        cases.add(bad("malformed JSON", "{\"orderId\": \"x\", amount: 12}", ""));
        cases.add(bad("truncated JSON", valid.substring(0, valid.length() / 2), ""));
        cases.add(bad("trailing garbage", valid + " {}", ""));
        cases.add(bad("duplicate keys", valid.replace("\"currency\":\"EUR\"", "\"currency\":\"EUR\",\"currency\":\"USD\""), ""));
        cases.add(bad("nesting deeper than allowed", "{\"x\":" + "[".repeat(100) + "]".repeat(100) + "}", ""));
        cases.add(bad("empty body", "", ""));
        cases.add(bad("number with an exponent below the int range", valid.replace("\"amount\":\"12.50\"",
                "\"amount\":1e-2147483648"), ""));
        cases.add(bad("number with an exponent above the int range", valid.replace("}}", "},\"x\":1E+2147483648}"), ""));
        cases.add(bad("number with an 11-digit exponent", valid.replace("}}", "},\"x\":1e99999999999}"), ""));
        cases.add(badBytes("body is not UTF-8", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, ""));

        // the envelope
        byte[] validBytes = valid.getBytes(StandardCharsets.UTF_8);
        cases.add(envelope("Content-Type text/plain", "POST", "text/plain", validBytes, 415));
        cases.add(envelope("no Content-Type", "POST", null, validBytes, 415));
        cases.add(envelope("Content-Type application/xml", "POST", "application/xml", validBytes, 415));
        cases.add(envelope("charset other than UTF-8", "POST", "application/json; charset=ISO-8859-1", validBytes, 415));
        String big = body(o -> o.put("coupon", "x".repeat(70_000)));
        cases.add(envelope("body over 64 KiB", "POST", "application/json", big.getBytes(StandardCharsets.UTF_8), 413));
        cases.add(envelope("PUT /api/orders", "PUT", "application/json", validBytes, 405));
        cases.add(envelope("DELETE /api/orders", "DELETE", null, null, 405));
        cases.add(envelope("PATCH /api/orders", "PATCH", "application/json", validBytes, 405));
        cases.add(envelope("no API key", "POST", "application/json", validBytes, 401).withKey(null));
        cases.add(envelope("unknown API key", "POST", "application/json", validBytes, 401).withKey("guess"));

        // the Idempotency-Key header
        cases.add(bad("Idempotency-Key too long (256)", valid, "Idempotency-Key").withHeader("Idempotency-Key", "k".repeat(256)));
        // a control character: the JDK client writes non-ASCII header characters as '?' over HTTP/1.1
        cases.add(bad("Idempotency-Key not printable ASCII", valid, "Idempotency-Key").withHeader("Idempotency-Key", "key\twith-tab"));
        cases.add(bad("Idempotency-Key invalid plus a field error", body(o -> o.remove("currency")), "/currency",
                "Idempotency-Key").withHeader("Idempotency-Key", "k".repeat(300)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRequests")
    void isRefusedWithEveryProblemNamedAndNothingStored(Case c) throws Exception {
        long before = paygate.orderCount();
        long keysBefore = paygate.countRows("SELECT COUNT(*) FROM idempotency_keys");

        HttpResponse<String> r = send(c);
        String request = c.method() + " " + c.contentType() + " " + (c.body() == null ? ""
                : new String(c.body(), 0, Math.min(c.body().length, 400), StandardCharsets.UTF_8));

        assertThat(r.statusCode()).as("%s: status; request %s; answer %s", c.name(), request, r.body()).isEqualTo(c.status());
        assertThat(r.headers().firstValue("Content-Type")).as("Content-Type").hasValue("application/problem+json");
        JsonNode problem = json(r.body());
        assertThat(problem.path("type").isTextual()).as("type in %s", r.body()).isTrue();
        assertThat(problem.path("title").isTextual()).as("title in %s", r.body()).isTrue();
        assertThat(problem.path("status").asInt()).as("status in %s", r.body()).isEqualTo(c.status());
        assertThat(fields(problem)).as("%s: field paths; request %s; answer %s", c.name(), request, r.body()).isEqualTo(c.fields());
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("at io.").doesNotContain("\tat ");
        if (c.status() == 405) {
            assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        }
        if (c.status() == 401) {
            assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
        }
        if (c.messageContains() != null) {
            assertThat(problem.path("errors").get(0).path("message").asText()).contains(c.messageContains());
        }
        for (String secret : c.secrets()) {
            assertThat(r.body()).as("the answer must not repeat the card number").doesNotContain(secret);
            assertThat(r.headers().map().toString()).doesNotContain(secret);
        }
        assertThat(paygate.orderCount()).as("orders stored").isEqualTo(before);
        assertThat(paygate.countRows("SELECT COUNT(*) FROM idempotency_keys")).as("keys stored").isEqualTo(keysBefore);
    }

    /** Every refusal above is meaningful only if the body it was derived from is accepted. */
    @Test
    void theBaseBodyAndTheBoundariesAreAccepted() throws Exception {
        assertThat(paygate.postOrder(base().toString()).statusCode()).isEqualTo(200);
        assertThat(paygate.postOrder(body(o -> { o.put("currency", "KWD"); o.put("amount", "12.345"); })).statusCode())
                .isEqualTo(200);
        assertThat(paygate.postOrder(body(o -> { o.put("currency", "JPY"); o.put("amount", "150000000"); })).statusCode())
                .isEqualTo(200);
        assertThat(paygate.postOrder(body(o -> o.put("amount", "1000000.00"))).statusCode()).isEqualTo(200);
        assertThat(paygate.postOrder(body(o -> o.put("orderId", "A-z0._:".repeat(9) + "o"))).statusCode()).isEqualTo(200);
        assertThat(paygate.postOrder(body(o -> {
            o.put("callbackUrl", "https://shop.example/payments/cb?x=1");
            o.put("provider", "globex");
            pm(o).put("type", "wallet_token");
            o.putObject("customer").put("id", "c-1").put("name", "Jane Doe").put("email", "jane@shop.example")
                    .put("phone", "+49 30 1234567").put("country", "DE");
        })).statusCode()).isEqualTo(200);
        assertThat(paygate.postOrder(base().toString(), OTHER_KEY, Map.of("Idempotency-Key", "~".repeat(255)))
                .statusCode()).isEqualTo(200);
    }

    static Set<String> fields(JsonNode problem) {
        Set<String> fields = new HashSet<>();
        problem.path("errors").forEach(e -> fields.add(e.path("field").asText()));
        return fields;
    }

    static HttpResponse<String> send(Case c) throws Exception {
        HttpRequest.BodyPublisher publisher = c.body() == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(c.body());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(paygate.baseUrl() + "/api/orders"))
                .timeout(Duration.ofSeconds(30))
                .method(c.method(), publisher);
        if (c.contentType() != null) {
            b.header("Content-Type", c.contentType());
        }
        if (c.apiKey() != null) {
            b.header("X-Api-Key", c.apiKey());
        }
        c.headers().forEach(b::header);
        return paygate.send(b.build());
    }
}
