package io.paygate.broker;

import java.io.File;
import java.util.List;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.region.policy.SharedDeadLetterStrategy;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.broker.region.policy.PolicyEntry;
import org.apache.activemq.broker.region.policy.PolicyMap;
import org.apache.activemq.security.AuthenticationUser;
import org.apache.activemq.security.SimpleAuthenticationPlugin;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-JVM ActiveMQ Classic broker of the default run: KahaDB and the scheduler store under
 * the data dir, and a TCP connector so outside providers and tools can connect.
 */
public class EmbeddedBroker implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** How many dead letters an operator can reach by id (see deadLetterPolicy). */
    private static final int DEAD_LETTER_PAGE = 10000;
    private final String name;
    private final File dataDir;
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private volatile BrokerService broker;

    public EmbeddedBroker(String name, File dataDir, String host, int port, String user, String password) {
        this.name = name;
        this.dataDir = dataDir;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** In-JVM connections; create=false so a stopped broker is an error, never a fresh empty one. */
    public String vmUrl() {
        return "vm://" + name + "?create=false";
    }

    @Override
    public synchronized void start() {
        if (broker != null && broker.isStarted()) {
            return;
        }
        try {
            BrokerService b = new BrokerService();
            b.setBrokerName(name);
            b.setDataDirectoryFile(dataDir);
            b.setUseJmx(false);
            b.setUseShutdownHook(false);
            b.setPersistent(true);
            KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
            kahaDb.setDirectory(new File(dataDir, "kahadb"));
            b.setPersistenceAdapter(kahaDb);
            b.setSchedulerSupport(true);
            b.setSchedulerDirectoryFile(new File(dataDir, "scheduler"));
            b.getSystemUsage().getStoreUsage().setLimit(2L * 1024 * 1024 * 1024);
            b.getSystemUsage().getTempUsage().setLimit(512L * 1024 * 1024);
            b.setDestinationPolicy(deadLetterPolicy());
            if (user != null && !user.isBlank()) {
                b.setPlugins(new BrokerPlugin[] {new SimpleAuthenticationPlugin(
                        List.of(new AuthenticationUser(user, password, "paygate")))});
            }
            b.addConnector("tcp://" + host + ":" + port);
            b.start();
            b.waitUntilStarted();
            broker = b;
            LOG.info("embedded ActiveMQ broker started: data {}, tcp://{}:{}", dataDir, host, port);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded broker", e);
        }
    }

    @Override
    public synchronized void stop() {
        BrokerService b = broker;
        broker = null;
        if (b != null) {
            try {
                b.stop();
                b.waitUntilStopped();
                LOG.info("embedded ActiveMQ broker stopped");
            } catch (Exception e) {
                LOG.warn("embedded broker did not stop cleanly", e);
            }
        }
    }

    /**
     * Messages the broker gives up on after client redeliveries go to paygate.dlq (the queue the
     * operators watch), never to the default ActiveMQ.DLQ.
     */
    private static PolicyMap deadLetterPolicy() {
        SharedDeadLetterStrategy strategy = new SharedDeadLetterStrategy();
        strategy.setDeadLetterQueue(new ActiveMQQueue("paygate.dlq"));
        PolicyEntry entry = new PolicyEntry();
        entry.setQueue(">");
        entry.setDeadLetterStrategy(strategy);
        PolicyMap map = new PolicyMap();
        map.setDefaultEntry(entry);
        // Operators pick dead letters by JMSMessageID (a selector); the broker only looks at the
        // messages it has paged in (200, browsing 400, by default), so one deeper down could not be found.
        PolicyEntry deadLetters = new PolicyEntry();
        deadLetters.setQueue("paygate.dlq");
        deadLetters.setDeadLetterStrategy(strategy);
        deadLetters.setMaxPageSize(DEAD_LETTER_PAGE);
        deadLetters.setMaxBrowsePageSize(DEAD_LETTER_PAGE);
        map.setPolicyEntries(List.of(deadLetters));
        return map;
    }
}
