package io.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CardNumbersTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "tok_4111111111111111",
            "378282246310005", "3782 822463 10005", "6011000990139424", "4222222222222",
            "+49 4111 1111 1111 1111", "card: 5555-5555-5555-4444."})
    void cardNumbersAreFound(String text) {
        assertThat(CardNumbers.containsCardNumber(text)).as(text).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "4111111111111112", "411111111111", "12.50", "order-2026-11-25", "+1 555 123 4567",
            "ord-5cbabf9e-ee55-4740-a665-2008015986f9", "pg_0819dc1550804c84b2caf26aa790fa8a",
            "41111111111111111111111", "4111  1111 1111 1111x"})
    void otherDigitsAreNot(String text) {
        assertThat(CardNumbers.containsCardNumber(text)).as(text).isFalse();
    }
}
