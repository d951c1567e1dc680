package io.paygate.audit;

import java.util.Map;

/**
 * One step of an order's life as a route saw it (received, routed, sent, provider answer, ...).
 * Beans note it on the exchange ({@link AuditNotes#add}); the route's {@code wireTap: direct:audit}
 * carries it to the audit trail, so the order path never waits on the audit store.
 */
public record AuditNote(
        String step,
        String reference,
        String merchantId,
        String provider,
        Integer attempt,
        String outcome,
        Long latencyMs,
        Map<String, Object> detail) {

    public static AuditNote of(String step, String reference, String merchantId) {
        return new AuditNote(step, reference, merchantId, null, null, null, null, Map.of());
    }

    public AuditNote provider(String provider) {
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs, detail);
    }

    public AuditNote attempt(Integer attempt) {
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs, detail);
    }

    public AuditNote outcome(String outcome) {
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs, detail);
    }

    public AuditNote latencyMs(Long latencyMs) {
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs, detail);
    }

    public AuditNote detail(Map<String, Object> detail) {
        return new AuditNote(step, reference, merchantId, provider, attempt, outcome, latencyMs, Map.copyOf(detail));
    }
}
