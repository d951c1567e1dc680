package io.paygate.audit;

import java.util.List;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the notes a wire tap carried off the order path (routes/audit.yaml).
 * PLACEHOLDER: logs them; the persistent queue and the audit table come with issue 8.
 */
public class AuditTrail {

    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);

    public void publish(Exchange exchange) {
        List<AuditNote> notes = AuditNotes.take(exchange);
        for (AuditNote note : notes) {
            LOG.debug("audit {} {} {}", note.reference(), note.step(), note.outcome());
        }
    }
}
