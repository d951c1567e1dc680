package io.paygate.observe;

import io.paygate.audit.AuditTrail;
import io.paygate.database.Database;
import io.paygate.provider.CircuitStates;
import io.paygate.provider.ProviderDirectory;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;

/**
 * The gauges an operator watches: open orders by state, SENT orders past their deadline, UNKNOWN
 * orders no status query will resolve any more, circuits, dead letters, webhook and audit
 * backlogs. Read when scraped, each source at most every few seconds (the database and the
 * broker are not asked on every scrape of every node).
 */
public final class OperationalGauges {

    private static final long CACHE_MS = 5000;
    private static final int BROWSE_CAP = 10_000;

    private OperationalGauges() {
    }

    public static void register(CamelContext context, PaygateMetrics metrics, Database database,
                                ConnectionFactory jms, CircuitStates circuits, ProviderDirectory providers)
            throws Exception {
        Cached<Map<String, Long>> orders = new Cached<>(() -> orderCounts(database));
        for (String status : new String[] {"RECEIVED", "SENT", "UNKNOWN"}) {
            metrics.gauge("paygate.orders.open", "Orders not final yet, by state", "status", status,
                    () -> orders.get().getOrDefault(status, 0L));
        }
        metrics.gauge("paygate.orders.sent.past.deadline", "SENT orders whose reply deadline has passed", null, null,
                () -> orders.get().getOrDefault("SENT_PAST_DEADLINE", 0L));
        metrics.gauge("paygate.orders.unknown.unresolved", "UNKNOWN orders waiting for an operator", null, null,
                () -> orders.get().getOrDefault("UNKNOWN_EXHAUSTED", 0L));
        metrics.gauge("paygate.webhook.backlog", "Webhooks not yet delivered", null, null,
                () -> orders.get().getOrDefault("WEBHOOKS_PENDING", 0L));
        Cached<Long> dlq = new Cached<>(() -> depth(jms, "paygate.dlq"));
        metrics.gauge("paygate.dlq.depth", "Messages in paygate.dlq", null, null, dlq::get);
        Cached<Long> audit = new Cached<>(() -> depth(jms, AuditTrail.QUEUE));
        metrics.gauge("paygate.audit.backlog", "Audit events not yet in the audit table (memory and queue)", null, null,
                () -> audit.get() + pendingInMemory(context));
        context.addStartupListener((ctx, alreadyStarted) -> {
            for (String provider : providers.names()) {
                if (circuits.breaker(provider).isPresent()) {
                    metrics.gauge("paygate.circuit.state", "Provider circuit: 0 closed, 1 half open, 2 open",
                            "provider", provider, () -> switch (circuits.states().getOrDefault(provider, "CLOSED")) {
                                case "CLOSED" -> 0;
                                case "HALF_OPEN" -> 1;
                                default -> 2;
                            });
                }
            }
        });
    }

    private static long pendingInMemory(CamelContext context) {
        AuditTrail trail = context.getRegistry().findSingleByType(AuditTrail.class);
        return trail == null ? 0 : trail.pending();
    }

    private static Map<String, Long> orderCounts(Database database) {
        Map<String, Long> counts = new HashMap<>();
        try {
            database.read(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT status, COUNT(*) FROM orders WHERE status IN ('RECEIVED', 'SENT', 'UNKNOWN') GROUP BY status");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.put(rs.getString(1), rs.getLong(2));
                    }
                }
                counts.put("SENT_PAST_DEADLINE", count(c, "SELECT COUNT(*) FROM orders WHERE status = 'SENT' AND next_check_at < ?",
                        OffsetDateTime.now(ZoneOffset.UTC)));
                counts.put("UNKNOWN_EXHAUSTED", count(c,
                        "SELECT COUNT(*) FROM orders WHERE status = 'UNKNOWN' AND next_check_at IS NULL", null));
                counts.put("WEBHOOKS_PENDING", count(c, "SELECT COUNT(*) FROM webhook_outbox WHERE state = 'PENDING'", null));
                return null;
            });
        } catch (Exception e) {
            // database down: the gauges show nothing new; health says why
        }
        return counts;
    }

    private static long count(java.sql.Connection c, String sql, Object arg) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (arg != null) {
                ps.setObject(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static long depth(ConnectionFactory jms, String queue) {
        try (Connection c = jms.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try (QueueBrowser browser = s.createBrowser(s.createQueue(queue))) {
                long n = 0;
                Enumeration<?> e = browser.getEnumeration();
                while (e.hasMoreElements() && n < BROWSE_CAP) {
                    e.nextElement();
                    n++;
                }
                return n;
            }
        } catch (Exception e) {
            return -1;
        }
    }

    /** A value recomputed at most every few seconds. */
    private static final class Cached<T> {
        private final Supplier<T> source;
        private volatile T value;
        private volatile long at;

        Cached(Supplier<T> source) {
            this.source = source;
        }

        T get() {
            long now = System.currentTimeMillis();
            if (value == null || now - at > CACHE_MS) {
                value = source.get();
                at = now;
            }
            return value;
        }
    }
}
