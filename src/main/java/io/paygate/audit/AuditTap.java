package io.paygate.audit;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The {@code onPrepare} of every {@code wireTap: direct:audit}. It runs on the route's own
 * thread with the tap's copy of the exchange: it moves the pending notes into the copy and
 * empties the route's list (shared by the shallow copy), so each note is tapped exactly once.
 */
public class AuditTap implements Processor {

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
        copy.setProperty(AuditNotes.PROPERTY, mine);
    }
}
