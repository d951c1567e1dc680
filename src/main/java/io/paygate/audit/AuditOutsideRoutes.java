package io.paygate.audit;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For the few steps that happen where no route can record them (a dead letter being written by
 * the error handler, a circuit breaker changing state): the note goes the same way as a route's —
 * redacted and stamped by {@link AuditTap}, buffered by {@link AuditTrail} — without waiting.
 */
public final class AuditOutsideRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(AuditOutsideRoutes.class);

    private AuditOutsideRoutes() {
    }

    public static void record(CamelContext context, String routeId, AuditNote note) {
        try {
            AuditTap tap = context.getRegistry().lookupByNameAndType("auditTap", AuditTap.class);
            if (tap == null) {
                return;
            }
            Exchange exchange = new DefaultExchange(context);
            AuditNotes.add(exchange, note);
            tap.record(exchange);
        } catch (Exception e) {
            LOG.warn("audit step {} of {} not recorded: {}", note.step(), note.reference(), e.toString());
        }
    }
}
