package io.paygate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What may stay in an audit event and what may not. */
class RedactorTest {

    @Test
    void paymentTokensKeepOnlyTheirLast4Characters() {
        Map<String, Object> out = Redactor.redact(Map.of("paymentMethod",
                Map.of("type", "card_token", "token", "tok_live_8f3k2j4242")));

        assertThat(out).isEqualTo(Map.of("paymentMethod", Map.of("type", "card_token", "token", "****4242")));
        assertThat(Redactor.maskToken("abc")).isEqualTo("****");
        assertThat(Redactor.redact(Map.of("payment_token", "tok_abcdef9999"))).containsEntry("payment_token", "****9999");
    }

    @ParameterizedTest
    @ValueSource(strings = {"apiKey", "X-Api-Key", "api_key", "clientSecret", "webhook-secret", "password",
            "db_passwd", "Authorization", "Paygate-Signature", "signature", "access_token", "refreshToken",
            "X-Session-Token", "bearerToken", "Cookie", "credentials", "cvv", "cvc", "securityCode", "privateKey"})
    void credentialsAreRemovedWithTheirKey(String key) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put(key, "s3cr3t-value");
        detail.put("orderId", "order-1");

        Map<String, Object> out = Redactor.redact(Map.of("request", detail));

        assertThat(out).isEqualTo(Map.of("request", Map.of("orderId", "order-1")));
        assertThat(out.toString()).doesNotContain("s3cr3t-value");
    }

    @Test
    void ordinaryKeysThatMerelyMentionATokenStay() {
        assertThat(Redactor.redact(Map.of("tokenType", "card_token", "step", "sent")))
                .isEqualTo(Map.of("tokenType", "card_token", "step", "sent"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5500005555555559",
            "378282246310005", "6011000990139424", "4222222222222"})
    void cardNumbersAreReplacedWhereverTheyAre(String pan) {
        Map<String, Object> out = Redactor.redact(Map.of(
                "reason", "provider says: card " + pan + " expired",
                "nested", List.of(Map.of("note", pan)),
                "field " + pan, "x"));

        String text = out.toString();
        assertThat(text).doesNotContain(pan).doesNotContain(pan.replaceAll("[ -]", ""));
        assertThat(out.get("reason")).isEqualTo("provider says: card " + Redactor.CARD_NUMBER_REMOVED + " expired");
        assertThat(out).containsKey("field " + Redactor.CARD_NUMBER_REMOVED);
    }

    @Test
    void cardNumbersAsJsonNumbersAreReplacedToo() {
        assertThat(Redactor.redact(Map.of("pan", 4111111111111111L))).containsEntry("pan", Redactor.CARD_NUMBER_REMOVED);
        assertThat(Redactor.redact(Map.of("attempt", 3, "latencyMs", 1234L)))
                .isEqualTo(Map.of("attempt", 3, "latencyMs", 1234L));
    }

    @Test
    void digitRunsThatAreNotCardNumbersStay() {
        // 16 digits failing Luhn; a 12-digit number; an order reference; a date
        Map<String, Object> detail = Map.of(
                "a", "4111111111111112", "b", "123456789012", "c", "pg_0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                "d", "2026-01-31T10:00:00Z");

        assertThat(Redactor.redact(detail)).isEqualTo(detail);
    }

    @Test
    void theCardScanIsLinearOnHostileInput() {
        String digits = "1 ".repeat(32_000) + "x";
        long start = System.nanoTime();
        Redactor.text(digits);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
    }

    @Test
    void emailsKeepTheirFirstCharacterAndDomain() {
        Map<String, Object> out = Redactor.redact(Map.of("customer", Map.of(
                "name", "Jane Doe", "email", "jane.doe@example.com", "phone", "+49 170 1234567")));

        assertThat(out).isEqualTo(Map.of("customer", Map.of(
                "name", "Jane Doe", "email", "j***@example.com", "phone", "***67")));
    }

    @Test
    void emailsInFreeTextAreMaskedToo() {
        assertThat(Redactor.text("webhook to bob.smith+shop@mail.example.org failed"))
                .isEqualTo("webhook to b***@mail.example.org failed");
        assertThat(Redactor.maskEmail("not-an-email")).isEqualTo("***");
        assertThat(Redactor.maskPhone("12")).isEqualTo("***");
    }

    @Test
    void longTextIsCut() {
        assertThat(Redactor.text("a".repeat(5000))).hasSize(Redactor.MAX_TEXT + 1);
    }

    @Test
    void theInputIsNotChanged() {
        Map<String, Object> detail = new LinkedHashMap<>(Map.of("token", "tok_1234567", "password", "x"));
        Redactor.redact(detail);
        assertThat(detail).containsEntry("token", "tok_1234567").containsEntry("password", "x");
    }
}
