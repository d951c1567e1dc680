package io.paygate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
        return toNode(json).toString();
    }

    /**
     * Several events as one JSON array: the trail sends a batch as one persistent message, so the
     * broker stores and acknowledges one record per batch instead of one per event.
     */
    public static String toJson(ObjectMapper json, List<AuditEvent> events) {
        ArrayNode array = json.createArrayNode();
        for (AuditEvent event : events) {
            array.add(event.toNode(json));
        }
        return array.toString();
    }

    /**
     * Reads a batch ({@link #toJson(ObjectMapper, List)}) or a single event ({@link #toJson(ObjectMapper)},
     * as sent before batches); throws IllegalArgumentException if any part of it is not an audit event.
     */
    public static List<AuditEvent> listFromJson(ObjectMapper json, String text) {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("not an audit event: " + e.getClass().getSimpleName());
        }
        if (node == null || !(node.isArray() || node.isObject())) {
            throw new IllegalArgumentException("not an audit event");
        }
        if (node.isObject()) {
            return List.of(fromNode(node));
        }
        List<AuditEvent> events = new ArrayList<>(node.size());
        for (JsonNode o : node) {
            events.add(fromNode(o));
        }
        return events;
    }

    private ObjectNode toNode(ObjectMapper json) {
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
        return o;
    }

    private static AuditEvent fromNode(JsonNode o) {
        try {
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
