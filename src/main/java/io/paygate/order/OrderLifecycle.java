package io.paygate.order;

import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one state-transition function: checks the move against {@link OrderStatus}, applies it
 * as a conditional update, and wakes up HTTP requests waiting for the order's final state.
 */
public class OrderLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(OrderLifecycle.class);
    /** How often a waiting request re-reads the database, to see settlements made by other nodes. */
    private static final Duration POLL = Duration.ofMillis(500);

    private final OrderStore store;
    private final Map<String, List<CompletableFuture<Order>>> waiters = new ConcurrentHashMap<>();

    public OrderLifecycle(OrderStore store) {
        this.store = store;
    }

    public OrderStore store() {
        return store;
    }

    /**
     * Moves the order to {@code to} if its current state allows it. Returns the order as it is
     * afterwards, or empty if the move was not allowed (already settled, duplicate, unknown).
     */
    public Optional<Order> move(String reference, OrderStatus to, Settlement settlement) throws SQLException {
        return move(reference, to, settlement, false);
    }

    public Optional<Order> move(String reference, OrderStatus to, Settlement settlement, boolean countAttempt)
            throws SQLException {
        return move(reference, to, settlement, countAttempt, null);
    }

    /**
     * As {@link #move(String, OrderStatus, Settlement)}, optionally counting an attempt, and only
     * from {@code expectedFrom} when it is given (a claim: whoever read another state lost).
     */
    public Optional<Order> move(String reference, OrderStatus to, Settlement settlement, boolean countAttempt,
                                OrderStatus expectedFrom) throws SQLException {
        return move(reference, expectedFrom, expectedFrom != null, to, settlement, countAttempt);
    }

    /**
     * Moves an order the caller has just read: its state is tried first, and only if the order
     * changed meanwhile is it read again and the move re-judged (saves a read per state change).
     */
    public Optional<Order> move(Order current, OrderStatus to, Settlement settlement) throws SQLException {
        return move(current.reference(), current.status(), false, to, settlement, false);
    }

    private Optional<Order> move(String reference, OrderStatus guess, boolean onlyFromGuess, OrderStatus to,
                                 Settlement settlement, boolean countAttempt) throws SQLException {
        OrderStatus from = guess;
        // Two tries: a concurrent change between read and update is re-read once and re-judged.
        for (int attempt = 0; attempt < 2; attempt++) {
            if (from == null) {
                Optional<Order> current = store.find(reference);
                if (current.isEmpty()) {
                    return Optional.empty();
                }
                from = current.get().status();
            }
            if (!from.canMoveTo(to)) {
                LOG.info("order {}: {} -> {} not allowed, left as {}", reference, from, to, from);
                return Optional.empty();
            }
            Optional<Order> after = store.move(reference, from, to, settlement, countAttempt);
            if (after.isPresent()) {
                logMove(reference, from, after.get());
                if (to.isFinal()) {
                    wake(after.get());
                }
                return after;
            }
            if (onlyFromGuess) {
                return Optional.empty();
            }
            from = null;
        }
        return Optional.empty();
    }

    /**
     * A new order claimed for its first attempt as it is stored (RECEIVED -> SENT in its insert's
     * transaction, see {@code Dispatcher#claimOnArrival}): attempt 1 at {@code provider}, leased
     * until {@code checkAt}, exactly as {@link #move} would leave it.
     */
    public Order claimedOnArrival(Order received, String provider, OffsetDateTime checkAt) {
        if (received.status() != OrderStatus.RECEIVED || !received.status().canMoveTo(OrderStatus.SENT)) {
            throw new IllegalStateException("only a RECEIVED order is claimed on arrival, not " + received.status());
        }
        return new Order(received.reference(), received.merchantId(), received.orderId(), received.amount(),
                received.currency(), received.paymentType(), received.paymentToken(), received.customerJson(),
                received.callbackUrl(), received.preferredProvider(), provider, OrderStatus.SENT, null, null, 1,
                received.createdAt(), received.updatedAt(), checkAt, 0);
    }

    /** The log line of a state change (a claim on arrival has its own: OrderIntake#accept). */
    private void logMove(String reference, OrderStatus from, Order after) {
        LOG.info("order {}: {} -> {}{}", reference, from, after.status(),
                after.reason() == null ? "" : " (" + after.reason() + ")");
    }

    /**
     * Starts watching for the order's final state. Called before the work that may settle it
     * starts, so a settlement on this node is never missed and no first read is needed.
     */
    public CompletableFuture<Order> watch(String reference) {
        CompletableFuture<Order> settled = new CompletableFuture<>();
        waiters.computeIfAbsent(reference, r -> new CopyOnWriteArrayList<>()).add(settled);
        return settled;
    }

    /**
     * Waits up to {@code wait} for the order to reach a final state. Settlements on this node
     * complete {@code settled} at once; settlements on other nodes are seen by re-reading the
     * database every {@link #POLL}, and once more when the wait is over.
     */
    public Order awaitFinal(Order order, Duration wait, CompletableFuture<Order> settled)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            Order latest = order;
            while (true) {
                long left = deadline - System.nanoTime();
                try {
                    return settled.get(Math.max(0, Math.min(left, POLL.toNanos())), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // read the database: another node may have settled it
                } catch (ExecutionException e) {
                    return latest;
                }
                Optional<Order> stored = store.find(order.reference());
                if (stored.isPresent()) {
                    latest = stored.get();
                    if (latest.status().isFinal()) {
                        return latest;
                    }
                }
                if (deadline - System.nanoTime() <= 0) {
                    return latest;
                }
            }
        } finally {
            unwatch(order.reference(), settled);
        }
    }

    private void unwatch(String reference, CompletableFuture<Order> settled) {
        waiters.computeIfPresent(reference, (r, l) -> {
            l.remove(settled);
            return l.isEmpty() ? null : l;
        });
    }

    private void wake(Order order) {
        // final states are final: nobody needs to watch this order any more
        List<CompletableFuture<Order>> list = waiters.remove(order.reference());
        if (list != null) {
            list.forEach(f -> f.complete(order));
        }
    }
}
