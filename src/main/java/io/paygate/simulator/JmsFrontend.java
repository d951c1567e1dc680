package io.paygate.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageListener;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * JMS providers: consumes {@code provider.{name}.requests} (payments, and status queries with
 * {@code JMSType: status}) and replies to {@code JMSReplyTo}.
 * Each message is handled in a local transaction (consume + reply) so a crash before the
 * reply leaves the request on the queue; the idempotent store keeps the redelivery from
 * charging twice.
 */
final class JmsFrontend {

    private static final Logger LOG = LoggerFactory.getLogger(JmsFrontend.class);
    private static final int CONSUMERS_PER_PROVIDER = 4;
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long RECONNECT_DELAY_MS = 1000;
    // ActiveMQ destination option: with the default prefetch one consumer sleeping on latency
    // would hold back messages the other consumers could handle.
    private static final String CONSUMER_OPTIONS = "?consumer.prefetchSize=1";
    /** JMSType of a status query and of its reply; a payment request has none or "payment". */
    static final String STATUS = "status";
    static final String PAYMENT = "payment";

    private final ConnectionFactory connectionFactory;
    private final Collection<SimulatedProvider> providers;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ScheduledExecutorService reconnector = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "sim-jms-reconnect");
        thread.setDaemon(true);
        return thread;
    });
    private Connection connection; // guarded by this

    JmsFrontend(ConnectionFactory connectionFactory, Collection<SimulatedProvider> providers) {
        this.connectionFactory = connectionFactory;
        this.providers = providers;
    }

    /** Connects now, or keeps retrying in the background so the broker may start later. */
    void start() {
        try {
            connect();
        } catch (JMSException | RuntimeException e) {
            LOG.warn("Cannot connect to the broker yet ({}); retrying every {} ms", e.getMessage(), RECONNECT_DELAY_MS);
            scheduleReconnect();
        }
    }

    void stop() {
        stopped.countDown(); // wakes listeners sleeping on latency, so close() below does not wait for them
        reconnector.shutdownNow();
        synchronized (this) {
            closeQuietly(connection);
            connection = null;
        }
    }

    private synchronized void connect() throws JMSException {
        if (isStopped()) {
            return;
        }
        Connection fresh = connectionFactory.createConnection();
        try {
            fresh.setExceptionListener(e -> onConnectionFailure(fresh, e));
            for (SimulatedProvider provider : providers) {
                String queue = "provider." + provider.name() + ".requests";
                for (int i = 0; i < CONSUMERS_PER_PROVIDER; i++) {
                    Session session = fresh.createSession(true, Session.SESSION_TRANSACTED);
                    MessageConsumer consumer = session.createConsumer(session.createQueue(queue + CONSUMER_OPTIONS));
                    consumer.setMessageListener(new RequestListener(provider, session, session.createProducer(null)));
                }
            }
            fresh.start();
            connection = fresh;
            LOG.info("Provider simulator consuming JMS requests for {}", providers.stream().map(SimulatedProvider::name).toList());
        } catch (JMSException | RuntimeException e) {
            closeQuietly(fresh);
            throw e;
        }
    }

    private void onConnectionFailure(Connection failed, JMSException cause) {
        synchronized (this) {
            // The listener may fire more than once per connection; reconnect only once.
            if (isStopped() || connection != failed) {
                return;
            }
            connection = null;
        }
        LOG.warn("JMS connection lost ({}); reconnecting every {} ms", cause.getMessage(), RECONNECT_DELAY_MS);
        // Closing may block on the broken transport, so do it off the notifying thread.
        reconnector.execute(() -> closeQuietly(failed));
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (isStopped()) {
            return;
        }
        try {
            reconnector.schedule(() -> {
                try {
                    connect();
                } catch (JMSException | RuntimeException e) {
                    LOG.debug("Reconnect failed: {}", e.getMessage());
                    scheduleReconnect();
                }
            }, RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stop() shut the scheduler down meanwhile
        }
    }

    private boolean isStopped() {
        return stopped.getCount() == 0;
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (JMSException | RuntimeException e) {
            LOG.debug("Ignoring error while closing JMS connection: {}", e.getMessage());
        }
    }

    /** One per session; JMS delivers to it serially, so the session needs no locking. */
    private final class RequestListener implements MessageListener {

        private final SimulatedProvider provider;
        private final Session session;
        private final MessageProducer producer;

        RequestListener(SimulatedProvider provider, Session session, MessageProducer producer) {
            this.provider = provider;
            this.session = session;
            this.producer = producer;
        }

        @Override
        public void onMessage(Message message) {
            try {
                if (handle(message)) {
                    session.commit();
                }
                // else: stopping mid-request; closing the session rolls back and the broker redelivers.
            } catch (Exception e) {
                LOG.warn("{} failed to handle JMS request; rolling back for redelivery", provider.name(), e);
                try {
                    session.rollback();
                } catch (JMSException rollbackFailure) {
                    LOG.debug("Rollback failed: {}", rollbackFailure.getMessage());
                }
            }
        }

        /** Returns false if the simulator is stopping and the request must not be consumed. */
        private boolean handle(Message message) throws JMSException, InterruptedException {
            String correlationId = message.getJMSCorrelationID();
            byte[] body = readBody(message);
            if (body == null) {
                return true; // unsupported message type: dropped
            }
            Destination replyTo = message.getJMSReplyTo();
            if (replyTo == null) {
                LOG.warn("{} dropping request {} without JMSReplyTo", provider.name(), correlationId);
                return true;
            }
            String type = message.getJMSType();
            if (STATUS.equals(type)) {
                answerStatusQuery(body, correlationId, replyTo);
                return true;
            }
            if (type != null && !type.isEmpty() && !PAYMENT.equals(type)) {
                LOG.warn("{} dropping request {} of unknown JMSType '{}'", provider.name(), correlationId, type);
                return true;
            }
            PaymentRequest request;
            try {
                request = PaymentRequest.parse(body);
                if (!request.reference().equals(correlationId)) {
                    throw new PaymentRequest.InvalidRequestException("JMSCorrelationID does not match reference");
                }
            } catch (PaymentRequest.InvalidRequestException e) {
                LOG.warn("{} rejecting invalid request {}: {}", provider.name(), correlationId, e.getMessage());
                reply(replyTo, correlationId, null, Json.error(e.getMessage()), 1);
                return true;
            }
            if (stopped.await(provider.receive(request), TimeUnit.MILLISECONDS)) {
                return false;
            }
            SimulatedProvider.Outcome outcome = provider.decide(request);
            if (outcome.kind() == SimulatedProvider.Kind.ANSWER) {
                reply(replyTo, correlationId, null, outcome.answer(), provider.behaviour().duplicateReplies() ? 2 : 1);
            }
            return true; // ERROR, HANG and CLOSE consume the request without a reply
        }

        /**
         * {@code JMSType: status}, body {@code {"reference"}}: answered with the stored answer, or
         * {@code {"reference","status":"NOT_FOUND"}} if the reference was never decided.
         */
        private void answerStatusQuery(byte[] body, String correlationId, Destination replyTo) throws JMSException {
            String reference;
            try {
                JsonNode query = Json.MAPPER.readTree(body);
                JsonNode field = query == null ? null : query.get("reference");
                if (field == null || !field.isTextual() || field.asText().isBlank()) {
                    throw new IOException("reference must be a non-empty string");
                }
                reference = field.asText();
            } catch (IOException e) {
                String reason = e instanceof JsonProcessingException ? "body is not valid JSON" : e.getMessage();
                LOG.warn("{} rejecting invalid status query {}: {}", provider.name(), correlationId, reason);
                reply(replyTo, correlationId, STATUS, Json.error(reason), 1);
                return;
            }
            Object answer = provider.status(reference).<Object>map(a -> a)
                    .orElseGet(() -> Map.of("reference", reference, "status", "NOT_FOUND"));
            LOG.info("{} status query {} -> {}", provider.name(), reference,
                    answer instanceof ProviderAnswer a ? a.status() : "NOT_FOUND");
            reply(replyTo, reference, STATUS, answer, 1);
        }

        /** Null for message types we do not accept. */
        private byte[] readBody(Message message) throws JMSException {
            if (message instanceof TextMessage text) {
                String body = text.getText();
                return body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            }
            if (message instanceof BytesMessage bytes) {
                if (bytes.getBodyLength() > MAX_BODY_BYTES) {
                    LOG.warn("{} dropping oversized request {}", provider.name(), message.getJMSCorrelationID());
                    return null;
                }
                byte[] body = new byte[(int) bytes.getBodyLength()];
                bytes.readBytes(body);
                return body;
            }
            // Never deserialize an ObjectMessage: Java deserialization of untrusted input is a code execution risk.
            String type = message instanceof ObjectMessage ? "ObjectMessage" : message.getClass().getSimpleName();
            LOG.warn("{} ignoring unsupported {} {}", provider.name(), type, message.getJMSCorrelationID());
            return null;
        }

        private void reply(Destination replyTo, String correlationId, String type, Object body, int copies)
                throws JMSException {
            String json = Json.toText(body);
            for (int i = 0; i < copies; i++) {
                TextMessage reply = session.createTextMessage(json);
                reply.setJMSCorrelationID(correlationId);
                if (type != null) {
                    reply.setJMSType(type);
                }
                producer.send(replyTo, reply, DeliveryMode.PERSISTENT, Message.DEFAULT_PRIORITY, Message.DEFAULT_TIME_TO_LIVE);
            }
        }
    }
}
