package io.paygate.security;

import io.paygate.api.ApiProblem;
import java.security.MessageDigest;
import org.apache.camel.Exchange;

/**
 * First step of every operator route ({@code /api/admin/**}). The token travels as
 * {@code Authorization: Bearer <token>}; it is compared in constant time. Without a configured
 * token, or without the right one, operator endpoints answer 404: they do not exist for you.
 * {@code X-Operator} names the person acting (recorded with resolutions, replays, discards).
 */
public class AdminAuthenticator {

    /** Exchange property: who is acting, as given in X-Operator (default "admin"). */
    public static final String OPERATOR = "paygateOperator";

    private final byte[] tokenHash;

    public AdminAuthenticator(String token) {
        this.tokenHash = token == null || token.isBlank() ? null : MerchantDirectory.sha256(token.trim());
    }

    public boolean enabled() {
        return tokenHash != null;
    }

    public void authenticate(Exchange exchange) {
        String header = exchange.getIn().getHeader("Authorization", String.class);
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        // Hash both sides so the comparison takes the same time whatever the lengths.
        boolean ok = tokenHash != null && presented != null
                && MessageDigest.isEqual(MerchantDirectory.sha256(presented), tokenHash);
        if (!ok) {
            throw new ApiProblem(404, "not-found", "Not found", "no such resource");
        }
        String operator = exchange.getIn().getHeader("X-Operator", String.class);
        exchange.setProperty(OPERATOR, operator == null || operator.isBlank() || operator.length() > 64
                || !operator.chars().allMatch(c -> c > 32 && c < 127) ? "admin" : operator);
    }
}
