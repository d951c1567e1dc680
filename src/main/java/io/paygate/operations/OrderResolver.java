package io.paygate.operations;

import io.paygate.order.Order;
import io.paygate.order.OrderLifecycle;
import io.paygate.order.OrderStatus;
import io.paygate.order.Settlement;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * An operator settles an order whose outcome paygate could not learn (UNKNOWN, or SENT with no
 * answer), e.g. after checking the provider's dashboard. The move goes through
 * {@link OrderLifecycle#move} like every other; the check of the state it leaves and the record
 * of who and why run inside that move's transaction (a transition hook), so the order cannot
 * change state without the record, nor be resolved from a state that changed in between.
 */
public class OrderResolver {

    /** The states an operator may resolve; anything else is either settled or still in paygate's hands. */
    public static final Set<OrderStatus> RESOLVABLE = EnumSet.of(OrderStatus.UNKNOWN, OrderStatus.SENT);
    public static final Set<OrderStatus> OUTCOMES = EnumSet.of(OrderStatus.APPROVED, OrderStatus.DECLINED);

    /** What came of a resolution. */
    public sealed interface Outcome permits Resolved, NotFound, NotResolvable { }

    public record Resolved(OrderStatus from, Order order) implements Outcome { }

    public record NotFound() implements Outcome { }

    public record NotResolvable(OrderStatus current) implements Outcome { }

    /** The resolution under way on this thread; the hook fills in the state the order left. */
    private static final class Pending {
        final String reference;
        final String operator;
        final String reason;
        OrderStatus from;

        Pending(String reference, String operator, String reason) {
            this.reference = reference;
            this.operator = operator;
            this.reason = reason;
        }
    }

    /** Thrown inside the move's transaction to roll it back. */
    private static final class WrongState extends RuntimeException {
        final OrderStatus from;

        WrongState(OrderStatus from) {
            super(null, null, false, false);
            this.from = from;
        }
    }

    private final OrderLifecycle lifecycle;
    private final OperatorActions actions;
    /** Resolutions in progress by order reference (the hook may run on the group-commit writer's thread). */
    private final java.util.Map<String, Pending> pending = new java.util.concurrent.ConcurrentHashMap<>();

    public OrderResolver(OrderLifecycle lifecycle, OperatorActions actions) {
        this.lifecycle = lifecycle;
        this.actions = actions;
        lifecycle.store().addTransitionHook(this::duringMove);
    }

    public Outcome resolve(String reference, OrderStatus to, String operator, String reason) throws SQLException {
        if (!OUTCOMES.contains(to)) {
            throw new IllegalArgumentException("an operator resolves to APPROVED or DECLINED, not " + to);
        }
        Optional<Order> moved;
        Pending resolution = new Pending(reference, operator, reason);
        if (pending.putIfAbsent(reference, resolution) != null) {
            return lifecycle.store().find(reference).<Outcome>map(o -> new NotResolvable(o.status()))
                    .orElseGet(NotFound::new); // another operator is resolving it right now
        }
        try {
            moved = lifecycle.move(reference, to, Settlement.reason("resolved by an operator: " + reason));
        } catch (WrongState e) {
            return new NotResolvable(e.from);
        } finally {
            pending.remove(reference, resolution);
        }
        if (moved.isPresent()) {
            return new Resolved(resolution.from, moved.get());
        }
        // The state machine refused (a final state): say which.
        return lifecycle.store().find(reference)
                .<Outcome>map(o -> new NotResolvable(o.status()))
                .orElseGet(NotFound::new);
    }

    private void duringMove(Connection c, OrderStatus from, Order after) throws SQLException {
        Pending p = pending.get(after.reference());
        // only the operator's own move (a provider's answer racing it is not the operator's doing)
        if (p == null || after.reason() == null || !after.reason().startsWith("resolved by an operator: ")) {
            return;
        }
        if (!RESOLVABLE.contains(from)) {
            throw new WrongState(from);
        }
        actions.insert(c, new OperatorAction(OperatorAction.RESOLVED, after.reference(), p.operator, p.reason,
                from + " -> " + after.status(), OffsetDateTime.now(ZoneOffset.UTC)));
        p.from = from;
    }
}
