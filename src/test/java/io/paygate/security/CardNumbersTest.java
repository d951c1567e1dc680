package io.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CardNumbersTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "tok_4111111111111111",
            "378282246310005", "3782 822463 10005", "6011000990139424", "4222222222222",
            "+49 4111 1111 1111 1111", "card: 5555-5555-5555-4444.",
            // any run of separators between groups (the reproduction and its relatives)
            "4111.1111.1111.1111", "4111_1111_1111_1111", "4111 -- 1111//1111 1111", "4111/1111\\1111|1111",
            "4111\n1111\t1111\r\n1111", "4111 ,.;:_+=*#~ 1111 1111 1111", "(4111) [1111] {1111} <1111>",
            "4111\u00a01111\u20131111\u20141111", "4111  1111 1111 1111x", "1.2.3.4.4111.1111.1111.1111",
            "4.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1", "x4111111111111111x",
            // digits of other scripts read as digits (fullwidth)
            "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
            // a long digit block stands alone, the card after it is still found
            "ref 1234567 4111 1111 1111 1111"})
    void cardNumbersAreFound(String text) {
        assertThat(CardNumbers.containsCardNumber(text)).as(text).isTrue();
        assertThat(CardNumbers.mask(text)).as(text).contains(CardNumbers.MASK);
        assertThat(CardNumbers.containsCardNumber(CardNumbers.mask(text))).as("masked " + text).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "4111111111111112", "411111111111", "12.50", "order-2026-11-25", "+1 555 123 4567",
            "ord-5cbabf9e-ee55-4740-a665-2008015986f9", "pg_0819dc1550804c84b2caf26aa790fa8a",
            "41111111111111111111111", "4111 1111 1111 111x1", "4111a1111b1111c1111", "", "-- // ..",
            // a UUID whose long block (10+ digits) follows a short one: the long block stands alone
            "5cbabf9e-ee55-4740-a665-2008015986f9", "4111.1111.1111.1112"})
    void otherDigitsAreNot(String text) {
        assertThat(CardNumbers.containsCardNumber(text)).as(text).isFalse();
        assertThat(CardNumbers.mask(text)).as(text).isEqualTo(text);
    }

    @Test
    void maskReplacesEachCardNumberFromItsFirstToItsLastDigit() {
        assertThat(CardNumbers.mask("orderId 4111.1111.1111.1111, token tok_4111_1111_1111_1111!"))
                .isEqualTo("orderId [card], token tok_[card]!");
        assertThat(CardNumbers.mask("call +49 4111 1111 1111 1111 now")).isEqualTo("call +49 [card] now");
        assertThat(CardNumbers.mask("4111111111111111 5555555555554444")).isEqualTo("[card] [card]");
        assertThat(CardNumbers.mask(null)).isNull();
    }

    @Test
    void sixtyFourKilobytesOfDigitGroupsAreReadInOnePass() {
        String ones = "1 ".repeat(32 * 1024);
        String card = ones + "4111.1111.1111.1111";
        assertThatCode(() -> {
            for (int k = 0; k < 20; k++) {
                assertThat(CardNumbers.containsCardNumber(ones)).isFalse();
                assertThat(CardNumbers.containsCardNumber(card)).isTrue();
                assertThat(CardNumbers.mask(ones)).isSameAs(ones);
            }
        }).doesNotThrowAnyException();
        // linear: 20 rounds over 64 KiB take milliseconds; a backtracking matcher took seconds or overflowed
        long started = System.nanoTime();
        CardNumbers.containsCardNumber("1-".repeat(512 * 1024));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
}
