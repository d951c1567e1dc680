package io.paygate.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.Settings;
import io.paygate.database.Database;
import io.paygate.order.OrderStore;
import java.net.InetAddress;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.RedeliveryPolicy;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.spi.Registry;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;

/** Binds the audit trail's beans for routes/audit.yaml and the taps in every other route. */
public final class AuditWiring {

    private AuditWiring() {
    }

    public static void bind(CamelContext context, Settings settings, DataSource dataSource, OrderStore orders,
                            JmsPoolConnectionFactory connections, ObjectMapper json) throws Exception {
        Registry registry = context.getRegistry();
        keepRetryingWhileTheTableIsUnavailable(connections);
        AuditStore store = new AuditStore(context.getRegistry().lookupByNameAndType("database", Database.class), dataSource);
        int batchSize = settings.integer("paygate.audit.batch-size", 100);
        AuditTrail trail = new AuditTrail(store, () -> writerRunning(context), connections, json,
                settings.integer("paygate.audit.buffer-capacity", 10000), batchSize,
                settings.duration("paygate.audit.write-interval", Duration.ofMillis(50)),
                settings.duration("paygate.audit.buffer-wait", Duration.ofSeconds(1)));
        // Added after the broker and the JMS pool, so it stops before them and flushes its buffer first.
        context.addService(trail);
        registry.bind("auditTap", new AuditTap(json, settings.string("paygate.node.name", defaultNodeName()), trail::publish));
        registry.bind("auditTrail", trail);
        registry.bind("auditStore", store);
        registry.bind("auditWriter", new AuditWriter(connections, store, json, batchSize, 50));
        registry.bind("auditTimeline", new AuditTimeline(json, orders, store));
        registry.bind("auditRetention", new AuditRetention(store,
                settings.duration("paygate.audit.retention", Duration.ofDays(400))));
    }

    /**
     * A batch the writer cannot store (database down, table locked) is rolled back and comes again:
     * for paygate.audit the broker never gives up on it, so no event ends in the dead-letter queue
     * just because the database was away for a while.
     */
    private static void keepRetryingWhileTheTableIsUnavailable(JmsPoolConnectionFactory connections) {
        if (connections.getConnectionFactory() instanceof ActiveMQConnectionFactory amq) {
            RedeliveryPolicy forever = amq.getRedeliveryPolicy().copy();
            forever.setDestination(new ActiveMQQueue(AuditTrail.QUEUE));
            forever.setMaximumRedeliveries(RedeliveryPolicy.NO_MAXIMUM_REDELIVERIES);
            amq.getRedeliveryPolicyMap().put(forever.getDestination(), forever);
        }
    }

    private static boolean writerRunning(CamelContext context) {
        ServiceStatus status = context.getRouteController().getRouteStatus(AuditTrail.WRITER_ROUTE);
        return status != null && status.isStarted();
    }

    /** Host name and process id: which node saw a step. */
    static String defaultNodeName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }
}
