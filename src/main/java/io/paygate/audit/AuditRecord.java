package io.paygate.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of one order that one write stores together: one row of {@code audit_record}. An
 * order's six or more steps used to be six or more rows, each in the table and its two indexes,
 * which made the audit trail about a sixth of paygate's CPU per order under load; gathered per
 * write they are one or two.
 *
 * <p>A record is formed once, by {@link #pack}, and then written, queued and retried as it is,
 * never re-packed: its key (its first event's time, sequence and id) is what lets the table store
 * it once however often it arrives. Its events are in time order, span at most {@link #MAX_SPAN}
 * (so an export that starts at a time needs only look that much earlier) and number at most
 * {@link #MAX_EVENTS} (so a row stays well under the column's size).
 */
public record AuditRecord(String reference, String merchantId, List<AuditEvent> events) {

    static final Duration MAX_SPAN = Duration.ofSeconds(1);
    static final int MAX_EVENTS = 16;
    /** The order exports read in and the key compares by. */
    static final Comparator<AuditEvent> TIME_ORDER = Comparator.comparing(AuditEvent::at)
            .thenComparingLong(AuditEvent::sequence).thenComparing(AuditEvent::eventId);

    public AuditRecord {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a record holds at least one event");
        }
        // in time order whoever built it: the key is the first event, and exports merge by it
        events = events.stream().sorted(TIME_ORDER).toList();
    }

    /** The earliest event: its time, sequence and id are the record's key. */
    public AuditEvent first() {
        return events.get(0);
    }

    public Instant lastAt() {
        return events.get(events.size() - 1).at();
    }

    /**
     * Groups events by order (reference and merchant), each group in time order and cut where it
     * would span more than {@link #MAX_SPAN} or hold more than {@link #MAX_EVENTS}. An event id
     * given twice is kept once. Times are cut to the microsecond, as the table keeps them.
     */
    public static List<AuditRecord> pack(Collection<AuditEvent> events) {
        Map<String, AuditEvent> byId = new LinkedHashMap<>();
        for (AuditEvent e : events) {
            byId.putIfAbsent(e.eventId(), e.inMicros());
        }
        Map<List<String>, List<AuditEvent>> byOrder = new LinkedHashMap<>();
        for (AuditEvent e : byId.values()) {
            byOrder.computeIfAbsent(Arrays.asList(e.reference(), e.merchantId()), k -> new ArrayList<>()).add(e);
        }
        List<AuditRecord> records = new ArrayList<>();
        for (List<AuditEvent> steps : byOrder.values()) {
            steps.sort(TIME_ORDER);
            List<AuditEvent> part = new ArrayList<>();
            for (AuditEvent e : steps) {
                if (!part.isEmpty() && (part.size() >= MAX_EVENTS
                        || Duration.between(part.get(0).at(), e.at()).compareTo(MAX_SPAN) > 0)) {
                    records.add(new AuditRecord(e.reference(), e.merchantId(), part));
                    part = new ArrayList<>();
                }
                part.add(e);
            }
            records.add(new AuditRecord(steps.get(0).reference(), steps.get(0).merchantId(), part));
        }
        return records;
    }

    private boolean withinLimits() {
        return events.size() <= MAX_EVENTS && Duration.between(first().at(), lastAt()).compareTo(MAX_SPAN) <= 0
                && events.stream().allMatch(e -> e.at().getNano() % 1000 == 0);
    }

    public int size() {
        return events.size();
    }

    /** How many events the records hold. */
    public static int eventCount(Collection<AuditRecord> records) {
        int n = 0;
        for (AuditRecord r : records) {
            n += r.size();
        }
        return n;
    }

    /** The {@code events} column: the events as a JSON array, without the reference and merchant the row holds once. */
    public String eventsJson(ObjectMapper json) {
        return Json.write(json, this::writeEvents);
    }

    /** Reads a row back; throws IllegalArgumentException if the events are not readable. */
    public static AuditRecord fromRow(ObjectMapper json, String reference, String merchantId, String eventsJson) {
        JsonNode array;
        try {
            array = json.readTree(eventsJson);
        } catch (Exception e) {
            throw new IllegalArgumentException("not audit events: " + e.getClass().getSimpleName());
        }
        return fromArray(array, reference, merchantId);
    }

    /** Several records as one message on {@code paygate.audit}: one persistent message per batch. */
    public static String toJson(ObjectMapper json, List<AuditRecord> records) {
        return Json.write(json, g -> {
            g.writeStartArray();
            for (AuditRecord r : records) {
                g.writeStartObject();
                g.writeStringField("reference", r.reference);
                g.writeStringField("merchant", r.merchantId);
                g.writeFieldName("events");
                r.writeEvents(g);
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private void writeEvents(JsonGenerator g) throws IOException {
        g.writeStartArray();
        for (AuditEvent e : events) {
            e.write(g, false);
        }
        g.writeEndArray();
    }

    /**
     * Reads a message of {@link #toJson}. Messages that an earlier paygate queued hold events (an
     * array of them, or one): each becomes a record of its own, the same whenever it is read, so a
     * redelivery is still recognised. Throws IllegalArgumentException if any part is not audit data.
     */
    public static List<AuditRecord> listFromJson(ObjectMapper json, String text) {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("not an audit record: " + e.getClass().getSimpleName());
        }
        if (node == null || !(node.isArray() || node.isObject())) {
            throw new IllegalArgumentException("not an audit record");
        }
        List<AuditRecord> records = new ArrayList<>();
        for (JsonNode o : node.isArray() ? node : List.of(node)) {
            String reference = AuditEvent.text(o, "reference");
            String merchant = AuditEvent.text(o, "merchant");
            if (o.has("events")) {
                AuditRecord r = fromArray(o.get("events"), reference, merchant);
                // not as pack makes them (not from a paygate sender): cut the same way, every time alike
                records.addAll(r.withinLimits() ? List.of(r) : pack(r.events));
            } else {
                records.add(new AuditRecord(reference, merchant, List.of(AuditEvent.fromNode(o, reference, merchant).inMicros())));
            }
        }
        return records;
    }

    private static AuditRecord fromArray(JsonNode array, String reference, String merchantId) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException("not audit events");
        }
        List<AuditEvent> events = new ArrayList<>(array.size());
        for (JsonNode o : array) {
            events.add(AuditEvent.fromNode(o, reference, merchantId));
        }
        return new AuditRecord(reference, merchantId, events);
    }
}
