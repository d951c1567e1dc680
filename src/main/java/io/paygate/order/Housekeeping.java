package io.paygate.order;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background sweeps (routes/housekeeping.yaml): re-queue orders left in RECEIVED by a crash
 * between commit and enqueue, and forget expired idempotency keys.
 */
public class Housekeeping {

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

    private final OrderStore store;
    private final IdempotencyKeys keys;
    private final Duration receivedAge;

    public Housekeeping(OrderStore store, IdempotencyKeys keys, Duration receivedAge) {
        this.store = store;
        this.keys = keys;
        this.receivedAge = receivedAge;
    }

    /** Dispatch messages for stale RECEIVED orders this node claimed (no two nodes claim the same one). */
    public List<String> staleReceived() throws SQLException {
        List<String> messages = new ArrayList<>();
        for (Order order : store.findStaleReceived(receivedAge, 100)) {
            if (store.claimStale(order)) {
                LOG.info("order {} stayed RECEIVED since {}; queueing it again", order.reference(), order.updatedAt());
                messages.add(DispatchMessage.of(order.reference()));
            }
        }
        return messages;
    }

    public int purgeIdempotencyKeys() throws SQLException {
        int purged = keys.purgeExpired();
        if (purged > 0) {
            LOG.info("forgot {} idempotency keys older than {}", purged, keys.retention());
        }
        return purged;
    }
}
