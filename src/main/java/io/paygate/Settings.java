package io.paygate;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.util.TimeUtils;

/**
 * Typed access to paygate's keys in config/application.properties (after Camel resolved
 * placeholders and environment overrides). A missing required key, or a value that is not of
 * the key's type, fails start-up naming the key and what is wrong with the value: a typo must
 * never quietly become a default, a zero or false.
 */
public final class Settings {

    // Camel's TimeUtils reads "abc", "5S" or "PT5S" as zero without a word, so only text of
    // this shape reaches it: one or more <digits><unit> groups, e.g. 5s, 250ms, 1h30m.
    private static final Pattern UNIT_DURATION = Pattern.compile("(?:[0-9]{1,9}(?:ms|d|h|m|s))+");
    private static final String DURATION_EXAMPLES = "(examples: 5s, 250ms, PT5S)";
    private static final Set<String> TRUE_FALSE = Set.of("true", "false");

    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    public CamelContext context() {
        return context;
    }

    /**
     * Checks the settings that Camel or the YAML routes read themselves (where a bad value would
     * otherwise become a random port or a Camel error naming no setting). Settings read through
     * this class are checked when read.
     */
    public void checkValuesReadByCamel() {
        for (String key : INTEGERS_READ_BY_CAMEL) {
            optional(key).ifPresent(v -> parseInteger(key, v));
        }
    }

    private static final List<String> INTEGERS_READ_BY_CAMEL = List.of(
            "paygate.http.port", "paygate.dispatch.consumers", "paygate.replies.consumers", "paygate.sweeper.period-ms",
            "camel.component.http.connectTimeout", "camel.component.http.responseTimeout");

    public Optional<String> optional(String key) {
        return context.getPropertiesComponent().resolveProperty(key)
                .map(String::trim)
                .filter(v -> !v.isEmpty());
    }

    public String string(String key) {
        return optional(key).orElseThrow(() -> new IllegalStateException("missing setting " + key));
    }

    public String string(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    public int integer(String key, int fallback) {
        return optional(key).map(v -> parseInteger(key, v)).orElse(fallback);
    }

    public long longValue(String key, long fallback) {
        return optional(key).map(v -> parseLong(key, v)).orElse(fallback);
    }

    public boolean bool(String key, boolean fallback) {
        return optional(key).map(v -> parseBoolean(key, v)).orElse(fallback);
    }

    public Duration duration(String key, Duration fallback) {
        return optional(key).map(v -> parseDuration(key, v)).orElse(fallback);
    }

    public List<String> list(String key, String fallback) {
        return Arrays.stream(string(key, fallback).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** Only "true" or "false" (any letter case); "yes", "1" or "ture" fail naming the key. */
    public static boolean parseBoolean(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!TRUE_FALSE.contains(v)) {
            throw new InvalidSetting(key, value, "is not a boolean (true or false)");
        }
        return v.equals("true");
    }

    public static int parseInteger(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSetting(key, value, "is not an integer (e.g. 4)");
        }
    }

    public static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSetting(key, value, "is not an integer (e.g. 65536)");
        }
    }

    /** As {@link #parseDuration(String, String)}, for text that is not a setting (the message names no key). */
    public static Duration parseDuration(String text) {
        return parseDuration("duration", text);
    }

    /**
     * A non-negative duration: "5s", "250ms", "2m", "24h", "1d", combinations like "1h30m" (all read
     * by Camel's TimeUtils), or ISO-8601 such as "PT5S". A bare number is refused: its unit would
     * be a guess.
     */
    public static Duration parseDuration(String key, String value) {
        String t = value.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("p")) {
            try {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                // reported below
            }
        } else if (t.length() <= 64 && UNIT_DURATION.matcher(t).matches()) {
            return TimeUtils.toDuration(t);
        }
        throw new InvalidSetting(key, value, "is not a duration " + DURATION_EXAMPLES);
    }

    /** A setting whose value cannot be used; the message names the key, the value and why. */
    public static final class InvalidSetting extends IllegalArgumentException {
        public InvalidSetting(String key, String value, String problem) {
            super(key + ": \"" + printable(value) + "\" " + problem);
        }

        private static String printable(String value) {
            String v = value.length() > 80 ? value.substring(0, 80) + "…" : value;
            return v.replaceAll("\\p{Cntrl}", "?");
        }
    }
}
