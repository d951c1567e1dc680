package io.paygate.broker;

import java.util.List;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.RedeliveryPolicy;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;

/** The pooled JMS connections every route and the simulator use, embedded or external broker alike. */
public final class JmsConnections {

    private JmsConnections() {
    }

    public static JmsPoolConnectionFactory pooled(String url, String user, String password, int maxConnections) {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
        if (user != null && !user.isBlank()) {
            factory.setUserName(user);
            factory.setPassword(password);
        }
        // No Java deserialisation of message bodies, ever (ObjectMessage is refused in JmsInbound too).
        factory.setTrustAllPackages(false);
        factory.setTrustedPackages(List.of());
        // Broker-side redelivery of rolled-back messages; after that, paygate.dlq (see EmbeddedBroker).
        RedeliveryPolicy redelivery = new RedeliveryPolicy();
        redelivery.setMaximumRedeliveries(5);
        redelivery.setInitialRedeliveryDelay(1000);
        redelivery.setUseExponentialBackOff(true);
        redelivery.setBackOffMultiplier(2);
        redelivery.setMaximumRedeliveryDelay(30000);
        factory.setRedeliveryPolicy(redelivery);
        // Modest prefetch so several paygate nodes share a queue fairly.
        factory.getPrefetchPolicy().setQueuePrefetch(10);
        factory.setSendTimeout(5000);

        JmsPoolConnectionFactory pool = new JmsPoolConnectionFactory();
        pool.setConnectionFactory(factory);
        pool.setMaxConnections(maxConnections);
        pool.setMaxSessionsPerConnection(200);
        pool.setBlockIfSessionPoolIsFull(true);
        pool.setBlockIfSessionPoolIsFullTimeout(5000);
        return pool;
    }
}
