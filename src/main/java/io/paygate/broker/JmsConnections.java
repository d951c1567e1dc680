package io.paygate.broker;

import io.paygate.Settings;
import java.util.Collection;
import java.util.List;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQSslConnectionFactory;
import org.apache.activemq.RedeliveryPolicy;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;

/**
 * JMS connections to the broker, embedded or external alike: paygate's pooled ones for every
 * route, and a provider user's own for the in-JVM simulator. {@code ssl://} URLs (also inside
 * {@code failover:(…)}) use TLS with the trust store of {@code paygate.broker.truststore}.
 */
public final class JmsConnections {

    private JmsConnections() {
    }

    /** paygate's pooled connections, logged in as paygate's user. */
    public static JmsPoolConnectionFactory pooled(Settings settings, String url, BrokerCredentials credentials) {
        ActiveMQConnectionFactory factory = factory(settings, url, credentials.paygateUser(), credentials.paygatePassword());
        // Broker-side redelivery of rolled-back messages; after that, paygate.dlq (see EmbeddedBroker).
        RedeliveryPolicy redelivery = new RedeliveryPolicy();
        redelivery.setMaximumRedeliveries(5);
        redelivery.setInitialRedeliveryDelay(1000);
        redelivery.setUseExponentialBackOff(true);
        redelivery.setBackOffMultiplier(2);
        redelivery.setMaximumRedeliveryDelay(30000);
        factory.setRedeliveryPolicy(redelivery);
        // No prefetch: a consumer asks for its next message only when it is free. A message
        // prefetched by a consumer stuck on a slow provider would wait for it (and not be shared
        // fairly across nodes); pulling costs one round trip to the broker per message.
        factory.getPrefetchPolicy().setQueuePrefetch(0);
        factory.setSendTimeout(5000);

        JmsPoolConnectionFactory pool = new JmsPoolConnectionFactory();
        pool.setConnectionFactory(factory);
        pool.setMaxConnections(settings.integer("paygate.broker.connections", 4));
        pool.setMaxSessionsPerConnection(200);
        pool.setBlockIfSessionPoolIsFull(true);
        pool.setBlockIfSessionPoolIsFullTimeout(5000);
        return pool;
    }

    /**
     * Connections for the in-JVM simulator, logged in as the provider it plays over JMS (so it
     * can do no more than that provider could), or null when it plays none.
     */
    public static ActiveMQConnectionFactory asSimulatedProvider(Settings settings, String url,
                                                               BrokerCredentials credentials, Collection<String> providers) {
        if (providers.isEmpty()) {
            return null;
        }
        if (providers.size() > 1) {
            // one connection, one broker user: each user may read only its own requests queue
            throw new IllegalStateException("paygate.sim.jms-providers: the in-JVM simulator plays one JMS provider, not "
                    + providers);
        }
        String provider = providers.iterator().next();
        return factory(settings, url, provider, credentials.providerPassword(provider));
    }

    /** A plain (unpooled) factory; TLS for ssl:// URLs; credentials when a password is known. */
    public static ActiveMQConnectionFactory factory(Settings settings, String url, String user, String password) {
        ActiveMQConnectionFactory factory = url.contains("ssl://") ? sslFactory(settings, url) : new ActiveMQConnectionFactory(url);
        if (password != null) {
            factory.setUserName(user);
            factory.setPassword(password);
        }
        // No Java deserialisation of message bodies, ever (ObjectMessage is refused in JmsInbound too).
        factory.setTrustAllPackages(false);
        factory.setTrustedPackages(List.of());
        return factory;
    }

    private static ActiveMQConnectionFactory sslFactory(Settings settings, String url) {
        ActiveMQSslConnectionFactory factory = new ActiveMQSslConnectionFactory(url);
        // Without a trust store the JVM's default CAs decide (fine for a publicly signed broker certificate).
        settings.optional("paygate.broker.truststore").ifPresent(path -> {
            try {
                factory.setTrustStore(path);
            } catch (Exception e) {
                throw new IllegalStateException("paygate.broker.truststore: cannot read " + path + ": " + e.getMessage(), e);
            }
            factory.setTrustStorePassword(settings.string("paygate.broker.truststore-password", ""));
            factory.setTrustStoreType(settings.string("paygate.broker.truststore-type", "PKCS12"));
        });
        return factory;
    }
}
