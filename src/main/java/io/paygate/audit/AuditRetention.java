package io.paygate.audit;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Audit events are kept for {@code paygate.audit.retention} (default 400 days), then deleted. */
public class AuditRetention {

    private static final Logger LOG = LoggerFactory.getLogger(AuditRetention.class);

    private final AuditStore store;
    private final Duration retention;

    public AuditRetention(AuditStore store, Duration retention) {
        this.store = store;
        this.retention = retention;
    }

    public int purgeExpired() throws SQLException {
        int purged = store.purge(Instant.now().minus(retention));
        if (purged > 0) {
            LOG.info("purged {} audit events older than {}", purged, retention);
        }
        return purged;
    }
}
