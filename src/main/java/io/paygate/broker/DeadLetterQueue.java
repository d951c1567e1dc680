package io.paygate.broker;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.RedeliveryPolicy;
import org.apache.activemq.command.ActiveMQMessage;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;

/**
 * paygate.dlq as operators work it: browse, read one message, and take one out (to replay or
 * discard it), each message named by its JMSMessageID. Taking runs in one JMS transaction: the
 * caller's work (a send to another queue, a record in the database) and the removal commit
 * together, or the message stays where it was.
 */
public class DeadLetterQueue {

    public static final String NAME = "paygate.dlq";
    /** What a JMSMessageID looks like ("ID:host-40123-1700000000000-1:1:1:1:1"); anything else is no message of ours. */
    private static final Pattern MESSAGE_ID = Pattern.compile("[A-Za-z0-9:._-]{1,200}");
    /** Set by ActiveMQ on messages it dead-lettered itself after too many rollbacks. */
    private static final String BROKER_CAUSE = "dlqDeliveryFailureCause";

    /** Work done with a taken message, inside its JMS transaction. */
    @FunctionalInterface
    public interface Handling {
        void handle(DeadLetter letter, Session session) throws Exception;
    }

    private final ConnectionFactory connections;
    private final long receiveTimeoutMs;

    public DeadLetterQueue(ConnectionFactory connections, long receiveTimeoutMs) {
        this.connections = connections;
        this.receiveTimeoutMs = receiveTimeoutMs;
    }

    /**
     * Works over its own, unpooled connections with unlimited redeliveries: if an operator's
     * replay or discard fails and rolls back, the message must stay in paygate.dlq. With the
     * gateway's policy it would be poison-acknowledged after a few failures, and ActiveMQ drops
     * a dead letter rather than dead-letter it into its own queue.
     */
    public static DeadLetterQueue over(ConnectionFactory gateway) {
        ConnectionFactory own = gateway;
        Object underlying = gateway instanceof JmsPoolConnectionFactory pool ? pool.getConnectionFactory() : gateway;
        if (underlying instanceof ActiveMQConnectionFactory activemq) {
            ActiveMQConnectionFactory copy = activemq.copy();
            RedeliveryPolicy keep = copy.getRedeliveryPolicy().copy();
            keep.setMaximumRedeliveries(RedeliveryPolicy.NO_MAXIMUM_REDELIVERIES);
            copy.setRedeliveryPolicy(keep);
            copy.setTrustAllPackages(false);
            copy.setTrustedPackages(List.of());
            own = copy;
        }
        return new DeadLetterQueue(own, 3000);
    }

    /** The oldest {@code max} messages, in queue order. */
    public List<DeadLetter> browse(int max) throws JMSException {
        try (Connection c = connections.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            List<DeadLetter> letters = new ArrayList<>();
            try (QueueBrowser browser = s.createBrowser(s.createQueue(NAME))) {
                Enumeration<?> e = browser.getEnumeration();
                while (e.hasMoreElements() && letters.size() < max) {
                    letters.add(read((Message) e.nextElement()));
                }
            }
            return letters;
        }
    }

    public Optional<DeadLetter> find(String id) throws JMSException {
        if (!isMessageId(id)) {
            return Optional.empty();
        }
        try (Connection c = connections.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try (QueueBrowser browser = s.createBrowser(s.createQueue(NAME), selector(id))) {
                Enumeration<?> e = browser.getEnumeration();
                return e.hasMoreElements() ? Optional.of(read((Message) e.nextElement())) : Optional.empty();
            }
        }
    }

    /**
     * Takes the message out of paygate.dlq and runs {@code handling} with it in the same JMS
     * transaction; commits when it returns, rolls back (the message stays) when it throws.
     * Empty when no such message is there (any more: another operator may have taken it).
     */
    public Optional<DeadLetter> take(String id, Handling handling) throws Exception {
        if (!isMessageId(id)) {
            return Optional.empty();
        }
        try (Connection c = connections.createConnection()) {
            c.start();
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            Queue dlq = s.createQueue(NAME);
            try (MessageConsumer consumer = s.createConsumer(dlq, selector(id))) {
                Message m = consumer.receive(receiveTimeoutMs);
                if (m == null) {
                    return Optional.empty();
                }
                DeadLetter letter = read(m);
                try {
                    handling.handle(letter, s);
                    s.commit();
                } catch (Exception e) {
                    s.rollback();
                    throw e;
                }
                return Optional.of(letter);
            }
        }
    }

    /** Sends {@code body} as a persistent text message, with only the JMS headers that carry meaning. */
    public static void send(Session session, String queue, String body, String correlationId, String type,
                            String originalSender) throws JMSException {
        TextMessage m = session.createTextMessage(body);
        if (originalSender != null) {
            // paygate's own login sends the replay; the original sender is what the reply route believes
            m.setStringProperty(DeadLetters.REPLAYED_SENDER, originalSender);
        }
        if (correlationId != null) {
            m.setJMSCorrelationID(correlationId);
        }
        if (type != null) {
            m.setJMSType(type);
        }
        try (var producer = session.createProducer(session.createQueue(queue))) {
            producer.setDeliveryMode(jakarta.jms.DeliveryMode.PERSISTENT);
            producer.send(m);
        }
    }

    public static boolean isMessageId(String id) {
        return id != null && MESSAGE_ID.matcher(id).matches();
    }

    /** Only called with ids that passed {@link #isMessageId}: no quote can reach the selector. */
    private static String selector(String id) {
        return "JMSMessageID = '" + id + "'";
    }

    private static DeadLetter read(Message m) throws JMSException {
        String reason = m.getStringProperty(DeadLetters.REASON);
        if (reason == null) {
            reason = m.getStringProperty(BROKER_CAUSE);
        }
        String queue = m.getStringProperty(DeadLetters.QUEUE);
        if (queue == null && m instanceof ActiveMQMessage amq && amq.getOriginalDestination() != null
                && amq.getOriginalDestination().isQueue()) {
            queue = amq.getOriginalDestination().getPhysicalName();
        }
        String at = m.getStringProperty(DeadLetters.AT);
        if (at == null && m.getJMSTimestamp() > 0) {
            at = Instant.ofEpochMilli(m.getJMSTimestamp()).toString();
        }
        String sender = m.getStringProperty(DeadLetters.SENDER);
        if (sender == null) {
            sender = m.getStringProperty("JMSXUserID"); // dead-lettered by the broker: the original message
        }
        return new DeadLetter(m.getJMSMessageID(), reason == null ? "unknown" : reason,
                m.getStringProperty(DeadLetters.ROUTE), at, queue, m.getJMSCorrelationID(), m.getJMSType(), text(m),
                sender);
    }

    /** Text and bytes are read as UTF-8; anything else (an ObjectMessage above all) is never opened. */
    private static String text(Message m) throws JMSException {
        if (m instanceof TextMessage t) {
            return t.getText();
        }
        if (m instanceof BytesMessage b) {
            byte[] bytes = new byte[(int) b.getBodyLength()];
            b.readBytes(bytes);
            b.reset();
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return null;
    }
}
