package io.paygate.broker;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.jms.JmsEndpoint;

/**
 * Prepares a message for the dead-letter queue: the original text body (never a Java object)
 * and the reason, the route and the time in headers, so an operator can read and replay it.
 */
public class DeadLetters implements Processor {

    @Override
    public void process(Exchange exchange) {
        prepare(exchange);
    }

    public static final String REASON = "paygateDeadLetterReason";
    public static final String ROUTE = "paygateDeadLetterRoute";
    public static final String AT = "paygateDeadLetterAt";
    /** The queue the message was consumed from: where an operator's replay sends it back. */
    public static final String QUEUE = "paygateDeadLetterQueue";
    /** The broker login that sent the message: a replayed reply is believed for that provider only. */
    public static final String SENDER = "paygateDeadLetterSender";
    /** On a replayed message (sent by paygate's own login): who sent the original. */
    public static final String REPLAYED_SENDER = "paygateReplayedSender";

    public void prepare(Exchange exchange) {
        Throwable cause = exchange.getException() != null
                ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Message message = exchange.getMessage();
        Object original = exchange.getProperty(JmsInbound.ORIGINAL_BODY);
        message.setBody(original != null ? original.toString() : message.getBody(String.class));
        message.removeHeaders("paygate*");
        message.setHeader(REASON, reason(cause));
        message.setHeader(ROUTE, exchange.getFromRouteId());
        message.setHeader(AT, OffsetDateTime.now(ZoneOffset.UTC).toString());
        message.setHeader(SENDER, exchange.getProperty(JmsInbound.SENDER, String.class));
        io.paygate.order.Order order = exchange.getProperty("paygateOrder", io.paygate.order.Order.class);
        String reference = order != null ? order.reference() : message.getHeader("JMSCorrelationID", String.class);
        io.paygate.audit.AuditOutsideRoutes.record(exchange.getContext(), exchange.getFromRouteId(),
                io.paygate.audit.AuditNote.of("dead-lettered", reference, order == null ? null : order.merchantId())
                        .outcome("paygate.dlq").detail(java.util.Map.of("reason", reason(cause),
                                "route", String.valueOf(exchange.getFromRouteId()))));
        // The consuming endpoint, not a header: route steps may have replaced the JMS message.
        if (exchange.getFromEndpoint() instanceof JmsEndpoint jms && !jms.isPubSubDomain()) {
            message.setHeader(QUEUE, jms.getDestinationName());
        }
    }

    static String reason(Throwable cause) {
        if (cause == null) {
            return "unknown";
        }
        if (cause instanceof UnprocessableMessage) {
            return cause.getMessage();
        }
        String text = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return text.length() > 500 ? text.substring(0, 500) : text;
    }
}
