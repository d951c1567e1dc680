package io.paygate.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.audit.AuditNote;
import io.paygate.audit.AuditNotes;
import io.paygate.broker.UnprocessableMessage;
import io.paygate.order.Order;
import io.paygate.order.OrderLifecycle;
import io.paygate.order.OrderStatus;
import io.paygate.order.OrderStore;
import io.paygate.order.Settlement;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference provider protocol, both ways: builds what a provider route sends (a payment
 * request or a status query, over HTTP or JMS) and turns what comes back (an HTTP answer, a
 * transport failure, a JMS reply) into a state change and a {@link CallOutcome}.
 * Every outgoing message is built from the stored order and configuration alone.
 */
public class ProviderCalls {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderCalls.class);

    /** Exchange property holding the {@link Order} being worked on. */
    public static final String ORDER = "paygateOrder";
    /** Exchange property: "pay" (default) or "status" — what the provider route is asked to do. */
    public static final String CALL = "paygateCall";
    /** Exchange property: why the provider did not process the order (for the retry's reason). */
    public static final String RETRY_REASON = "paygateRetryReason";
    public static final String REPLY_QUEUE = "paygate.replies";
    private static final String STARTED = "paygateCallStarted";
    /** Exchange property: true when the provider was not called because all its call slots were busy. */
    public static final String BUSY = "paygateProviderBusy";

    private final ObjectMapper json;
    private final OrderLifecycle lifecycle;
    private final String ownBrokerUser;
    private final io.paygate.observe.PaygateMetrics metrics;

    /** @param ownBrokerUser paygate's own broker login: its messages on paygate.replies are operator replays */
    public ProviderCalls(ObjectMapper json, OrderLifecycle lifecycle, String ownBrokerUser,
                         io.paygate.observe.PaygateMetrics metrics) {
        this.json = json;
        this.lifecycle = lifecycle;
        this.ownBrokerUser = ownBrokerUser;
        this.metrics = metrics;
    }

    // ---- payment attempts -------------------------------------------------------------------

    /** POST {base}/payments with the order's reference as Idempotency-Key. */
    public void httpRequest(Exchange exchange) throws Exception {
        Order order = order(exchange);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_METHOD, "POST");
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("Idempotency-Key", order.reference());
        m.setBody(requestBody(order));
        exchange.setProperty(STARTED, System.nanoTime()); // "sent" is noted by the claim, once it is won
    }

    /** Fire-and-forget request; the reply comes to paygate.replies, correlated by reference. */
    public void jmsRequest(Exchange exchange) throws Exception {
        Order order = order(exchange);
        jmsMessage(exchange, order, "payment", requestBody(order));
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.AWAITING_REPLY.name());
    }

    /** What the provider's HTTP answer to a payment request means for the order. */
    public void httpAnswer(Exchange exchange) throws Exception {
        Order order = order(exchange);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        String provider = order.provider();
        FailureClass kind = FailureClassifier.ofStatus(status);
        noteAnswer(exchange, order, kind.name(), status);
        timed(exchange, provider, "payment", kind.name());
        switch (kind) {
            case BUSINESS_ANSWER -> {
                Optional<ProviderAnswer> answer = ProviderAnswer.parse(json, body);
                String mismatch = answer.map(a -> mismatch(order, a)).orElse(null);
                if (answer.isEmpty() || mismatch != null) {
                    // It answered 2xx, so it may have charged: only a status query (or an operator) can tell.
                    unknown(exchange, order, provider + " answered " + status
                            + (mismatch != null ? " but " + mismatch : " without a valid status"));
                } else {
                    apply(exchange, order, answer.get(), provider);
                }
            }
            case REJECTED_REQUEST -> {
                move(exchange, order, OrderStatus.FAILED,
                        Settlement.reason(provider + " rejected the request (" + status + ")" + errorText(body)));
                exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.REJECTED.name());
            }
            case AMBIGUOUS -> unknown(exchange, order, provider + " answered " + status + "; outcome unknown");
            case NOT_PROCESSED -> throw new ProviderNotReached(provider + " answered " + status + " before processing");
        }
    }

    /** The payment call failed without an HTTP answer (inside the circuit breaker). */
    public void httpFailure(Exchange exchange) throws Exception {
        Order order = order(exchange);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String what = failure == null ? "unknown failure" : failure.getClass().getSimpleName();
        FailureClass kind = FailureClassifier.ofThrowable(failure);
        noteAnswer(exchange, order, kind.name(), null);
        timed(exchange, order.provider(), "payment", kind.name());
        if (kind == FailureClass.NOT_PROCESSED) {
            throw new ProviderNotReached(order.provider() + " not reachable (" + what + ")");
        }
        unknown(exchange, order, order.provider() + " call failed after sending (" + what + "); outcome unknown");
    }

    /**
     * The circuit breaker's fallback: the circuit is open, or the call proved the provider did not
     * process the order. Anything else is not ours to classify and fails the exchange.
     */
    public void notReached(Exchange exchange) throws Exception {
        Order order = order(exchange);
        String provider = ProviderPolicies.of(exchange).provider();
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason;
        if (failure instanceof ProviderNotReached) {
            reason = failure.getMessage();
        } else if (failure == null || failure instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException) {
            // Camel marks every fallback "short-circuited"; only a refused call means the circuit is open.
            reason = provider + " circuit open (too many unprocessed calls); not called";
        } else {
            throw failure instanceof Exception e ? e : new IllegalStateException("provider call failed", failure);
        }
        LOG.info("order {}: {}", order.reference(), reason);
        exchange.setProperty(RETRY_REASON, reason);
        exchange.setProperty(Dispatcher.PROVIDER, provider);
        exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.NOT_PROCESSED.name());
    }

    // ---- status queries ---------------------------------------------------------------------

    /** GET {base}/payments/{reference}. */
    public void httpStatusRequest(Exchange exchange) throws Exception {
        Order order = order(exchange);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_METHOD, "GET");
        m.setHeader(Exchange.HTTP_PATH, "/" + order.reference());
        m.setBody(null);
        started(exchange, "status-query", order);
    }

    /** A status query over JMS ({@code JMSType: status}); its answer comes to paygate.replies. */
    public void jmsStatusRequest(Exchange exchange) throws Exception {
        Order order = order(exchange);
        jmsMessage(exchange, order, "status", json.writeValueAsString(Map.of("reference", order.reference())));
        started(exchange, "status-query", order);
        exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.AWAITING_REPLY.name());
    }

    /** 200 with an answer settles; 404 means never seen; anything else: ask again later. */
    public void httpStatusAnswer(Exchange exchange) throws Exception {
        Order order = order(exchange);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        Optional<ProviderAnswer> answer = status == 200
                ? ProviderAnswer.parse(json, exchange.getMessage().getBody(String.class)) : Optional.empty();
        timed(exchange, order.provider(), "status", answer.isPresent() ? "ANSWERED" : status == 404 ? "NOT_FOUND" : "NO_ANSWER");
        note(exchange, AuditNote.of("status-answer", order.reference(), order.merchantId()).provider(order.provider())
                .outcome(answer.map(a -> a.status().name()).orElse(status == 404 ? "NOT_FOUND" : "NO_ANSWER"))
                .latencyMs(latency(exchange)).detail(Map.of("httpStatus", status)));
        if (answer.isPresent()) {
            noteFinal(exchange, settleIncoming(order.provider(), order.reference(), answer.get()));
            exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.ANSWERED.name());
        } else if (status == 404) {
            exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.NOT_FOUND.name());
        } else {
            exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.NO_ANSWER.name());
        }
    }

    /** The status query got no HTTP answer at all. */
    public void statusUnreachable(Exchange exchange) throws Exception {
        Order order = order(exchange);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        note(exchange, AuditNote.of("status-answer", order.reference(), order.merchantId()).provider(order.provider())
                .outcome("NO_ANSWER").latencyMs(latency(exchange))
                .detail(Map.of("failure", failure == null ? "unknown" : failure.getClass().getSimpleName())));
        exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.NO_ANSWER.name());
    }

    // ---- answers arriving on their own ------------------------------------------------------

    /**
     * A JMS reply (payment answer or status answer). The sender is the broker-authenticated user
     * (JMSXUserID, set by the broker, never by the client), which is the provider's name: a reply
     * is believed only for an order that went to that provider.
     */
    public void reply(Exchange exchange) throws Exception {
        Message in = exchange.getIn();
        String sender = exchange.getProperty(io.paygate.broker.JmsInbound.SENDER, String.class);
        if (sender != null && sender.equals(ownBrokerUser)) {
            // an operator's replay from paygate.dlq: believed as from the provider that sent the original
            sender = in.getHeader(io.paygate.broker.DeadLetters.REPLAYED_SENDER, String.class);
        }
        String reference = in.getHeader("JMSCorrelationID", String.class);
        if (sender == null || sender.isBlank()) {
            throw new UnprocessableMessage("reply without an authenticated sender (JMSXUserID)");
        }
        if (reference == null || reference.isBlank()) {
            throw new UnprocessableMessage("reply from " + sender + " without JMSCorrelationID");
        }
        String body = in.getBody(String.class);
        if ("status".equals(in.getHeader("JMSType", String.class)) && isNotFound(body)) {
            Order order = believable(sender, reference);
            if (order.status() != OrderStatus.UNKNOWN) {
                throw new UnprocessableMessage("NOT_FOUND status answer for " + reference + " while the order is "
                        + order.status());
            }
            exchange.setProperty(ORDER, order);
            exchange.setProperty(Dispatcher.PROVIDER, order.provider());
            exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.NOT_FOUND.name());
            note(exchange, AuditNote.of("status-answer", reference, order.merchantId()).provider(sender).outcome("NOT_FOUND"));
            return;
        }
        ProviderAnswer answer = ProviderAnswer.parse(json, body)
                .orElseThrow(() -> new UnprocessableMessage("reply for " + reference + " is not a valid provider answer"));
        Incoming incoming = settleIncoming(sender, reference, answer);
        Order order = incoming.order();
        exchange.setProperty(ORDER, order);
        exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.ANSWERED.name());
        note(exchange, AuditNote.of("provider-answer", reference, order.merchantId()).provider(sender)
                .outcome(answer.status().name()).detail(Map.of("channel", "jms")));
        noteFinal(exchange, incoming);
    }

    /**
     * The one door for an answer that arrives on its own (JMS reply, status answer, HTTP
     * callback): it is believed only from the provider the order went to, only while the order
     * is SENT or UNKNOWN, and only if amount and currency (when given) match. Anything else is
     * refused with the reason ({@link UnprocessableMessage}) and the order is unchanged; a
     * duplicate of the answer already applied is ignored. Returns the order as it is afterwards.
     * The caller notes what arrived, then {@link #noteFinal} the order's {@code final} step if this
     * answer settled it, as the provider call's own answer does.
     */
    public Incoming settleIncoming(String provider, String reference, ProviderAnswer answer) throws Exception {
        Order order = believable(provider, reference);
        String mismatch = mismatch(order, answer);
        if (mismatch != null) {
            throw new UnprocessableMessage("answer for " + reference + " " + mismatch);
        }
        if (order.status() == answer.status()) {
            LOG.info("order {}: duplicate {} answer ignored", reference, answer.status());
            return new Incoming(order, false);
        }
        if (order.status() != OrderStatus.SENT && order.status() != OrderStatus.UNKNOWN) {
            throw new UnprocessableMessage("answer " + answer.status() + " for " + reference
                    + " while the order is " + order.status() + (order.status().isFinal() ? " (conflicting answer, not applied)" : ""));
        }
        Order after = settle(order, answer, provider);
        return new Incoming(after, after.status() != order.status());
    }

    /** What an answer that arrived on its own did: the order afterwards, and whether this answer moved it. */
    public record Incoming(Order order, boolean settled) {
    }

    /** The {@code final} step of an order that an answer arriving on its own has just settled. */
    public static void noteFinal(Exchange exchange, Incoming incoming) {
        Order order = incoming.order();
        if (incoming.settled() && order.status().isFinal()) {
            // settled by this provider's answer: the order names it (settleIncoming checked it was sent there)
            note(exchange, AuditNote.of("final", order.reference(), order.merchantId())
                    .provider(order.provider()).outcome(order.status().name()));
        }
    }

    private Order believable(String provider, String reference) throws Exception {
        Order order = lifecycle.store().find(reference)
                .orElseThrow(() -> new UnprocessableMessage("answer for unknown order reference " + reference));
        if (order.provider() == null || !order.provider().equals(provider)) {
            throw new UnprocessableMessage("answer from " + provider + " for " + reference
                    + ", which was not sent to " + provider);
        }
        // the answer named only the reference: its settlement's lines name the merchant too
        io.paygate.observe.OrderLogContext.setOrder(order);
        return order;
    }

    // ---- helpers ----------------------------------------------------------------------------

    private void apply(Exchange exchange, Order order, ProviderAnswer answer, String provider) throws Exception {
        Order after = settle(order, answer, provider);
        exchange.setProperty(ORDER, after);
        exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.ANSWERED.name());
        note(exchange, AuditNote.of("final", order.reference(), order.merchantId()).provider(provider)
                .outcome(after.status().name()));
    }

    private Order settle(Order order, ProviderAnswer answer, String provider) throws Exception {
        Optional<Order> after = lifecycle.move(order, answer.status(),
                new Settlement(provider, answer.providerReference(), answer.reason()));
        if (after.isPresent()) {
            return after.get();
        }
        Order now = lifecycle.store().find(order.reference()).orElseThrow();
        if (now.status() == answer.status()) {
            LOG.info("order {}: duplicate {} answer ignored", order.reference(), answer.status());
            return now;
        }
        throw new UnprocessableMessage("answer " + answer.status() + " for " + order.reference()
                + " contradicts its state " + now.status() + " (conflicting answer, not applied)");
    }

    private void unknown(Exchange exchange, Order order, String reason) throws Exception {
        ProviderPolicy policy = ProviderPolicies.of(exchange);
        var firstCheck = OrderStore.now().plus(policy.checkDelay(0).orElse(policy.checkSchedule().get(0)));
        move(exchange, order, OrderStatus.UNKNOWN, Settlement.reason(reason).checkAt(firstCheck));
        exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.AMBIGUOUS.name());
        note(exchange, AuditNote.of("unknown", order.reference(), order.merchantId()).provider(order.provider())
                .attempt(order.attempts()).outcome("UNKNOWN").detail(Map.of("reason", reason)));
    }

    private void move(Exchange exchange, Order order, OrderStatus to, Settlement settlement) throws Exception {
        lifecycle.move(order, to, settlement).ifPresent(o -> exchange.setProperty(ORDER, o));
        if (to.isFinal()) {
            note(exchange, AuditNote.of("final", order.reference(), order.merchantId()).provider(order.provider())
                    .outcome(to.name()).detail(Map.of("reason", settlement.reason() == null ? "" : settlement.reason())));
        }
    }

    /** Why an answer does not fit the order (other amount or currency), or null when it fits. */
    static String mismatch(Order order, ProviderAnswer answer) {
        if (answer.currency() != null && !answer.currency().equals(order.currency())) {
            return "names currency " + answer.currency() + ", the order is in " + order.currency();
        }
        if (answer.amount() != null) {
            try {
                if (new BigDecimal(answer.amount()).compareTo(new BigDecimal(order.amount())) != 0) {
                    return "names another amount than the order's";
                }
            } catch (NumberFormatException e) {
                return "names an amount that is not a number";
            }
        }
        return null;
    }

    private boolean isNotFound(String body) {
        try {
            return "NOT_FOUND".equals(json.readTree(body).path("status").asText());
        } catch (Exception e) {
            return false;
        }
    }

    private static void jmsMessage(Exchange exchange, Order order, String type, String body) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader("JMSCorrelationID", order.reference());
        m.setHeader("JMSReplyTo", REPLY_QUEUE);
        m.setHeader("JMSType", type);
        m.setBody(body);
    }

    private static Order order(Exchange exchange) {
        return exchange.getProperty(ORDER, Order.class);
    }

    private static void started(Exchange exchange, String step, Order order) {
        exchange.setProperty(STARTED, System.nanoTime());
        note(exchange, AuditNote.of(step, order.reference(), order.merchantId()).provider(order.provider())
                .attempt(order.attempts()));
    }

    private void timed(Exchange exchange, String provider, String call, String outcome) {
        Long ms = latency(exchange);
        if (ms != null && provider != null) {
            metrics.providerCall(provider, call, outcome, java.time.Duration.ofMillis(ms));
        }
    }

    private static Long latency(Exchange exchange) {
        Long started = exchange.getProperty(STARTED, Long.class);
        return started == null ? null : (System.nanoTime() - started) / 1_000_000;
    }

    private static void noteAnswer(Exchange exchange, Order order, String kind, Integer httpStatus) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("class", kind);
        if (httpStatus != null) {
            detail.put("httpStatus", httpStatus);
        }
        note(exchange, AuditNote.of("provider-answer", order.reference(), order.merchantId()).provider(order.provider())
                .attempt(order.attempts()).outcome(kind).latencyMs(latency(exchange)).detail(detail));
    }

    private static void note(Exchange exchange, AuditNote note) {
        AuditNotes.add(exchange, note);
    }

    private String requestBody(Order order) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reference", order.reference());
        body.put("amount", order.amount());
        body.put("currency", order.currency());
        body.put("token", order.paymentToken());
        return json.writeValueAsString(body);
    }

    private String errorText(String body) {
        try {
            var node = json.readTree(body);
            String text = node.path("reason").asText(node.path("error").asText(""));
            return text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) : text);
        } catch (Exception e) {
            return "";
        }
    }
}
