package io.paygate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.order.OrderStatus;
import java.util.Optional;

/**
 * A provider's business answer in the reference protocol: APPROVED or DECLINED, with the
 * amount and currency it charged when the provider says so (checked against the order).
 */
public record ProviderAnswer(OrderStatus status, String providerReference, String reason, String amount,
                             String currency) {

    public ProviderAnswer(OrderStatus status, String providerReference, String reason) {
        this(status, providerReference, reason, null, null);
    }

    /** Parses the reference protocol's answer JSON; empty when it is not a valid answer. */
    public static Optional<ProviderAnswer> parse(ObjectMapper json, String body) {
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                return Optional.empty();
            }
            String status = node.path("status").asText("");
            if (!status.equals("APPROVED") && !status.equals("DECLINED")) {
                return Optional.empty();
            }
            return Optional.of(new ProviderAnswer(OrderStatus.valueOf(status),
                    textOrNull(node, "providerReference"), textOrNull(node, "reason"),
                    textOrNull(node, "amount"), textOrNull(node, "currency")));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String text = v.asText();
        return text.length() > 128 ? text.substring(0, 128) : text;
    }
}
