package io.paygate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * An audit note made fit to leave the route that noted it: redacted, stamped with the node and
 * the route, its detail already JSON. This is what travels on {@code paygate.audit} and becomes
 * one row of {@code audit_event}.
 */
public record AuditEvent(
        String eventId,
        String reference,
        String merchantId,
        long sequence,
        String step,
        Instant at,
        String node,
        String routeId,
        String provider,
        Integer attempt,
        String outcome,
        Long latencyMs,
        String detailJson) {

    public String toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("eventId", eventId);
        o.put("reference", reference);
        o.put("merchant", merchantId);
        o.put("sequence", sequence);
        o.put("step", step);
        o.put("at", at.toString());
        o.put("node", node);
        o.put("route", routeId);
        o.put("provider", provider);
        o.put("attempt", attempt);
        o.put("outcome", outcome);
        o.put("latencyMs", latencyMs);
        o.put("detail", detailJson);
        return o.toString();
    }

    /** Reads what {@link #toJson} wrote; throws IllegalArgumentException for anything else. */
    public static AuditEvent fromJson(ObjectMapper json, String text) {
        try {
            JsonNode o = json.readTree(text);
            return new AuditEvent(
                    required(o, "eventId"),
                    text(o, "reference"),
                    text(o, "merchant"),
                    o.get("sequence").asLong(),
                    required(o, "step"),
                    Instant.parse(required(o, "at")),
                    required(o, "node"),
                    text(o, "route"),
                    text(o, "provider"),
                    o.path("attempt").isNumber() ? o.get("attempt").asInt() : null,
                    text(o, "outcome"),
                    o.path("latencyMs").isNumber() ? o.get("latencyMs").asLong() : null,
                    text(o, "detail"));
        } catch (Exception e) {
            throw new IllegalArgumentException("not an audit event: " + e.getClass().getSimpleName());
        }
    }

    private static String required(JsonNode o, String field) {
        String value = text(o, field);
        if (value == null) {
            throw new IllegalArgumentException("missing " + field);
        }
        return value;
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
