package io.paygate.audit;

import io.paygate.security.CardNumbers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that decides what of an audit event may be kept. Applied to every event on the
 * thread of the route that noted it, before the event is queued, written or logged:
 * <ul>
 *   <li>payment tokens are masked to their last 4 characters ({@code ****4242});</li>
 *   <li>credentials are removed with their key: API keys, secrets, passwords, Authorization,
 *       signatures, cookies, card security codes and any other {@code ...token} (access, refresh, session);</li>
 *   <li>any Luhn-valid run of 13 to 19 digits (plain or grouped by spaces or dashes) is replaced,
 *       in values and in key names alike;</li>
 *   <li>e-mail addresses keep their first character and domain ({@code j***@example.com}), also
 *       inside free text; phone numbers keep their last 2 digits ({@code ***67}).</li>
 * </ul>
 * Keys are matched by name, whatever their case or punctuation ({@code X-Api-Key}, {@code api_key}
 * and {@code apiKey} are the same key).
 */
public final class Redactor {

    public static final String CARD_NUMBER_REMOVED = "[card number removed]";
    static final int MAX_TEXT = 1000;

    /** Key names (normalised) that hold a payment token: masked, not removed, so a step can be matched to its order. */
    private static final Set<String> PAYMENT_TOKEN_KEYS = Set.of("token", "paymenttoken", "cardtoken", "wallettoken",
            "banktoken", "providertoken", "paymentmethodtoken");
    /** Key names (normalised) containing one of these are credentials or card security data: removed. */
    private static final List<String> SECRET_PARTS = List.of("apikey", "secret", "password", "passwd", "passphrase",
            "authorization", "signature", "credential", "cookie", "privatekey", "cvv", "cvc", "securitycode");
    private static final Set<String> SECRET_KEYS = Set.of("auth", "pin", "key", "sig");
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){1,8}");

    private Redactor() {
    }

    /** A redacted deep copy of an event's detail; the input is not changed. */
    public static Map<String, Object> redact(Map<String, ?> detail) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (detail == null) {
            return out;
        }
        detail.forEach((key, value) -> {
            String name = key == null ? "" : key;
            String normal = normalise(name);
            if (isSecret(normal)) {
                return;
            }
            String safeName = text(name);
            if (PAYMENT_TOKEN_KEYS.contains(normal)) {
                out.put(safeName, value == null ? null : maskToken(String.valueOf(value)));
            } else if (normal.contains("email")) {
                out.put(safeName, value == null ? null : maskEmail(String.valueOf(value)));
            } else if (normal.contains("phone") || normal.contains("mobile") || normal.contains("msisdn")) {
                out.put(safeName, value == null ? null : maskPhone(String.valueOf(value)));
            } else {
                out.put(safeName, value(value));
            }
        });
        return out;
    }

    /** Free text that may hold card numbers or e-mail addresses (a reason, a provider message). */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        String clean = maskEmailsIn(withoutCardNumbers(text));
        return clean.length() > MAX_TEXT ? clean.substring(0, MAX_TEXT) + "…" : clean;
    }

    /** {@code tok_visa_4242} → {@code ****4242}; 4 characters or fewer → {@code ****}. */
    public static String maskToken(String token) {
        if (token == null) {
            return null;
        }
        String last4 = token.length() > 4 ? token.substring(token.length() - 4) : "";
        return "****" + text(last4);
    }

    /** {@code jane.doe@example.com} → {@code j***@example.com}; anything else → {@code ***}. */
    public static String maskEmail(String email) {
        if (email == null) {
            return null;
        }
        int at = email.lastIndexOf('@');
        if (at < 1 || at == email.length() - 1) {
            return "***";
        }
        return email.charAt(0) + "***@" + text(email.substring(at + 1));
    }

    /** {@code +49 170 1234567} → {@code ***67}; fewer than 3 digits → {@code ***}. */
    public static String maskPhone(String phone) {
        if (phone == null) {
            return null;
        }
        StringBuilder digits = new StringBuilder();
        for (int i = 0; i < phone.length(); i++) {
            if (isDigit(phone.charAt(i))) {
                digits.append(phone.charAt(i));
            }
        }
        return digits.length() < 3 ? "***" : "***" + digits.substring(digits.length() - 2);
    }

    private static Object value(Object value) {
        if (value == null || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number n) {
            String digits = n.toString();
            return withoutCardNumbers(digits).equals(digits) ? n : CARD_NUMBER_REMOVED;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), v));
            return redact(copy);
        }
        if (value instanceof Collection<?> list) {
            List<Object> copy = new ArrayList<>();
            for (Object item : list) {
                copy.add(value(item));
            }
            return copy;
        }
        if (value instanceof Record record) {
            return value(recordAsMap(record));
        }
        return text(String.valueOf(value));
    }

    private static Map<String, Object> recordAsMap(Record record) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (var component : record.getClass().getRecordComponents()) {
            try {
                component.getAccessor().setAccessible(true);
                map.put(component.getName(), component.getAccessor().invoke(record));
            } catch (ReflectiveOperationException | RuntimeException e) {
                map.put(component.getName(), "[unreadable]");
            }
        }
        return map;
    }

    private static boolean isSecret(String normalKey) {
        if (SECRET_KEYS.contains(normalKey)) {
            return true;
        }
        for (String part : SECRET_PARTS) {
            if (normalKey.contains(part)) {
                return true;
            }
        }
        // access_token, refreshToken, X-Session-Token, bearerToken...: credentials, not payment tokens
        return normalKey.endsWith("token") && !PAYMENT_TOKEN_KEYS.contains(normalKey);
    }

    private static String normalise(String key) {
        StringBuilder b = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                b.append(Character.toLowerCase(c));
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    private static String maskEmailsIn(String text) {
        if (text.indexOf('@') < 0) {
            return text;
        }
        Matcher m = EMAIL.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(maskEmail(m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Card numbers out, by the one rule that also refuses them at the door ({@link CardNumbers}). */
    private static String withoutCardNumbers(String text) {
        return CardNumbers.mask(text, CARD_NUMBER_REMOVED);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
