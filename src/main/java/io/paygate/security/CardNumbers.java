package io.paygate.security;

/**
 * Recognises primary account numbers: 13 to 19 digits passing the Luhn check, written plain or
 * in groups. paygate handles provider tokens only; a text that holds such a number is refused
 * before it is stored, logged or audited, and {@link #mask} is the one rule for blanking them out.
 *
 * <p>How a text is read, in one pass and without regular expressions (a 64 KiB body costs
 * O(n) time and constant stack):
 * <ul>
 *   <li>A <em>group</em> is a maximal run of decimal digits (any script's digits count).</li>
 *   <li>Any run of characters that are neither letters nor digits ({@code " "}, {@code "-"},
 *       {@code "."}, {@code "_"}, {@code "//"}, {@code " -- "}, a line break, …) separates groups
 *       of one number; a letter ends it. "4111.1111_1111 -- 1111" is one card number.</li>
 *   <li>Cards are printed in groups of 3 to 6 digits (4-4-4-4, 4-6-5, 4-6-4), so a group of more
 *       than {@value #MAX_GROUP} digits is never joined to its neighbours and counts on its own:
 *       a UUID's or reference's long digit block next to a short one is not a card.</li>
 *   <li>Joined groups may follow other digits ("+49 4111 1111 1111 1111"), so every run of
 *       consecutive groups holding 13 to 19 digits is tried; digits are never split inside a
 *       group (a 23-digit number is not a card).</li>
 * </ul>
 */
public final class CardNumbers {

    /** Replaces each card number in {@link #mask}. */
    public static final String MASK = "[card]";
    /** Card numbers are printed in groups of 3 to 6 digits; longer digit runs stand alone. */
    private static final int MAX_GROUP = 6;
    private static final int MIN_DIGITS = 13;
    private static final int MAX_DIGITS = 19;

    private CardNumbers() {
    }

    public static boolean containsCardNumber(CharSequence text) {
        return text != null && hasEnoughDigits(text) && new Scan(text).next() != null;
    }

    /** The text with every card number (from its first to its last digit) replaced by {@value #MASK}. */
    public static String mask(String text) {
        return mask(text, MASK);
    }

    /** The text with every card number (from its first to its last digit) replaced by {@code replacement}. */
    public static String mask(String text, String replacement) {
        if (text == null || !hasEnoughDigits(text)) {
            return text;
        }
        Scan scan = new Scan(text);
        StringBuilder out = null;
        int copied = 0;
        for (int[] found = scan.next(); found != null; found = scan.next()) {
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, found[0]).append(replacement);
            copied = found[1];
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /**
     * Whether the text holds at least {@value #MIN_DIGITS} decimal digits in all: no card number
     * fits in fewer. Most texts audited and screened (a status, a currency, a name) have fewer and
     * skip the scan and its buffers (it runs on every field of every order).
     */
    private static boolean hasEnoughDigits(CharSequence text) {
        int digits = 0;
        int n = text.length();
        for (int i = 0; i < n; ) {
            int cp = Character.codePointAt(text, i);
            if (Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER && ++digits >= MIN_DIGITS) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }

    /**
     * One pass over the text. It keeps the last groups of the current number (at most 19 of them
     * can take part in a card number), and after each group tries the runs of groups that end
     * with it. Found spans never overlap: after a find, the window restarts behind it.
     */
    private static final class Scan {

        private final CharSequence text;
        private int at;
        // The window: the current number's last groups, oldest first (a ring of MAX_DIGITS entries).
        private final int[] starts = new int[MAX_DIGITS];
        private final int[] ends = new int[MAX_DIGITS];
        private final int[] lengths = new int[MAX_DIGITS];
        private final byte[] digits = new byte[MAX_DIGITS * MAX_GROUP]; // slot k at k * MAX_GROUP
        private final byte[] groupDigits = new byte[MAX_GROUP];
        private int first;
        private int count;

        Scan(CharSequence text) {
            this.text = text;
        }

        /** The next card number as {start, end} character offsets, or null. */
        int[] next() {
            int n = text.length();
            while (at < n) {
                int cp = Character.codePointAt(text, at);
                int value = Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER ? Character.digit(cp, 10) : -1;
                if (value < 0) {
                    if (Character.isLetter(cp)) {
                        count = 0; // a letter ends the number; any other character separates its groups
                    }
                    at += Character.charCount(cp);
                    continue;
                }
                int[] found = group();
                if (found != null) {
                    return found;
                }
            }
            return null;
        }

        /** Reads the group starting at {@code at}; returns a card number ending with it, if any. */
        private int[] group() {
            int n = text.length();
            int start = at;
            int length = 0;
            int sum0 = 0; // Luhn sum of the group's digits, counted from its right end, unshifted
            int sum1 = 0; // the same with the doubling shifted by one
            byte[] own = groupDigits;
            while (at < n) {
                int cp = Character.codePointAt(text, at);
                if (Character.getType(cp) != Character.DECIMAL_DIGIT_NUMBER) {
                    break;
                }
                int d = Character.digit(cp, 10);
                // appending a digit shifts every earlier digit's doubling by one
                int newSum0 = sum1 + d;
                int newSum1 = sum0 + doubled(d);
                sum0 = newSum0;
                sum1 = newSum1;
                if (length < MAX_GROUP) {
                    own[length] = (byte) d;
                }
                length++;
                at += Character.charCount(cp);
            }
            int end = at;
            if (length > MAX_GROUP) {
                // not card formatting: stands alone, and the number restarts after it
                count = 0;
                return length >= MIN_DIGITS && length <= MAX_DIGITS && sum0 % 10 == 0 ? new int[] {start, end} : null;
            }
            push(start, end, length, own);
            return windowEndingHere();
        }

        private void push(int start, int end, int length, byte[] own) {
            if (count == MAX_DIGITS) {
                first = (first + 1) % MAX_DIGITS;
                count--;
            }
            int slot = (first + count) % MAX_DIGITS;
            starts[slot] = start;
            ends[slot] = end;
            lengths[slot] = length;
            System.arraycopy(own, 0, digits, slot * MAX_GROUP, length);
            count++;
        }

        /** Tries the runs of groups ending with the newest one, shortest first: at most 19 runs of at most 19 digits. */
        private int[] windowEndingHere() {
            int total = 0;
            int sum = 0;
            for (int back = 0; back < count; back++) {
                int slot = (first + count - 1 - back) % MAX_DIGITS;
                int base = slot * MAX_GROUP;
                for (int k = lengths[slot] - 1; k >= 0; k--) {
                    int d = digits[base + k];
                    sum += total % 2 == 1 ? doubled(d) : d;
                    total++;
                }
                if (total > MAX_DIGITS) {
                    return null;
                }
                if (total >= MIN_DIGITS && sum % 10 == 0) {
                    int[] found = {starts[slot], ends[(first + count - 1) % MAX_DIGITS]};
                    count = 0;
                    first = 0;
                    return found;
                }
            }
            return null;
        }

    }

    static boolean luhnValid(CharSequence digits) {
        int sum = 0;
        boolean doubleIt = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (doubleIt) {
                d = doubled(d);
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    private static int doubled(int d) {
        return d * 2 > 9 ? d * 2 - 9 : d * 2;
    }
}
