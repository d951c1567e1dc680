package io.paygate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * An audit note made fit to leave the route that noted it: redacted, stamped with the node and
 * the route, its detail already JSON. The events of one order in one write travel and are stored
 * together as an {@link AuditRecord}.
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

    /** One event as JSON, with its order: the form an earlier paygate queued (see {@link AuditRecord#listFromJson}). */
    public String toJson(ObjectMapper json) {
        return toNode(json, true).toString();
    }

    /** The same event with its time cut to the microsecond, the precision both databases keep. */
    AuditEvent inMicros() {
        Instant micros = at.truncatedTo(ChronoUnit.MICROS);
        return micros.equals(at) ? this : new AuditEvent(eventId, reference, merchantId, sequence, step, micros, node,
                routeId, provider, attempt, outcome, latencyMs, detailJson);
    }

    /** @param withOrder false inside an {@link AuditRecord}, which holds the reference and merchant once */
    ObjectNode toNode(ObjectMapper json, boolean withOrder) {
        ObjectNode o = json.createObjectNode();
        o.put("eventId", eventId);
        if (withOrder) {
            o.put("reference", reference);
            o.put("merchant", merchantId);
        }
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
        return o;
    }

    /** Reads {@link #toNode}; throws IllegalArgumentException if it is not an audit event. */
    static AuditEvent fromNode(JsonNode o, String reference, String merchantId) {
        try {
            return new AuditEvent(
                    required(o, "eventId"),
                    reference,
                    merchantId,
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

    static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
