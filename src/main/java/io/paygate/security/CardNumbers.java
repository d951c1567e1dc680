package io.paygate.security;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises primary account numbers: 13 to 19 digits, optionally grouped by single spaces
 * or dashes, passing the Luhn check. paygate handles provider tokens only; a text that holds
 * such a number is refused before it is stored, logged or audited.
 */
public final class CardNumbers {

    private static final Pattern DIGIT_RUN = Pattern.compile("(?<![0-9])[0-9](?:[ -]?[0-9]){12,}(?![0-9])");

    private CardNumbers() {
    }

    public static boolean containsCardNumber(CharSequence text) {
        if (text == null) {
            return false;
        }
        Matcher m = DIGIT_RUN.matcher(text);
        while (m.find()) {
            String digits = m.group().replace(" ", "").replace("-", "");
            if (digits.length() >= 13 && digits.length() <= 19 && luhnValid(digits)) {
                return true;
            }
        }
        return false;
    }

    static boolean luhnValid(String digits) {
        int sum = 0;
        boolean doubleIt = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }
}
