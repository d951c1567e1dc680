package io.paygate.reconcile;

import io.paygate.audit.AuditNote;
import io.paygate.audit.AuditNotes;
import io.paygate.order.Order;
import io.paygate.order.OrderLifecycle;
import io.paygate.order.OrderStatus;
import io.paygate.order.OrderStore;
import io.paygate.order.Settlement;
import io.paygate.provider.CallOutcome;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.ProviderPolicies;
import io.paygate.provider.ProviderPolicy;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves orders whose outcome is open (routes/reconcile.yaml): a SENT order past its reply
 * deadline becomes UNKNOWN, and an UNKNOWN order's provider is asked for its status on the
 * provider's schedule. An answer settles it; "never seen" sends it again with the same
 * reference to the same provider; after the schedule it stays UNKNOWN for an operator —
 * never FAILED, because it may have been charged.
 */
public class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final OrderLifecycle lifecycle;
    private final Duration checkLease;
    private final int batch;

    /**
     * @param checkLease how long a claimed check holds the order before another node may take it
     *                   again (covers a node dying mid-check)
     */
    public Reconciler(OrderLifecycle lifecycle, Duration checkLease, int batch) {
        this.lifecycle = lifecycle;
        this.checkLease = checkLease;
        this.batch = batch;
    }

    /** References of the due orders this node claimed (no two nodes claim the same check). */
    public List<String> claimDue() throws SQLException {
        OrderStore store = lifecycle.store();
        List<String> claimed = new ArrayList<>();
        for (Order order : store.findDueChecks(batch)) {
            if (store.claimCheck(order, OrderStore.now().plus(checkLease))) {
                claimed.add(order.reference());
            }
        }
        return claimed;
    }

    /** Loads a claimed order for its status query; a SENT order past its deadline turns UNKNOWN first. */
    public void load(Exchange exchange) throws SQLException {
        String reference = exchange.getIn().getBody(String.class);
        exchange.getMessage().removeHeaders("*");
        Optional<Order> found = lifecycle.store().find(reference);
        if (found.isEmpty() || (found.get().status() != OrderStatus.SENT && found.get().status() != OrderStatus.UNKNOWN)) {
            exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.SKIPPED.name());
            return;
        }
        Order order = found.get();
        if (order.status() == OrderStatus.SENT) {
            String reason = "no answer from " + order.provider() + " within its reply deadline; outcome unknown";
            Optional<Order> unknown = lifecycle.move(reference, OrderStatus.UNKNOWN,
                    Settlement.reason(reason).checkAt(order.nextCheckAt()), false, OrderStatus.SENT);
            if (unknown.isEmpty()) {
                exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.SKIPPED.name());
                return;
            }
            AuditNotes.add(exchange, AuditNote.of("unknown", reference, order.merchantId()).provider(order.provider())
                    .attempt(order.attempts()).outcome("UNKNOWN").detail(Map.of("reason", reason)));
            order = unknown.get();
        }
        exchange.setProperty(ProviderCalls.ORDER, order);
        exchange.setProperty(ProviderCalls.CALL, "status");
        exchange.setProperty(io.paygate.provider.Dispatcher.PROVIDER, order.provider());
        exchange.removeProperty(CallOutcome.PROPERTY);
    }

    /**
     * After a status query that brought no answer yet: the next one on the provider's schedule,
     * or, when the schedule is spent, none — the order stays UNKNOWN and is listed for operators.
     */
    public void scheduleNext(Exchange exchange) throws SQLException {
        Order order = exchange.getProperty(ProviderCalls.ORDER, Order.class);
        ProviderPolicy policy = ProviderPolicies.of(exchange);
        Order now = lifecycle.store().find(order.reference()).orElse(order);
        if (now.status() != OrderStatus.UNKNOWN) {
            return; // settled or sent again meanwhile
        }
        Optional<Duration> delay = policy.checkDelay(now.checks());
        OffsetDateTime next = delay.map(d -> OrderStore.now().plus(d)).orElse(null);
        lifecycle.store().scheduleCheck(now.reference(), OrderStatus.UNKNOWN, next);
        if (next == null) {
            LOG.warn("order {}: still UNKNOWN after {} status queries to {}; an operator must resolve it",
                    now.reference(), now.checks(), now.provider());
            AuditNotes.add(exchange, AuditNote.of("reconcile-exhausted", now.reference(), now.merchantId())
                    .provider(now.provider()).outcome("UNKNOWN").detail(Map.of("checks", now.checks())));
        }
    }
}
