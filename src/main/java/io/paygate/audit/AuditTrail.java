package io.paygate.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the routes' events from the order path into the audit table. {@link #publish} (from
 * {@link AuditTap#record}, on the route's thread) only puts the events in a bounded in-memory
 * buffer; one sender thread drains it, packs what it finds into {@link AuditRecord}s (one per order)
 * and writes them straight to {@code audit_record}, in one database transaction, at most once per
 * {@code writeInterval}. After a quiet spell the first
 * event is written at once; under load the events of an interval share one write. That matters
 * to the embedded H2: each of its group writes serializes every page touched since the last one
 * again, and audit rows written with nearly every group write (as orders commit about 200 times
 * a second) made that serialization the largest single cost in paygate.
 *
 * <p>When the table cannot take a batch (database down, table locked) or the {@code audit-writer}
 * route is stopped, the batch goes to the persistent queue {@code paygate.audit} instead, as
 * messages of about {@code batchSize} events (JSON arrays of records) in one JMS transaction, and
 * waits there, across restarts, until the writer moves it into the table. After a refused write the
 * sender uses the queue for {@link #QUEUE_AFTER_FAILURE} before it tries the table again, so a
 * database that is down is not asked for every batch. Each record is stored once either way: it is
 * packed once and retried as it is, and the table skips a record key it already holds.
 *
 * <p>Why not always through the queue: the broker then stored, dispatched and acknowledged every
 * event a second time, a third of paygate's allocation and a sixth of its CPU under load, for
 * events the database makes durable anyway.
 *
 * <p>Loss window: events still in the buffer or in a batch not yet committed (to the table or the
 * queue) when the JVM is killed (kill -9, power loss) are lost — typically the steps of the last
 * write interval and write. A normal stop flushes the buffer first. If the buffer is full (database
 * and broker unreachable for long), the route's thread waits up to {@code bufferWait} for space, then
 * drops the event and says so in the log.
 */
public class AuditTrail extends ServiceSupport {

    public static final String QUEUE = "paygate.audit";
    /** The route that moves queued events into the table; stopped, new events wait on the queue too. */
    public static final String WRITER_ROUTE = "audit-writer";
    static final Duration QUEUE_AFTER_FAILURE = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);

    private final ConnectionFactory connections;
    private final AuditStore table;
    private final BooleanSupplier writerRunning;
    private final ObjectMapper json;
    private final BlockingQueue<AuditEvent> buffer;
    private final int batchSize;
    private final int bufferCapacity;
    private final long writeIntervalNanos;
    private final Duration bufferWait;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;
    private Thread sender;

    /**
     * @param writerRunning whether the {@code audit-writer} route runs: while it is stopped the
     *                      table is not written, so batches go to the queue
     */
    public AuditTrail(AuditStore table, BooleanSupplier writerRunning, ConnectionFactory connections,
                      ObjectMapper json, int bufferCapacity, int batchSize, Duration writeInterval,
                      Duration bufferWait) {
        this.table = table;
        this.writerRunning = writerRunning;
        this.connections = connections;
        this.json = json;
        this.buffer = new ArrayBlockingQueue<>(bufferCapacity);
        this.batchSize = batchSize;
        this.bufferCapacity = bufferCapacity;
        this.writeIntervalNanos = writeInterval.toNanos();
        this.bufferWait = bufferWait;
    }

    /**
     * Hands a route's events to the sender ({@link AuditTap#record}). Never touches the broker or
     * the database; waits only when the buffer is full, at most {@code bufferWait} in all, then
     * drops what does not fit and says so.
     */
    public void publish(List<AuditEvent> events) {
        long deadline = System.nanoTime() + bufferWait.toNanos();
        for (AuditEvent event : events) {
            boolean taken;
            try {
                // at most bufferWait for the whole call, however many events it brings
                taken = buffer.offer(event, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                taken = buffer.offer(event);
            }
            if (!taken) {
                dropped.incrementAndGet();
                LOG.error("audit buffer full: event {} ({} of {}) not recorded", event.eventId(), event.step(),
                        event.reference());
            }
        }
    }

    /** Events waiting in memory for the sender (neither in the table nor on the persistent queue yet). */
    public int pending() {
        return buffer.size();
    }

    /** Events the sender wrote to the table itself. */
    public long writtenCount() {
        return written.get();
    }

    /** Events the sender put on {@code paygate.audit} (table refused, or the writer stopped). */
    public long queuedCount() {
        return queued.get();
    }

    public long droppedCount() {
        return dropped.get();
    }

    @Override
    protected void doStart() {
        running = true;
        sender = new Thread(this::sendLoop, "paygate-audit-sender");
        sender.setDaemon(true);
        sender.start();
    }

    /** Routes are stopped before services, so nothing new is tapped: send what is buffered, then stop. */
    @Override
    protected void doStop() throws InterruptedException {
        running = false;
        Thread t = sender;
        if (t != null) {
            t.join(15_000);
            if (t.isAlive()) {
                t.interrupt();
            }
        }
        if (!buffer.isEmpty()) {
            LOG.error("audit trail stopped with {} events not sent", buffer.size());
        }
    }

    private void sendLoop() {
        List<AuditEvent> gathered = new ArrayList<>();
        // packed once, then written, queued or retried as they are (see AuditRecord)
        List<AuditRecord> batch = new ArrayList<>();
        Connection connection = null;
        Session session = null;
        MessageProducer producer = null;
        int failures = 0;
        long queueUntil = System.nanoTime();
        long lastWrite = System.nanoTime() - writeIntervalNanos;
        while (running || !buffer.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    AuditEvent first = buffer.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    // the interval's events gather and share one write (see the class comment)
                    long pause = lastWrite + writeIntervalNanos - System.nanoTime();
                    if (pause > 0 && running) {
                        LockSupport.parkNanos(pause);
                    }
                    lastWrite = System.nanoTime();
                    gathered.add(first);
                    buffer.drainTo(gathered, bufferCapacity);
                    batch.addAll(AuditRecord.pack(gathered));
                    gathered.clear();
                }
                long now = System.nanoTime();
                if (now - queueUntil >= 0 && writerRunning.getAsBoolean()) {
                    try {
                        table.insertNew(batch);
                        written.addAndGet(AuditRecord.eventCount(batch));
                        batch.clear();
                        continue;
                    } catch (SQLException | RuntimeException e) {
                        queueUntil = now + QUEUE_AFTER_FAILURE.toNanos();
                        LOG.warn("audit events cannot be written to the table ({}); they go to {}", e.getMessage(), QUEUE);
                    }
                }
                if (session == null) {
                    connection = connections.createConnection();
                    session = connection.createSession(true, Session.SESSION_TRANSACTED);
                    producer = session.createProducer(session.createQueue(QUEUE));
                    producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                }
                for (List<AuditRecord> part : messages(batch)) {
                    producer.send(session.createTextMessage(AuditRecord.toJson(json, part)));
                }
                session.commit();
                queued.addAndGet(AuditRecord.eventCount(batch));
                batch.clear();
                if (failures > 0) {
                    LOG.info("audit events are reaching {} again", QUEUE);
                }
                failures = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (JMSException | RuntimeException e) {
                // The batch is kept and sent again: a duplicate from an ambiguous commit is harmless,
                // the table stores each record key once.
                failures++;
                if (failures == 1) {
                    LOG.warn("audit events cannot reach {} ({}); retrying", QUEUE, e.getClass().getSimpleName());
                }
                close(connection);
                connection = null;
                session = null;
                producer = null;
                if (!running && failures >= 20) {
                    LOG.error("audit trail stopping: {} events not sent", AuditRecord.eventCount(batch) + buffer.size());
                    break;
                }
                try {
                    Thread.sleep(Math.min(5000, 50L << Math.min(failures, 7)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        close(connection);
    }

    /** The records in messages of about {@code batchSize} events each (a record is never split). */
    private List<List<AuditRecord>> messages(List<AuditRecord> records) {
        List<List<AuditRecord>> messages = new ArrayList<>();
        List<AuditRecord> part = new ArrayList<>();
        int events = 0;
        for (AuditRecord r : records) {
            if (!part.isEmpty() && events + r.size() > batchSize) {
                messages.add(part);
                part = new ArrayList<>();
                events = 0;
            }
            part.add(r);
            events += r.size();
        }
        if (!part.isEmpty()) {
            messages.add(part);
        }
        return messages;
    }

    private static void close(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (JMSException | RuntimeException ignored) {
                // already broken
            }
        }
    }
}
