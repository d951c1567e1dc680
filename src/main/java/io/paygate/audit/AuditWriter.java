package io.paygate.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.broker.DeadLetters;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code audit-writer} route's step: moves events from {@code paygate.audit} (the batches the
 * sender could not write to the table itself, see {@link AuditTrail}) into
 * {@code audit_record}, about {@code batchSize} events per round, each round one JMS transaction
 * around one JDBC transaction. The database commits first: if the JMS commit is then lost, the
 * records come again and are skipped by key, so every event is stored exactly once.
 *
 * <p>While the route is stopped (or the database is down) events simply wait on the persistent
 * queue; the order path does not notice. A message that is not an audit event goes to
 * {@code paygate.dlq} with the reason. Messages an earlier paygate queued (events, not records)
 * are still read, each event a record of its own.
 */
public class AuditWriter {

    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);

    private final ConnectionFactory connections;
    private final AuditStore store;
    private final ObjectMapper json;
    private final int batchSize;
    private final long maxRoundsPerPoll;
    private boolean failing;
    private final java.util.concurrent.atomic.AtomicLong failedRounds = new java.util.concurrent.atomic.AtomicLong();

    public AuditWriter(ConnectionFactory connections, AuditStore store, ObjectMapper json, int batchSize,
                       long maxRoundsPerPoll) {
        this.connections = connections;
        this.store = store;
        this.json = json;
        this.batchSize = batchSize;
        this.maxRoundsPerPoll = maxRoundsPerPoll;
    }

    /** One poll: writes batches until the queue is empty (or a bounded number of rounds); returns events stored. */
    public synchronized int drain() throws JMSException {
        int stored = 0;
        Connection connection = connections.createConnection();
        try {
            connection.start();
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createConsumer(
                    session.createQueue(AuditTrail.QUEUE + "?consumer.prefetchSize=" + batchSize));
            for (long round = 0; round < maxRoundsPerPoll; round++) {
                List<AuditRecord> records = new ArrayList<>();
                List<Message> unreadable = new ArrayList<>();
                int events = 0;
                Message m = consumer.receive(50);
                while (m != null) {
                    events += read(m, records, unreadable);
                    if (events + unreadable.size() >= batchSize) {
                        break;
                    }
                    m = consumer.receive(5);
                }
                if (records.isEmpty() && unreadable.isEmpty()) {
                    break;
                }
                try {
                    stored += store.insertNew(records);
                } catch (SQLException e) {
                    session.rollback();
                    failedRounds.incrementAndGet();
                    if (!failing) {
                        LOG.warn("audit events cannot be stored ({}); they wait on {}", e.getMessage(), AuditTrail.QUEUE);
                        failing = true;
                    }
                    break;
                }
                deadLetter(session, unreadable);
                session.commit();
                if (failing) {
                    LOG.info("audit events are being stored again");
                    failing = false;
                }
            }
            consumer.close();
            session.close();
        } finally {
            connection.close();
        }
        return stored;
    }

    /** Rounds whose batch the database refused (and that were rolled back to wait on the queue). */
    public long failedRounds() {
        return failedRounds.get();
    }

    /** Adds the message's records (or the message to the unreadable ones); returns how many events it held. */
    private int read(Message m, List<AuditRecord> records, List<Message> unreadable) throws JMSException {
        if (m instanceof TextMessage text && text.getText() != null) {
            try {
                List<AuditRecord> read = AuditRecord.listFromJson(json, text.getText());
                records.addAll(read);
                return AuditRecord.eventCount(read);
            } catch (IllegalArgumentException e) {
                // falls through to the dead-letter queue
            }
        }
        unreadable.add(m);
        return 0;
    }

    private static void deadLetter(Session session, List<Message> unreadable) throws JMSException {
        if (unreadable.isEmpty()) {
            return;
        }
        MessageProducer dlq = session.createProducer(session.createQueue("paygate.dlq"));
        for (Message m : unreadable) {
            // Only text is carried over: a Java object body is never read.
            String body = m instanceof TextMessage t ? t.getText() : "";
            TextMessage copy = session.createTextMessage(body);
            copy.setStringProperty(DeadLetters.REASON, "not an audit event");
            copy.setStringProperty(DeadLetters.ROUTE, "audit-writer");
            copy.setStringProperty(DeadLetters.AT, OffsetDateTime.now(ZoneOffset.UTC).toString());
            dlq.send(copy);
        }
        dlq.close();
        LOG.warn("{} messages on {} were not audit events; moved to paygate.dlq", unreadable.size(), AuditTrail.QUEUE);
    }
}
