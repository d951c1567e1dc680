package io.paygate.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
        return Json.write(json, g -> write(g, true));
    }

    /** The same event with its time cut to the microsecond, the precision both databases keep. */
    AuditEvent inMicros() {
        Instant micros = at.truncatedTo(ChronoUnit.MICROS);
        return micros.equals(at) ? this : new AuditEvent(eventId, reference, merchantId, sequence, step, micros, node,
                routeId, provider, attempt, outcome, latencyMs, detailJson);
    }

    /**
     * Writes the event as a JSON object (streamed: the sender writes every event this way).
     * @param withOrder false inside an {@link AuditRecord}, which holds the reference and merchant once
     */
    void write(JsonGenerator g, boolean withOrder) throws IOException {
        g.writeStartObject();
        g.writeStringField("eventId", eventId);
        if (withOrder) {
            g.writeStringField("reference", reference);
            g.writeStringField("merchant", merchantId);
        }
        g.writeNumberField("sequence", sequence);
        g.writeStringField("step", step);
        g.writeStringField("at", at.toString());
        g.writeStringField("node", node);
        g.writeStringField("route", routeId);
        g.writeStringField("provider", provider);
        if (attempt == null) {
            g.writeNullField("attempt");
        } else {
            g.writeNumberField("attempt", attempt);
        }
        g.writeStringField("outcome", outcome);
        if (latencyMs == null) {
            g.writeNullField("latencyMs");
        } else {
            g.writeNumberField("latencyMs", latencyMs);
        }
        g.writeStringField("detail", detailJson);
        g.writeEndObject();
    }

    /** Reads {@link #write}; throws IllegalArgumentException if it is not an audit event. */
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
