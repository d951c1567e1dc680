package io.paygate.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.broker.UnprocessableMessage;
import io.paygate.order.Order;
import io.paygate.order.OrderLifecycle;
import io.paygate.order.OrderStatus;
import io.paygate.order.Settlement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference provider protocol, both ways: builds the request a provider route sends and
 * turns what comes back (an HTTP answer, a transport failure, a JMS reply) into a state change.
 */
public class ProviderCalls {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderCalls.class);

    /** Exchange property holding the {@link Order} being dispatched. */
    public static final String ORDER = "paygateOrder";
    /** Header the dispatch route reads: true when the provider definitely did not process the order. */
    public static final String RETRY = "paygateRetry";
    public static final String RETRY_REASON = "paygateRetryReason";
    public static final String REPLY_QUEUE = "paygate.replies";

    private final ObjectMapper json;
    private final OrderLifecycle lifecycle;

    public ProviderCalls(ObjectMapper json, OrderLifecycle lifecycle) {
        this.json = json;
        this.lifecycle = lifecycle;
    }

    /** POST {base}/payments with the order's reference as Idempotency-Key. */
    public void httpRequest(Exchange exchange) throws Exception {
        Order order = exchange.getProperty(ORDER, Order.class);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_METHOD, "POST");
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("Idempotency-Key", order.reference());
        m.setBody(requestBody(order));
    }

    /** Fire-and-forget request; the reply comes to paygate.replies, correlated by reference. */
    public void jmsRequest(Exchange exchange) throws Exception {
        Order order = exchange.getProperty(ORDER, Order.class);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader("JMSCorrelationID", order.reference());
        m.setHeader("JMSReplyTo", REPLY_QUEUE);
        m.setBody(requestBody(order));
    }

    /** What the provider's HTTP answer means for the order. */
    public void httpAnswer(Exchange exchange) throws Exception {
        Order order = exchange.getProperty(ORDER, Order.class);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        String provider = order.provider();
        FailureClass kind = FailureClassifier.ofStatus(status);
        switch (kind) {
            case BUSINESS_ANSWER -> {
                Optional<ProviderAnswer> answer = ProviderAnswer.parse(json, body);
                if (answer.isPresent()) {
                    settle(order, answer.get(), provider);
                } else {
                    // It answered 2xx, so it may have charged: only a status query can tell.
                    lifecycle.move(order.reference(), OrderStatus.UNKNOWN,
                            Settlement.reason(provider + " answered " + status + " without a valid status"));
                }
            }
            case REJECTED_REQUEST -> lifecycle.move(order.reference(), OrderStatus.FAILED,
                    Settlement.reason(provider + " rejected the request (" + status + ")" + errorText(body)));
            case AMBIGUOUS -> lifecycle.move(order.reference(), OrderStatus.UNKNOWN,
                    Settlement.reason(provider + " answered " + status + "; outcome unknown"));
            case NOT_PROCESSED -> retry(exchange, provider + " answered " + status + " before processing");
        }
    }

    /** The call failed without an HTTP answer. */
    public void httpFailure(Exchange exchange) throws Exception {
        Order order = exchange.getProperty(ORDER, Order.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String what = failure == null ? "unknown failure" : failure.getClass().getSimpleName();
        if (FailureClassifier.ofThrowable(failure) == FailureClass.NOT_PROCESSED) {
            retry(exchange, order.provider() + " not reachable (" + what + ")");
        } else {
            lifecycle.move(order.reference(), OrderStatus.UNKNOWN,
                    Settlement.reason(order.provider() + " call failed after sending (" + what + "); outcome unknown"));
        }
    }

    /**
     * Settles a JMS reply, whenever it comes. Duplicates of the same answer are ignored; a reply
     * for an unknown order or contradicting a final state goes to the dead-letter queue.
     */
    public void reply(Exchange exchange) throws Exception {
        String reference = exchange.getIn().getHeader("JMSCorrelationID", String.class);
        if (reference == null || reference.isBlank()) {
            throw new UnprocessableMessage("reply without JMSCorrelationID");
        }
        ProviderAnswer answer = ProviderAnswer.parse(json, exchange.getIn().getBody(String.class))
                .orElseThrow(() -> new UnprocessableMessage("reply for " + reference + " is not a valid provider answer"));
        Order order = lifecycle.store().find(reference)
                .orElseThrow(() -> new UnprocessableMessage("reply for unknown order reference " + reference));
        settle(order, answer, order.provider());
    }

    /**
     * The one door for an answer that arrives on its own (JMS reply, status answer, HTTP
     * callback): it is believed only from the provider the order went to, only while the order
     * is SENT or UNKNOWN, and only if amount and currency (when given) match. Anything else is
     * refused with the reason ({@link UnprocessableMessage}) and the order is unchanged; a
     * duplicate of the answer already applied is ignored.
     */
    public void settleIncoming(String provider, String reference, ProviderAnswer answer) throws Exception {
        Order order = lifecycle.store().find(reference)
                .orElseThrow(() -> new UnprocessableMessage("answer for unknown order reference " + reference));
        if (order.provider() == null || !order.provider().equals(provider)) {
            throw new UnprocessableMessage("answer from " + provider + " for " + reference
                    + ", which was not sent to " + provider);
        }
        if (answer.currency() != null && !answer.currency().equals(order.currency())) {
            throw new UnprocessableMessage("answer for " + reference + " names currency " + answer.currency()
                    + ", the order is in " + order.currency());
        }
        if (answer.amount() != null && !sameAmount(answer.amount(), order.amount())) {
            throw new UnprocessableMessage("answer for " + reference + " names another amount than the order's");
        }
        if (order.status() == answer.status()) {
            LOG.info("order {}: duplicate {} answer ignored", reference, answer.status());
            return;
        }
        if (order.status() != OrderStatus.SENT && order.status() != OrderStatus.UNKNOWN) {
            throw new UnprocessableMessage("answer " + answer.status() + " for " + reference
                    + " while the order is " + order.status());
        }
        settle(order, answer, provider);
    }

    private static boolean sameAmount(String a, String b) {
        try {
            return new java.math.BigDecimal(a).compareTo(new java.math.BigDecimal(b)) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void settle(Order order, ProviderAnswer answer, String provider) throws Exception {
        Optional<Order> after = lifecycle.move(order.reference(), answer.status(),
                new Settlement(provider, answer.providerReference(), answer.reason()));
        if (after.isPresent()) {
            return;
        }
        Order now = lifecycle.store().find(order.reference()).orElseThrow();
        if (now.status() == answer.status()) {
            LOG.info("order {}: duplicate {} answer ignored", order.reference(), answer.status());
        } else {
            throw new UnprocessableMessage("answer " + answer.status() + " for " + order.reference()
                    + " contradicts its state " + now.status());
        }
    }

    private void retry(Exchange exchange, String reason) {
        LOG.info("order {}: {}", exchange.getProperty(ORDER, Order.class).reference(), reason);
        exchange.getMessage().setHeader(RETRY, true);
        exchange.getMessage().setHeader(RETRY_REASON, reason);
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
