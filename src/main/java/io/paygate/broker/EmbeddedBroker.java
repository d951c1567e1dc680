package io.paygate.broker;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.region.policy.SharedDeadLetterStrategy;
import org.apache.activemq.command.ActiveMQQueue;
import org.apache.activemq.broker.region.policy.PolicyEntry;
import org.apache.activemq.broker.region.policy.PolicyMap;
import org.apache.activemq.filter.DestinationMapEntry;
import org.apache.activemq.security.AuthenticationUser;
import org.apache.activemq.security.AuthorizationEntry;
import org.apache.activemq.security.AuthorizationPlugin;
import org.apache.activemq.security.DefaultAuthorizationMap;
import org.apache.activemq.security.SimpleAuthenticationPlugin;
import org.apache.activemq.security.TempDestinationAuthorizationEntry;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-JVM ActiveMQ Classic broker of the default run: KahaDB and the scheduler store under
 * the data dir, and a TCP connector so outside providers and tools can connect. Every
 * connection, in-JVM ones included, must log in (see {@link BrokerCredentials}); paygate's user may
 * use every destination, a provider user only reads {@code provider.<name>.requests} and writes
 * {@code paygate.replies}. Each message carries its sender's user name in {@code JMSXUserID}, set
 * by the broker, so a reply tells which provider sent it.
 */
public class EmbeddedBroker implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** How many dead letters an operator can reach by id (see deadLetterPolicy). */
    private static final int DEAD_LETTER_PAGE = 10000;
    private final String name;
    private final File dataDir;
    private final String host;
    private final int port;
    private final BrokerCredentials credentials;
    private volatile BrokerService broker;

    public EmbeddedBroker(String name, File dataDir, String host, int port, BrokerCredentials credentials) {
        this.name = name;
        this.dataDir = dataDir;
        this.host = host;
        this.port = port;
        this.credentials = credentials;
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
            b.setPlugins(new BrokerPlugin[] {authentication(credentials), new AuthorizationPlugin(authorization(credentials))});
            // The broker, not the sender, writes JMSXUserID: the authenticated user name.
            b.setPopulateJMSXUserID(true);
            b.setUseAuthenticatedPrincipalForJMSXUserID(true);
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

    private static final String PAYGATE_GROUP = "paygate";

    static String providerGroup(String provider) {
        return "provider-" + provider;
    }

    /** One user per configured name; no anonymous access (the plugin's default), also for vm:// connections. */
    private static SimpleAuthenticationPlugin authentication(BrokerCredentials credentials) {
        List<AuthenticationUser> users = new ArrayList<>();
        users.add(new AuthenticationUser(credentials.paygateUser(), credentials.paygatePassword(), PAYGATE_GROUP));
        credentials.providerPasswords().forEach((provider, password) ->
                users.add(new AuthenticationUser(provider, password, providerGroup(provider))));
        SimpleAuthenticationPlugin plugin = new SimpleAuthenticationPlugin(users);
        plugin.setAnonymousAccessAllowed(false);
        return plugin;
    }

    /**
     * ACLs per destination; the broker grants the union of every matching entry. "admin" is the
     * right to create the destination, which a provider needs for its own two queues only.
     */
    static DefaultAuthorizationMap authorization(BrokerCredentials credentials) {
        List<DestinationMapEntry> entries = new ArrayList<>();
        entries.add(entry(true, ">", PAYGATE_GROUP, PAYGATE_GROUP, PAYGATE_GROUP));
        entries.add(entry(false, ">", PAYGATE_GROUP, PAYGATE_GROUP, PAYGATE_GROUP));
        String providers = credentials.providerPasswords().keySet().stream()
                .map(EmbeddedBroker::providerGroup).collect(Collectors.joining(","));
        for (String provider : credentials.providerPasswords().keySet()) {
            String group = providerGroup(provider);
            entries.add(entry(true, "provider." + provider + ".requests", group, null, group));
        }
        if (!providers.isEmpty()) {
            entries.add(entry(true, "paygate.replies", null, providers, providers));
            // every JMS client subscribes to advisory topics (temporary destinations, consumers)
            String everyone = PAYGATE_GROUP + "," + providers;
            entries.add(entry(false, "ActiveMQ.Advisory.>", everyone, everyone, everyone));
        }
        DefaultAuthorizationMap map = new DefaultAuthorizationMap(entries);
        TempDestinationAuthorizationEntry temporary = new TempDestinationAuthorizationEntry();
        try {
            temporary.setRead(PAYGATE_GROUP);
            temporary.setWrite(PAYGATE_GROUP);
            temporary.setAdmin(PAYGATE_GROUP);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        map.setTempDestinationAuthorizationEntry(temporary);
        return map;
    }

    private static AuthorizationEntry entry(boolean queue, String destination, String read, String write, String admin) {
        AuthorizationEntry entry = new AuthorizationEntry();
        if (queue) {
            entry.setQueue(destination);
        } else {
            entry.setTopic(destination);
        }
        try {
            if (read != null) {
                entry.setRead(read);
            }
            if (write != null) {
                entry.setWrite(write);
            }
            if (admin != null) {
                entry.setAdmin(admin);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return entry;
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
