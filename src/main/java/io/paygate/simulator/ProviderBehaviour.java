package io.paygate.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * How a simulated provider behaves. Immutable; tests swap it at runtime through
 * {@code PUT /sim/providers/{name}}.
 *
 * @param approveRatio     share of (non-error) payments that are approved, 0..1
 * @param errorRatio       share of payments answered with a simulated failure (no charge), 0..1
 * @param latencyMs        wait before deciding and answering
 * @param chargeThenHang   charge, then never answer (a lost response)
 * @param duplicateReplies JMS only: send every reply twice (an at-least-once provider)
 */
public record ProviderBehaviour(double approveRatio, double errorRatio, long latencyMs,
                                boolean chargeThenHang, boolean duplicateReplies) {

    public static final ProviderBehaviour DEFAULT = new ProviderBehaviour(1.0, 0.0, 0, false, false);

    public ProviderBehaviour {
        requireRatio("approveRatio", approveRatio);
        requireRatio("errorRatio", errorRatio);
        if (latencyMs < 0) {
            throw new IllegalArgumentException("latencyMs must be >= 0 but was " + latencyMs);
        }
    }

    /**
     * Returns a copy with the fields present in {@code changes} replaced; absent fields keep
     * their value, so callers may send any subset.
     */
    ProviderBehaviour withChanges(JsonNode changes) throws JsonProcessingException {
        if (changes == null || !changes.isObject()) {
            throw new IllegalArgumentException("behaviour must be a JSON object");
        }
        ObjectNode merged = Json.MAPPER.valueToTree(this);
        Iterator<Map.Entry<String, JsonNode>> fields = changes.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            // Rejecting unknown names catches typos such as "errorRate" that would otherwise be silently ignored.
            if (!merged.has(field.getKey())) {
                throw new IllegalArgumentException("unknown behaviour field: " + field.getKey());
            }
            merged.set(field.getKey(), field.getValue());
        }
        return Json.MAPPER.treeToValue(merged, ProviderBehaviour.class);
    }

    private static void requireRatio(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1 but was " + value);
        }
    }
}
