package io.paygate.broker;

import org.apache.camel.component.jms.JmsHeaderFilterStrategy;

/**
 * Drops Camel's own headers from every incoming JMS message whatever their case
 * (CVE-2026-40453 / CVE-2026-43866): a message from the broker must never steer a route.
 */
public class JmsHeaderGuard extends JmsHeaderFilterStrategy {

    public JmsHeaderGuard() {
        super(false);
        setInFilterPattern("(?i)(camel|org\\.apache\\.camel).*");
        setLowerCase(true);
    }
}
