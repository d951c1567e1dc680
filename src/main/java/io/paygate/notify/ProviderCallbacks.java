package io.paygate.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.api.ApiProblem;
import io.paygate.api.FieldError;
import io.paygate.api.HttpAnswers;
import io.paygate.audit.AuditNote;
import io.paygate.audit.AuditNotes;
import io.paygate.broker.UnprocessableMessage;
import io.paygate.database.Database;
import io.paygate.order.OrderStore;
import io.paygate.provider.ProviderAnswer;
import io.paygate.provider.ProviderCalls;
import io.paygate.security.Signatures;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/providers/{name}/callback}: a provider's answer arriving over HTTP on its
 * own. Believed only with a valid {@code Paygate-Signature} made with that provider's callback
 * secret, a timestamp inside the window and a signature never seen before (replays are 401 and
 * change nothing). A believed answer settles through {@link ProviderCalls#settleIncoming}, the
 * same door as JMS replies: 409 with the reason when it is not accepted, 200 otherwise.
 */
public class ProviderCallbacks {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderCallbacks.class);
    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final String PROVIDER = "paygateCallbackProvider";
    private static final String SIGNATURE = "paygateCallbackSignature";

    private final Database database;
    private final Function<String, Optional<String>> callbackSecrets;
    private final ProviderCalls providerCalls;
    private final Duration window;
    private final ObjectMapper json;

    public ProviderCallbacks(Database database, Function<String, Optional<String>> callbackSecrets,
                             ProviderCalls providerCalls, Duration window, ObjectMapper json) {
        this.database = database;
        this.callbackSecrets = callbackSecrets;
        this.providerCalls = providerCalls;
        this.window = window;
        this.json = json;
    }

    /** 404 for a provider without a callback secret; 401 for a bad, stale or already used signature. */
    public void verify(Exchange exchange) throws SQLException {
        String provider = exchange.getIn().getHeader("name", String.class);
        Optional<String> secret = provider != null && PROVIDER_NAME.matcher(provider).matches()
                ? callbackSecrets.apply(provider) : Optional.empty();
        if (secret.isEmpty()) {
            throw new ApiProblem(404, "not-found", "Not found", "this provider takes no callbacks");
        }
        byte[] body = exchange.getIn().getBody(byte[].class);
        Signatures.Verification verification = Signatures.verify(secret.get(),
                exchange.getIn().getHeader(Signatures.HEADER, String.class), body, Instant.now(), window);
        switch (verification.check()) {
            case MALFORMED -> throw unauthorized(provider, "send Paygate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>");
            case MISMATCH -> throw unauthorized(provider, "the signature does not match the body");
            case STALE -> throw unauthorized(provider, "the signature's timestamp is more than "
                    + window.toSeconds() + " s away from paygate's clock");
            case VALID -> {
                if (!firstUse(provider, verification.signature())) {
                    throw unauthorized(provider, "this signature was already used (replay)");
                }
            }
        }
        exchange.setProperty(PROVIDER, provider);
        exchange.setProperty(SIGNATURE, verification.signature());
    }

    /** Settles the signed answer: 200 when applied (or already applied), 409 with the reason when refused. */
    public void settle(Exchange exchange) throws Exception {
        String provider = exchange.getProperty(PROVIDER, String.class);
        JsonNode body = readBody(exchange);
        String reference = body.path("reference").asText();
        ProviderAnswer answer = ProviderAnswer.parse(json, body.toString()).orElseThrow();
        ProviderCalls.Incoming incoming;
        try {
            incoming = providerCalls.settleIncoming(provider, reference, answer);
        } catch (UnprocessableMessage refused) {
            LOG.info("callback from {} for {} refused: {}", provider, reference, refused.getMessage());
            AuditNotes.add(exchange, AuditNote.of("provider-callback", reference, null).provider(provider)
                    .outcome("refused").detail(Map.of("reason", refused.getMessage())));
            throw new ApiProblem(409, "answer-refused", "Answer not accepted", refused.getMessage());
        } catch (Exception e) {
            // Not processed (e.g. database down): the provider may retry the same signed message.
            forget(provider, exchange.getProperty(SIGNATURE, String.class));
            throw e;
        }
        AuditNotes.add(exchange, AuditNote.of("provider-callback", reference, incoming.order().merchantId())
                .provider(provider).outcome(answer.status().name()));
        ProviderCalls.noteFinal(exchange, incoming);
        Map<String, Object> answerBody = new LinkedHashMap<>();
        answerBody.put("reference", reference);
        answerBody.put("status", answer.status().name());
        HttpAnswers.write(exchange, 200, HttpAnswers.JSON, json.writeValueAsString(answerBody), Map.of());
    }

    /** Forgets signatures older than twice the window: their timestamps are refused anyway. */
    public int purgeSignatures() throws SQLException {
        return database.deleteOlderThan("callback_signatures", "signed_at",
                OrderStore.now().minus(window.multipliedBy(2)));
    }

    private JsonNode readBody(Exchange exchange) {
        JsonNode body;
        try {
            body = json.readTree(new String(exchange.getIn().getBody(byte[].class), StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw ApiProblem.invalid("", "the body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw ApiProblem.invalid("", "the body must be a JSON object");
        }
        List<FieldError> errors = new ArrayList<>();
        if (!body.path("reference").isTextual() || body.path("reference").asText().isBlank()) {
            errors.add(new FieldError("/reference", "is required: paygate's order reference"));
        }
        String status = body.path("status").asText("");
        if (!status.equals("APPROVED") && !status.equals("DECLINED")) {
            errors.add(new FieldError("/status", "must be APPROVED or DECLINED"));
        }
        for (String field : List.of("providerReference", "reason", "amount", "currency")) {
            JsonNode v = body.get(field);
            if (v != null && !v.isNull() && !v.isTextual()) {
                errors.add(new FieldError("/" + field, "must be a string"));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid(errors);
        }
        return body;
    }

    /** Records the signature; false when it was recorded before (a replay, or a concurrent twin). */
    private boolean firstUse(String provider, String signature) throws SQLException {
        try {
            return database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO callback_signatures (provider, signature, signed_at) VALUES (?, ?, ?)")) {
                    ps.setString(1, provider);
                    ps.setString(2, signature);
                    ps.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                    ps.executeUpdate();
                    return true;
                }
            });
        } catch (SQLException e) {
            if (Database.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    private void forget(String provider, String signature) {
        try {
            database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM callback_signatures WHERE provider = ? AND signature = ?")) {
                    ps.setString(1, provider);
                    ps.setString(2, signature);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            LOG.warn("callback signature of {} not released; the provider must sign its retry anew", provider);
        }
    }

    private static ApiProblem unauthorized(String provider, String detail) {
        LOG.info("callback from {} refused: {}", provider, detail);
        return new ApiProblem(401, "invalid-signature", "Signature not accepted", detail, List.of(),
                Map.of("WWW-Authenticate", "Paygate-Signature"));
    }
}
