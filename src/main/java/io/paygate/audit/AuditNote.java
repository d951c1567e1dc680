package io.paygate.audit;

import io.paygate.database.TimeOrderedIds;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One step of an order's life as a route saw it (received, routed, sent, provider answer, ...).
 * Beans note it on the exchange ({@link AuditNotes#add}); the route's audit step
 * ({@code bean: auditTap, method: record}) hands it to the audit trail, so the order path never
 * waits on the audit store.
 *
 * <p>The event id, the time and the sequence are fixed when the note is made ({@link #of}), so
 * the record says when the step happened, not when the writer got to it, and a redelivered
 * event is recognised by its id.
 */
public record AuditNote(
        String step,
        String reference,
        String merchantId,
        String provider,
        Integer attempt,
        String outcome,
        Long latencyMs,
        Map<String, Object> detail,
        UUID eventId,
        long sequence,
        Instant at,
        String routeId) {

    /**
     * Microseconds since the epoch, but never the same or smaller than the last value handed out
     * by this JVM: a total order of the steps this node saw, close to wall-clock order across nodes.
     */
    private static final AtomicLong LAST_SEQUENCE = new AtomicLong();

    public static AuditNote of(String step, String reference, String merchantId) {
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        long sequence = LAST_SEQUENCE.updateAndGet(last -> Math.max(last + 1, micros));
        return new AuditNote(step, reference, merchantId, null, null, null, null, Map.of(),
                TimeOrderedIds.fast(),
                sequence, now, null);
    }

    public AuditNote provider(String provider) {
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs, detail, eventId, sequence, at, routeId);
    }

    public AuditNote attempt(Integer attempt) {
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs, detail, eventId, sequence, at, routeId);
    }

    public AuditNote outcome(String outcome) {
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs, detail, eventId, sequence, at, routeId);
    }

    public AuditNote latencyMs(Long latencyMs) {
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs, detail, eventId, sequence, at, routeId);
    }

    /** The route that noted the step; {@link AuditNotes#add} fills it in from the exchange. */
    public AuditNote routeId(String routeId) {
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs, detail, eventId, sequence, at, routeId);
    }

    /** Free-form facts of the step; redacted by {@link Redactor} before the event leaves the route. */
    public AuditNote detail(Map<String, Object> detail) {
        // Not Map.copyOf: detail values may legitimately be null (an absent field).
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs,
                Collections.unmodifiableMap(new LinkedHashMap<>(detail)), eventId, sequence, at, routeId);
    }
}
