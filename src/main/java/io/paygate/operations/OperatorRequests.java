package io.paygate.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.api.ApiProblem;
import io.paygate.api.FieldError;
import io.paygate.security.CardNumbers;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * Reading what an operator sent: query parameters (from the raw query string, so a request
 * header of the same name cannot pose as one), path parameters and small JSON bodies. Every
 * mistake is a 400 naming the parameter or the field (as a JSON pointer).
 */
final class OperatorRequests {

    static final int MAX_REASON = 500;

    private OperatorRequests() {
    }

    /** A query parameter, or empty when absent or empty. */
    static Optional<String> query(Exchange exchange, String name) {
        String raw = exchange.getIn().getHeader(Exchange.HTTP_QUERY, String.class);
        if (raw == null || raw.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                return value.isEmpty() ? Optional.empty() : Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** {@code limit}: a whole number from 1 to {@code max}; {@code fallback} when absent. */
    static int limit(Exchange exchange, int fallback, int max) {
        Optional<String> text = query(exchange, "limit");
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(text.get());
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.invalid("limit", "must be a whole number from 1 to " + max);
    }

    static String pathParameter(Exchange exchange, String name) {
        return exchange.getIn().getHeader(name, String.class);
    }

    /**
     * The JSON object of the body, with only {@code allowed} fields. An empty body is an empty
     * object when {@code optional}. Unknown fields are refused: a typo must not pass silently.
     */
    static JsonNode object(Exchange exchange, ObjectMapper json, Set<String> allowed, boolean optional) {
        byte[] body = exchange.getIn().getBody(byte[].class);
        if (body == null || body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
            if (optional) {
                return json.createObjectNode();
            }
            throw ApiProblem.invalid("", "send a JSON object");
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (Exception e) {
            throw ApiProblem.invalid("", "the body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw ApiProblem.invalid("", "send a JSON object");
        }
        List<FieldError> unknown = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                unknown.add(new FieldError("/" + name.replace("~", "~0").replace("/", "~1"), "unknown field"));
            }
        }
        if (!unknown.isEmpty()) {
            throw ApiProblem.invalid(unknown);
        }
        return node;
    }

    /**
     * The operator's reason: non-empty text up to {@link #MAX_REASON} characters. It is stored,
     * audited and shown, so it must not hold a card number.
     */
    static Optional<String> reason(JsonNode body, boolean required, List<FieldError> errors) {
        JsonNode node = body.get("reason");
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(new FieldError("/reason", "required: say why"));
            }
            return Optional.empty();
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            errors.add(new FieldError("/reason", "must be a non-empty string"));
            return Optional.empty();
        }
        String reason = node.asText().strip();
        if (reason.length() > MAX_REASON) {
            errors.add(new FieldError("/reason", "at most " + MAX_REASON + " characters"));
            return Optional.empty();
        }
        if (CardNumbers.containsCardNumber(reason)) {
            errors.add(new FieldError("/reason", "must not contain a card number"));
            return Optional.empty();
        }
        return Optional.of(reason);
    }
}
