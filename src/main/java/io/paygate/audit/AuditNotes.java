package io.paygate.audit;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * The notes a route has gathered since its last wire tap. {@link #add} appends on the order
 * path; {@link #take} (called by the tap, on the caller's thread) hands them over and clears them.
 */
public final class AuditNotes {

    /** Exchange property holding the pending {@code List<AuditNote>}. */
    public static final String PROPERTY = "paygateAuditNotes";

    private AuditNotes() {
    }

    public static void add(Exchange exchange, AuditNote note) {
        @SuppressWarnings("unchecked")
        List<AuditNote> notes = exchange.getProperty(PROPERTY, List.class);
        if (notes == null) {
            notes = new ArrayList<>();
            exchange.setProperty(PROPERTY, notes);
        }
        notes.add(note.routeId() != null ? note : note.routeId(currentRoute(exchange)));
    }

    /** The route running now (a provider route called from dispatch), else the one the exchange started in. */
    private static String currentRoute(Exchange exchange) {
        var unitOfWork = exchange.getUnitOfWork();
        if (unitOfWork != null && unitOfWork.getRoute() != null) {
            return unitOfWork.getRoute().getRouteId();
        }
        return exchange.getFromRouteId();
    }

    /** Drops the last pending note of {@code step}, when what it told did not happen after all. */
    public static void withdraw(Exchange exchange, String step) {
        @SuppressWarnings("unchecked")
        List<AuditNote> notes = exchange.getProperty(PROPERTY, List.class);
        if (notes == null) {
            return;
        }
        for (int i = notes.size() - 1; i >= 0; i--) {
            if (step.equals(notes.get(i).step())) {
                notes.remove(i);
                return;
            }
        }
    }

    /** Removes and returns the pending notes. */
    public static List<AuditNote> take(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<AuditNote> notes = exchange.getProperty(PROPERTY, List.class);
        exchange.removeProperty(PROPERTY);
        return notes == null ? List.of() : notes;
    }
}
