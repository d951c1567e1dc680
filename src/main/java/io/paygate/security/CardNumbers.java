package io.paygate.security;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises primary account numbers: 13 to 19 digits passing the Luhn check, written plain or
 * grouped by single spaces or dashes. paygate handles provider tokens only; a text that holds
 * such a number is refused before it is stored, logged or audited.
 */
public final class CardNumbers {

    /** Digits, possibly in groups separated by one space or dash. */
    private static final Pattern DIGIT_RUN = Pattern.compile("[0-9]+(?:[ -][0-9]+)*");
    /** Card numbers are printed in groups of 3 to 6 digits (4-4-4-4, 4-6-5, 4-6-4). */
    private static final int MAX_GROUP = 6;

    private CardNumbers() {
    }

    public static boolean containsCardNumber(CharSequence text) {
        if (text == null) {
            return false;
        }
        Matcher m = DIGIT_RUN.matcher(text);
        while (m.find()) {
            String[] groups = m.group().split("[ -]");
            if (groups.length == 1 || !allShort(groups)) {
                // Plain digits, or groups that are not card formatting (a UUID's last block, say):
                // each group on its own.
                for (String group : groups) {
                    if (isCardNumber(group)) {
                        return true;
                    }
                }
            } else if (anyWindowIsCardNumber(groups)) {
                return true;
            }
        }
        return false;
    }

    /** Card-formatted groups may follow other digits ("+49 4111 1111 1111 1111"): try each run of groups. */
    private static boolean anyWindowIsCardNumber(String[] groups) {
        for (int start = 0; start < groups.length; start++) {
            StringBuilder digits = new StringBuilder();
            for (int end = start; end < groups.length && digits.length() <= 19; end++) {
                digits.append(groups[end]);
                if (isCardNumber(digits)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean allShort(String[] groups) {
        for (String g : groups) {
            if (g.length() > MAX_GROUP) {
                return false;
            }
        }
        return true;
    }

    private static boolean isCardNumber(CharSequence digits) {
        return digits.length() >= 13 && digits.length() <= 19 && luhnValid(digits);
    }

    static boolean luhnValid(CharSequence digits) {
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
