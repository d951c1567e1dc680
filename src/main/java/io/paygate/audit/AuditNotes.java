package io.paygate.audit;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * The notes a route has gathered since its last audit step. {@link #add} appends on the order
 * path; {@link AuditTap#record} (the audit step, on the route's thread) hands them over and clears them.
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

    /**
     * Returns the pending notes and empties the list. The list stays on the exchange: copies of it
     * (a circuit breaker's, a wire tap's) share it, and each note must leave exactly once.
     */
    public static List<AuditNote> take(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<AuditNote> shared = exchange.getProperty(PROPERTY, List.class);
        if (shared == null) {
            return List.of();
        }
        synchronized (shared) {
            List<AuditNote> mine = new ArrayList<>(shared);
            shared.clear();
            return mine;
        }
    }
}
