package io.paygate.broker;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness: paygate cannot queue orders without its broker. */
public class BrokerHealthCheck extends AbstractHealthCheck {

    private final ConnectionFactory connectionFactory;

    public BrokerHealthCheck(ConnectionFactory connectionFactory) {
        super("paygate", "broker");
        this.connectionFactory = connectionFactory;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = connectionFactory.createConnection()) {
            c.start();
            c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE).close();
            builder.up();
        } catch (Exception e) {
            builder.message("broker unreachable: " + e.getMessage()).down();
        }
    }
}
