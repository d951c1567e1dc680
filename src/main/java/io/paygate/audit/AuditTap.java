package io.paygate.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit step of every route ({@code bean: auditTap, method: record}). On the route's own
 * thread it takes the notes gathered since the last step out of the exchange's list (so each note
 * leaves exactly once), turns them into {@link AuditEvent}s — redacted, stamped with this node and
 * the route — and hands them to the audit sender's in-memory buffer ({@link AuditTrail#publish}).
 * Nothing unredacted leaves the route that noted it, and the route never waits for a store.
 *
 * <p>A direct call, not a wire tap: handing two copies of every order's exchange to another
 * thread only to put a few events in a queue cost more than the queueing (README "Performance").
 */
public class AuditTap {

    static final int MAX_DETAIL_CHARS = 8000;
    private static final Logger LOG = LoggerFactory.getLogger(AuditTap.class);

    private final ObjectMapper json;
    private final String node;
    private final Consumer<List<AuditEvent>> sender;

    /** @param sender where the events go: {@link AuditTrail#publish}, which never touches the broker or the database */
    public AuditTap(ObjectMapper json, String node, Consumer<List<AuditEvent>> sender) {
        this.json = json;
        this.node = node;
        this.sender = sender;
    }

    /** The route step. Whatever happens here, the route goes on: the record must never cost an order. */
    public void record(Exchange exchange) {
        try {
            List<AuditEvent> events = take(exchange);
            if (!events.isEmpty()) {
                sender.accept(events);
            }
        } catch (RuntimeException e) {
            LOG.error("audit steps of route {} not recorded: {}", exchange.getFromRouteId(), e.toString());
        }
    }

    /** The exchange's pending notes as events; the list on the exchange is left empty. */
    List<AuditEvent> take(Exchange exchange) {
        List<AuditNote> mine = AuditNotes.take(exchange);
        if (mine.isEmpty()) {
            return List.of();
        }
        // the route that noted each step (AuditNotes.add); else where the exchange started
        String routeId = exchange.getFromRouteId();
        List<AuditEvent> events = new ArrayList<>(mine.size());
        for (AuditNote note : mine) {
            events.add(event(note, routeId));
        }
        return events;
    }

    AuditEvent event(AuditNote note, String routeId) {
        return new AuditEvent(note.eventId().toString(), note.reference(), note.merchantId(), note.sequence(),
                note.step(), note.at(), node, note.routeId() != null ? note.routeId() : routeId, note.provider(),
                note.attempt(), Redactor.text(note.outcome()), note.latencyMs(), detailJson(note.detail()));
    }

    private String detailJson(Map<String, Object> detail) {
        try {
            String text = json.writeValueAsString(Redactor.redact(detail));
            return text.length() <= MAX_DETAIL_CHARS ? text
                    : json.writeValueAsString(Map.of("truncated", true, "chars", text.length()));
        } catch (JsonProcessingException e) {
            return "{\"unwritable\":true}";
        }
    }
}
