package io.paygate.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The {@code onPrepare} of every {@code wireTap: direct:audit}. It runs on the route's own
 * thread with the tap's copy of the exchange: it takes the pending notes out of the route's list
 * (shared by the shallow copy, so each note is tapped exactly once) and turns them into
 * {@link AuditEvent}s in the copy — redacted, stamped with this node and the route — so nothing
 * unredacted ever leaves the route that noted it.
 */
public class AuditTap implements Processor {

    /** Exchange property of the tap's copy: the {@code List<AuditEvent>} made from the notes. */
    public static final String EVENTS = "paygateAuditEvents";
    static final int MAX_DETAIL_CHARS = 8000;

    private final ObjectMapper json;
    private final String node;

    public AuditTap(ObjectMapper json, String node) {
        this.json = json;
        this.node = node;
    }

    @Override
    public void process(Exchange copy) {
        @SuppressWarnings("unchecked")
        List<AuditNote> shared = copy.getProperty(AuditNotes.PROPERTY, List.class);
        List<AuditNote> mine = new ArrayList<>();
        if (shared != null) {
            synchronized (shared) {
                mine.addAll(shared);
                shared.clear();
            }
        }
        copy.removeProperty(AuditNotes.PROPERTY);
        // the route that noted each step (AuditNotes.add); the tap's copy only knows where the exchange started
        String routeId = copy.getFromRouteId();
        List<AuditEvent> events = new ArrayList<>(mine.size());
        for (AuditNote note : mine) {
            events.add(event(note, routeId));
        }
        copy.setProperty(EVENTS, events);
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
