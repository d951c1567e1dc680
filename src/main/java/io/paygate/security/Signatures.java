package io.paygate.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The one signature scheme of paygate, both ways: webhooks paygate sends to storefronts and
 * callbacks providers send to paygate carry
 * {@code Paygate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}.
 * The timestamp is inside the signed text, so a captured message cannot be re-dated.
 */
public final class Signatures {

    public static final String HEADER = "Paygate-Signature";

    /** What a presented signature turned out to be. */
    public enum Check { VALID, MALFORMED, MISMATCH, STALE }

    /** The check, and for a VALID one the matching v1 value (the key for replay detection). */
    public record Verification(Check check, String signature) {
        public boolean valid() {
            return check == Check.VALID;
        }
    }

    private Signatures() {
    }

    /** The header value for {@code body} signed at {@code timestamp}. */
    public static String header(String secret, long timestamp, byte[] body) {
        return "t=" + timestamp + ",v1=" + hmacHex(secret, timestamp, body);
    }

    public static String hmacHex(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Checks a presented header against {@code body}: one of its v1 values (several are allowed,
     * for secret rotation) must equal the HMAC, compared in constant time, and its timestamp must
     * be within {@code window} of {@code now} (either side).
     */
    public static Verification verify(String secret, String header, byte[] body, Instant now, Duration window) {
        if (header == null || header.length() > 1024) {
            return new Verification(Check.MALFORMED, null);
        }
        Long timestamp = null;
        List<String> presented = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) {
                continue;
            }
            if (kv[0].equals("t") && kv[1].matches("[0-9]{1,12}")) {
                timestamp = Long.parseLong(kv[1]);
            } else if (kv[0].equals("v1") && kv[1].matches("[0-9a-fA-F]{64}")) {
                presented.add(kv[1].toLowerCase());
            }
        }
        if (timestamp == null || presented.isEmpty()) {
            return new Verification(Check.MALFORMED, null);
        }
        byte[] expected = hmacHex(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        String match = null;
        for (String candidate : presented) {
            // every candidate is compared, so timing does not tell which one was close
            if (MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII))) {
                match = candidate;
            }
        }
        if (match == null) {
            return new Verification(Check.MISMATCH, null);
        }
        if (Math.abs(now.getEpochSecond() - timestamp) > window.toSeconds()) {
            return new Verification(Check.STALE, null);
        }
        return new Verification(Check.VALID, match);
    }
}
