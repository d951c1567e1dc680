package io.paygate.observe;

import io.paygate.order.IdempotencyRecord;
import io.paygate.order.Order;
import io.paygate.order.OrderIntake;
import io.paygate.provider.ProviderCalls;
import io.paygate.security.Merchant;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.MDC;

/**
 * Puts the order's reference and merchant into the logging context (MDC keys {@value #REFERENCE}
 * and {@value #MERCHANT}) for every step of every route, so that each log line written while an
 * order is processed, by paygate or by Camel, names the order: the text format shows them in
 * brackets, the JSON format as fields. Searching the logs for one reference finds the order's
 * whole path, across threads.
 * <p>
 * The values come from what the exchange already carries: the order being dispatched or
 * settled, the order being taken in, the authenticated merchant, or the correlation id of a
 * provider's JMS reply (only when it has the shape of a paygate reference, since it comes from
 * outside). Nothing else is logged: no token, key or body. The keys are removed when the
 * exchange completes, so a pooled thread never carries them into unrelated work.
 */
public final class OrderLogContext implements InterceptStrategy {

    public static final String REFERENCE = "reference";
    public static final String MERCHANT = "merchant";

    private static final Pattern PAYGATE_REFERENCE = Pattern.compile("pg_[0-9a-f]{32}");

    private static final Synchronization CLEAR = new SynchronizationAdapter() {
        @Override
        public void onDone(Exchange exchange) {
            MDC.remove(REFERENCE);
            MDC.remove(MERCHANT);
        }
    };

    private OrderLogContext() {
    }

    /** Every route step created after this call sets the logging context first. */
    public static void install(CamelContext context) {
        context.getCamelContextExtension().addInterceptStrategy(new OrderLogContext());
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                apply(exchange);
                return processor.process(exchange, callback);
            }
        };
    }

    static void apply(Exchange exchange) {
        String reference = null;
        String merchant = null;
        Order order = exchange.getProperty(ProviderCalls.ORDER, Order.class);
        if (order == null) {
            order = exchange.getProperty(OrderIntake.NEW_ORDER, Order.class);
        }
        if (order != null) {
            reference = order.reference();
            merchant = order.merchantId();
        } else {
            IdempotencyRecord intake = exchange.getProperty(OrderIntake.KEY, IdempotencyRecord.class);
            // A replayed request's fresh reference is never stored: it would point nowhere.
            if (intake != null && !exchange.getProperty(OrderIntake.REPLAY, false, Boolean.class)) {
                reference = intake.orderReference();
            }
            Merchant m = exchange.getProperty(OrderIntake.MERCHANT, Merchant.class);
            if (m != null) {
                merchant = m.id();
            }
            if (reference == null) {
                String correlation = exchange.getIn().getHeader("JMSCorrelationID", String.class);
                if (correlation != null && PAYGATE_REFERENCE.matcher(correlation).matches()) {
                    reference = correlation;
                }
            }
        }
        put(REFERENCE, reference);
        put(MERCHANT, merchant);
        if ((reference != null || merchant != null) && !exchange.getExchangeExtension().containsOnCompletion(CLEAR)) {
            exchange.getExchangeExtension().addOnCompletion(CLEAR);
        }
    }

    /**
     * For a step that finds its order itself (a provider's JMS reply or callback names only the
     * reference): from here on the step's lines carry the order's merchant too. The route's next
     * step sets the context from the exchange again, and its completion clears it.
     */
    public static void setOrder(Order order) {
        put(REFERENCE, order.reference());
        put(MERCHANT, order.merchantId());
    }

    private static void put(String key, String value) {
        // every step of every route comes here: the context map is copied on each change, so a
        // value already in place (the usual case) is left alone
        if (Objects.equals(MDC.get(key), value)) {
            return;
        }
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
