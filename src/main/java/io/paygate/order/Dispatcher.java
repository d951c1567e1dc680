package io.paygate.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.broker.UnprocessableMessage;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.ProviderDirectory;
import java.time.Duration;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The steps of the dispatch route (routes/dispatch.yaml) that need Java: loading the order a
 * queue message names, marking it SENT, and deciding what "not processed" leads to.
 */
public class Dispatcher {

    /** Exchange property: true when the message needs no work (order settled or awaiting reconcile). */
    public static final String SKIP = "paygateSkip";
    public static final String PROVIDER = "paygateProvider";
    public static final String REQUEUE = "paygateRequeue";

    private final ObjectMapper json;
    private final OrderLifecycle lifecycle;
    private final ProviderDirectory providers;
    private final int maxAttempts;
    private final Duration retryDelay;

    public Dispatcher(ObjectMapper json, OrderLifecycle lifecycle, ProviderDirectory providers, int maxAttempts,
                      Duration retryDelay) {
        this.json = json;
        this.lifecycle = lifecycle;
        this.providers = providers;
        this.maxAttempts = maxAttempts;
        this.retryDelay = retryDelay;
    }

    /** The body of a message on paygate.orders: the order's reference, nothing else. */
    public static String message(String reference) {
        return "{\"reference\":\"" + reference + "\"}";
    }

    /** Reads {@link #message}, loads the order and exposes its facts as headers for the routing rules. */
    public void load(Exchange exchange) throws Exception {
        String reference;
        try {
            JsonNode node = json.readTree(exchange.getIn().getBody(String.class));
            reference = node == null ? null : node.path("reference").asText(null);
        } catch (Exception e) {
            throw new UnprocessableMessage("dispatch message is not valid JSON");
        }
        if (reference == null || reference.isBlank()) {
            throw new UnprocessableMessage("dispatch message has no reference");
        }
        Order order = lifecycle.store().find(reference)
                .orElseThrow(() -> new UnprocessableMessage("unknown order reference " + reference));
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        exchange.setProperty(ProviderCalls.ORDER, order);
        // Settled, or UNKNOWN (only a status query may resolve it): nothing to send.
        exchange.setProperty(SKIP, order.status().isFinal() || order.status() == OrderStatus.UNKNOWN);
        m.setHeader("paygateMerchant", order.merchantId());
        m.setHeader("paygateCurrency", order.currency());
        m.setHeader("paygateAmount", order.amount());
        m.setHeader("paygatePaymentType", order.paymentType());
        m.setHeader("paygatePreferredProvider", order.preferredProvider());
        if (order.status() == OrderStatus.SENT) {
            // Redelivered after a crash mid-call: same provider, same key, never another provider.
            m.setHeader(PROVIDER, order.provider());
        }
    }

    /** RECEIVED -> SENT with the chosen provider; FAILED when the routing rules chose none that exists. */
    public void markSent(Exchange exchange) throws Exception {
        Order order = exchange.getProperty(ProviderCalls.ORDER, Order.class);
        String provider = exchange.getMessage().getHeader(PROVIDER, String.class);
        if (!providers.exists(provider)) {
            lifecycle.move(order.reference(), OrderStatus.FAILED,
                    Settlement.reason("no provider can take it (routing chose '" + provider + "')"));
            exchange.setProperty(SKIP, true);
            return;
        }
        if (order.status() == OrderStatus.RECEIVED) {
            Optional<Order> sent = lifecycle.move(order.reference(), OrderStatus.SENT,
                    new Settlement(provider, null, null), true);
            if (sent.isEmpty()) {
                exchange.setProperty(SKIP, true); // another consumer took it
                return;
            }
            order = sent.get();
        }
        exchange.setProperty(ProviderCalls.ORDER, order);
    }

    /**
     * The provider did not process the order. Within the attempt budget it goes back to RECEIVED
     * and is queued again with a broker-scheduled delay (survives restarts); after that, FAILED.
     */
    public void retryLater(Exchange exchange) throws Exception {
        Order order = exchange.getProperty(ProviderCalls.ORDER, Order.class);
        String reason = exchange.getMessage().getHeader(ProviderCalls.RETRY_REASON, String.class);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        if (order.attempts() >= maxAttempts) {
            lifecycle.move(order.reference(), OrderStatus.FAILED,
                    Settlement.reason("no provider could take it after " + order.attempts() + " attempts: " + reason));
            exchange.setProperty(REQUEUE, false);
            return;
        }
        Optional<Order> back = lifecycle.move(order.reference(), OrderStatus.RECEIVED, Settlement.reason(reason));
        exchange.setProperty(REQUEUE, back.isPresent());
        long delay = retryDelay.toMillis() * (1L << Math.min(order.attempts() - 1, 4));
        m.setHeader("AMQ_SCHEDULED_DELAY", Math.max(delay, 0L));
        m.setBody(message(order.reference()));
    }
}
