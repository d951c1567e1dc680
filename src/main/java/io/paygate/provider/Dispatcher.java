package io.paygate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.audit.AuditNote;
import io.paygate.audit.AuditNotes;
import io.paygate.broker.UnprocessableMessage;
import io.paygate.database.Database;
import io.paygate.order.ArrivalClaim;
import io.paygate.order.DispatchMessage;
import io.paygate.order.Order;
import io.paygate.order.OrderIntake;
import io.paygate.order.OrderLifecycle;
import io.paygate.order.OrderRequest;
import io.paygate.order.OrderStatus;
import io.paygate.order.OrderStore;
import io.paygate.order.Settlement;
import io.paygate.security.Merchant;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of dispatch (routes/dispatch.yaml) that need Java: reading a queue message, picking
 * a provider among the routing rules' candidates, claiming the order for one attempt, and what
 * "not processed" leads to (fail over, retry later, or FAILED).
 */
public class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /** Exchange property: what a dispatch message means for its order, see {@link Disposition}. */
    public static final String DISPOSITION = "paygateDisposition";
    /** Header set by the routing rules: candidate providers, comma separated, best first. */
    public static final String CANDIDATES = "paygateProviders";
    /** Exchange property: the provider the attempt goes to. */
    public static final String PROVIDER = "paygateProvider";
    /** Exchange property: true when the order must be queued again (with AMQ_SCHEDULED_DELAY set). */
    public static final String REQUEUE = "paygateRequeue";
    private static final String CANDIDATE_LIST = "paygateCandidates";
    /** Exchange property: the order as it was before this attempt's claim (for {@link #undoClaim}). */
    private static final String BEFORE_CLAIM = "paygateBeforeClaim";
    private static final Duration BUSY_RETRY = Duration.ofMillis(250);

    /** What a message on paygate.orders means for its order. */
    public enum Disposition {
        /** RECEIVED: route it and make an attempt. */
        DISPATCH,
        /** SENT by its own insert (claimed on arrival, see {@link #claimOnArrival}): routed already, make the attempt. */
        CLAIMED,
        /** SENT: an attempt holds it (lease live) or reconciliation will ask the provider; never a second call. */
        DUPLICATE,
        /** UNKNOWN: only a status query or the provider's answer may resolve it. */
        AWAITING_RECONCILE,
        /** Final already. */
        SETTLED
    }

    private final ObjectMapper json;
    private final OrderLifecycle lifecycle;
    private final ProviderDirectory providers;
    private final CircuitStates circuits;
    private final io.paygate.observe.PaygateMetrics metrics;
    private final ProviderPolicies policies;
    private final BooleanSupplier firstAttemptsRunning;

    /**
     * @param firstAttemptsRunning whether the first-attempt route runs: only then may an order be
     *                             claimed on arrival (else nobody would make the attempt it claims)
     */
    public Dispatcher(ObjectMapper json, OrderLifecycle lifecycle, ProviderDirectory providers, CircuitStates circuits,
                      io.paygate.observe.PaygateMetrics metrics, ProviderPolicies policies,
                      BooleanSupplier firstAttemptsRunning) {
        this.json = json;
        this.lifecycle = lifecycle;
        this.providers = providers;
        this.circuits = circuits;
        this.metrics = metrics;
        this.policies = policies;
        this.firstAttemptsRunning = firstAttemptsRunning;
    }

    /**
     * Reads a {@link DispatchMessage}, loads the order and decides what the message means for it. For an
     * order to dispatch, exposes its facts as headers for the routing rules. Nothing that came
     * with the message survives this step but its reference.
     */
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
        dispose(exchange, order);
    }

    /**
     * The first attempt: the order the API has just stored (RECEIVED, or claimed on arrival) is
     * dispatched at once on the request's own thread, without a trip through the queue or a re-read.
     */
    public void takeNew(Exchange exchange) {
        // The request's notes were recorded before; the attempt starts a list of its own.
        exchange.removeProperty(AuditNotes.PROPERTY);
        Order order = exchange.getProperty(OrderIntake.NEW_ORDER, Order.class);
        ArrivalClaim claim = exchange.getProperty(ArrivalClaim.PROPERTY, ArrivalClaim.class);
        if (claim == null || order.status() != OrderStatus.SENT) {
            dispose(exchange, order);
            return;
        }
        // stored claimed for its provider: routed already, the attempt is made at once
        exchange.getMessage().removeHeaders("*");
        exchange.setProperty(ProviderCalls.ORDER, order);
        exchange.setProperty(DISPOSITION, Disposition.CLAIMED.name());
        routed(exchange, order, claim.provider(), claim.candidates(), null);
    }

    /** The first attempt could not be made: the dispatch message that queues the order instead. */
    public void queueNew(Exchange exchange) throws SQLException {
        Order order = exchange.getProperty(OrderIntake.NEW_ORDER, Order.class);
        // the message must not outlive its order: it goes out only once the row is in the file
        awaitWritten(exchange);
        undoArrivalClaim(exchange);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(DispatchMessage.of(order.reference()));
        LOG.warn("order {}: first attempt failed ({}); queuing it", order.reference(),
                describe(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)));
    }

    /**
     * The first attempt failed and its order could not be queued either (broker or database
     * away): the stored order is taken up from the database, RECEIVED by the sweeper, a claim by
     * reconciliation once its lease runs out. The request goes on to its answer.
     */
    public void firstAttemptLost(Exchange exchange) {
        Order order = exchange.getProperty(OrderIntake.NEW_ORDER, Order.class);
        LOG.warn("order {}: neither attempted nor queued ({}); it is taken up from the database later",
                order == null ? "?" : order.reference(),
                describe(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)));
    }

    private static String describe(Throwable t) {
        return t == null ? "unknown" : t.getClass().getSimpleName();
    }

    private void dispose(Exchange exchange, Order order) {
        String reference = order.reference();
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        exchange.setProperty(ProviderCalls.ORDER, order);
        Disposition disposition = switch (order.status()) {
            case RECEIVED -> Disposition.DISPATCH;
            case SENT -> Disposition.DUPLICATE;
            case UNKNOWN -> Disposition.AWAITING_RECONCILE;
            default -> Disposition.SETTLED;
        };
        exchange.setProperty(DISPOSITION, disposition.name());
        if (disposition != Disposition.DISPATCH) {
            AuditNotes.add(exchange, AuditNote.of("duplicate-dispatch", reference, order.merchantId())
                    .provider(order.provider()).outcome(order.status().name())
                    .detail(Map.of("ignored", "dispatch message for an order that is " + order.status())));
            return;
        }
        routingFacts(m, order.merchantId(), order.currency(), order.amount(), order.paymentType(), order.preferredProvider());
    }

    /** The facts the routing rules (routes/routing.yaml) may use, as headers; nothing else. */
    private static void routingFacts(Message m, String merchant, String currency, String amount, String paymentType,
                                     String preferredProvider) {
        m.setHeader("paygateMerchant", merchant);
        m.setHeader("paygateCurrency", currency);
        m.setHeader("paygateAmount", amount);
        m.setHeader("paygatePaymentType", paymentType);
        m.setHeader("paygatePreferredProvider", preferredProvider);
    }

    /**
     * Removes every header but Camel's request path, which stays for a problem answer's
     * "instance". Not {@code removeHeaders("*", HTTP_PATH)}: Camel matches each header against
     * an exclude pattern by compiling it as a regular expression, a tenth of an HTTP worker's CPU.
     */
    private static void removeHeadersButPath(Message m) {
        Object path = m.getHeader(Exchange.HTTP_PATH);
        m.removeHeaders("*");
        if (path != null) {
            m.setHeader(Exchange.HTTP_PATH, path);
        }
    }

    /**
     * At intake (routes/api.yaml), for the routing rules: the facts of the order just read, as
     * headers. No header the client sent is left (the request's path is not one it can set).
     */
    public void routeOnArrival(Exchange exchange) {
        Message m = exchange.getMessage();
        removeHeadersButPath(m);
        OrderRequest r = exchange.getProperty(OrderIntake.REQUEST, OrderRequest.class);
        Merchant merchant = exchange.getProperty(OrderIntake.MERCHANT, Merchant.class);
        routingFacts(m, merchant.id(), r.currency(), r.amount(), r.paymentType(), r.preferredProvider());
    }

    /**
     * At intake, after the routing rules: when the first attempt can go straight to a provider
     * (one of the candidates exists, its circuit is closed, its policy is known, and first attempts
     * run), the order is stored already claimed for it (SENT, attempt 1, leased until its reply
     * deadline), in the transaction that inserts it: one write of the order fewer. Otherwise the
     * order is stored RECEIVED and its first attempt routes it as before.
     */
    public void claimOnArrival(Exchange exchange) {
        Message m = exchange.getMessage();
        List<String> existing = candidates(m.getHeader(CANDIDATES, String.class)).stream().filter(providers::exists).toList();
        removeHeadersButPath(m);
        if (existing.isEmpty() || !firstAttemptsRunning.getAsBoolean()) {
            return;
        }
        Optional<ProviderPolicy> policy = firstClosed(existing).flatMap(policies::known);
        if (policy.isEmpty()) {
            return; // its route has not run yet (its policy is read there): the first attempt claims
        }
        exchange.setProperty(ArrivalClaim.PROPERTY,
                new ArrivalClaim(policy.get().provider(), existing, policy.get().replyDeadline()));
    }

    private static List<String> candidates(String header) {
        return header == null ? List.of()
                : Arrays.stream(header.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }

    /**
     * Picks the provider for this attempt from the routing rules' candidates: the first whose
     * circuit is not open; after a "not processed" at a provider, the next one after it (failover).
     * No existing candidate: the order is FAILED with the reason.
     */
    public void pick(Exchange exchange) throws Exception {
        Order order = exchange.getProperty(ProviderCalls.ORDER, Order.class);
        List<String> candidates = candidates(exchange.getMessage().getHeader(CANDIDATES, String.class));
        List<String> existing = candidates.stream().filter(providers::exists).toList();
        exchange.getMessage().removeHeaders("*");
        if (existing.isEmpty()) {
            lifecycle.move(order, OrderStatus.FAILED,
                    Settlement.reason("no provider can take it (routing chose " + candidates + ")"));
            exchange.setProperty(DISPOSITION, Disposition.SETTLED.name());
            AuditNotes.add(exchange, AuditNote.of("final", order.reference(), order.merchantId()).outcome("FAILED")
                    .detail(Map.of("reason", "no provider can take it", "candidates", candidates.toString())));
            return;
        }
        List<String> inTurn = rotateAfter(existing, order.provider());
        routed(exchange, order, firstClosed(inTurn).orElse(inTurn.get(0)), existing, order.provider());
    }

    /**
     * The attempt goes to {@code chosen}, among {@code candidates}: on the exchange and on the
     * record. {@code previous}: the provider that did not process the order before, or null.
     */
    private static void routed(Exchange exchange, Order order, String chosen, List<String> candidates, String previous) {
        exchange.setProperty(CANDIDATE_LIST, candidates);
        exchange.setProperty(PROVIDER, chosen);
        AuditNotes.add(exchange, AuditNote.of("routed", order.reference(), order.merchantId()).provider(chosen)
                .detail(Map.of("candidates", candidates.toString(),
                        "why", previous == null ? "routing rules" : "after " + previous + " did not process it")));
    }

    /** The first of {@code inTurn} whose circuit is not open. */
    private Optional<String> firstClosed(List<String> inTurn) {
        return inTurn.stream().filter(p -> !circuits.isOpen(p)).findFirst();
    }

    /**
     * First step of a payment attempt inside a provider route: RECEIVED (or UNKNOWN after the
     * provider said it never saw the order) -> SENT, counting the attempt and holding a lease
     * until the provider's reply deadline. Only one consumer, on one node, wins it; for the
     * others the outcome is SKIPPED and the provider is not called.
     */
    public void claim(Exchange exchange) throws Exception {
        Order order = exchange.getProperty(ProviderCalls.ORDER, Order.class);
        ProviderPolicy policy = ProviderPolicies.of(exchange);
        ArrivalClaim arrival = exchange.getProperty(ArrivalClaim.PROPERTY, ArrivalClaim.class);
        if (arrival != null && order.status() == OrderStatus.SENT && arrival.provider().equals(policy.provider())) {
            // claimed by its own insert (claimOnArrival): won already, once that insert is in the file
            awaitWritten(exchange);
            if (arrival.taken().compareAndSet(false, true)) {
                exchange.setProperty(BEFORE_CLAIM, exchange.getProperty(OrderIntake.RECEIVED_ORDER, Order.class));
                exchange.removeProperty(CallOutcome.PROPERTY);
                AuditNotes.add(exchange, AuditNote.of("sent", order.reference(), order.merchantId())
                        .provider(policy.provider()).attempt(order.attempts()));
                return;
            }
        }
        Optional<Order> sent = Optional.empty();
        if (order.status() == OrderStatus.UNKNOWN && order.attempts() >= policy.maxAttempts()) {
            // "Never seen" again and again: no more resends. It stays UNKNOWN for an operator.
            lifecycle.store().scheduleCheck(order.reference(), OrderStatus.UNKNOWN, null);
            exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.SKIPPED.name());
            AuditNotes.add(exchange, AuditNote.of("reconcile-exhausted", order.reference(), order.merchantId())
                    .provider(order.provider()).attempt(order.attempts())
                    .detail(Map.of("reason", "provider never saw it; attempt budget spent")));
            return;
        }
        if (order.status() == OrderStatus.RECEIVED || order.status() == OrderStatus.UNKNOWN) {
            Settlement s = new Settlement(policy.provider(), null, null)
                    .checkAt(OrderStore.now().plus(policy.replyDeadline()));
            sent = lifecycle.move(order.reference(), OrderStatus.SENT, s, true, order.status());
        }
        if (sent.isEmpty()) {
            exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.SKIPPED.name());
            AuditNotes.add(exchange, AuditNote.of("duplicate-dispatch", order.reference(), order.merchantId())
                    .provider(policy.provider()).detail(Map.of("ignored", "another attempt holds the order")));
            return;
        }
        exchange.setProperty(BEFORE_CLAIM, order);
        exchange.setProperty(ProviderCalls.ORDER, sent.get());
        exchange.removeProperty(CallOutcome.PROPERTY);
        AuditNotes.add(exchange, AuditNote.of("sent", order.reference(), order.merchantId())
                .provider(policy.provider()).attempt(sent.get().attempts()));
    }

    /**
     * A claim made with the order's insert that no provider route took (the first attempt failed
     * before it, or the circuit refused the call): the order is put back as it came in, RECEIVED
     * with no attempt spent, as if the claim had never been made. Once taken it stays: the
     * provider may have been called, and only its answer or reconciliation can tell.
     */
    private void undoArrivalClaim(Exchange exchange) throws SQLException {
        ArrivalClaim claim = exchange.getProperty(ArrivalClaim.PROPERTY, ArrivalClaim.class);
        Order received = exchange.getProperty(OrderIntake.RECEIVED_ORDER, Order.class);
        Order claimed = exchange.getProperty(OrderIntake.NEW_ORDER, Order.class);
        if (claim == null || received == null || claimed == null || !claim.taken().compareAndSet(false, true)) {
            return;
        }
        awaitWritten(exchange);
        if (!lifecycle.store().undoClaim(received, claimed)) {
            LOG.warn("order {}: claim on arrival not undone (the order changed meanwhile)", claimed.reference());
        }
    }

    /** Waits until the new order's insert is in the database's file (its claim rode with it). */
    private static void awaitWritten(Exchange exchange) throws SQLException {
        Database.Written written = exchange.getProperty(OrderIntake.WRITTEN, Database.Written.class);
        if (written != null) {
            written.await();
        }
    }

    /**
     * The claim is won but the provider is not called after all (no call slot came free in time):
     * the order goes back to how it was, its attempt not counted, and its "sent" note is
     * withdrawn. If paygate dies first, the order is SENT uncalled: reconciliation asks the
     * provider after the lease, hears "never seen" and sends it again.
     */
    public void undoClaim(Exchange exchange) throws Exception {
        Order before = exchange.getProperty(BEFORE_CLAIM, Order.class);
        Order claimed = exchange.getProperty(ProviderCalls.ORDER, Order.class);
        if (before == null || claimed == null || claimed.status() != OrderStatus.SENT) {
            return;
        }
        if (lifecycle.store().undoClaim(before, claimed)) {
            exchange.setProperty(ProviderCalls.ORDER, before);
            AuditNotes.withdraw(exchange, "sent");
        } else {
            LOG.warn("order {}: claim not undone (the order changed meanwhile); reconciliation will ask {}",
                    claimed.reference(), claimed.provider());
        }
    }

    /**
     * The provider did not process the order. Within the provider's attempt budget it goes back
     * to RECEIVED and is queued again: at once when another candidate can take it (failover),
     * else after the provider's retry delay (broker-scheduled, so it survives restarts).
     * After the budget: FAILED, which is safe because no attempt was processed.
     */
    public void retryLater(Exchange exchange) throws Exception {
        // the circuit refused the call before the claim made with the insert was taken: not an attempt
        undoArrivalClaim(exchange);
        // Re-read: the circuit breaker ran the attempt on a copy of the exchange, so whether the
        // provider was called (the claim) is known only to the database.
        Order loaded = exchange.getProperty(ProviderCalls.ORDER, Order.class);
        Order order = lifecycle.store().find(loaded.reference()).orElse(loaded);
        ProviderPolicy policy = ProviderPolicies.of(exchange);
        String reason = exchange.getProperty(ProviderCalls.RETRY_REASON, "not processed", String.class);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        exchange.setProperty(REQUEUE, false);
        // The provider was not even called (circuit open, too busy): no attempt was used.
        boolean called = order.status() == OrderStatus.SENT;
        String failed = called ? order.provider() : exchange.getProperty(PROVIDER, String.class);
        if (called && order.attempts() >= policy.maxAttempts()) {
            lifecycle.move(order, OrderStatus.FAILED, Settlement.reason(
                    "no provider could take it after " + order.attempts() + " attempts: " + reason));
            AuditNotes.add(exchange, AuditNote.of("final", order.reference(), order.merchantId()).provider(order.provider())
                    .attempt(order.attempts()).outcome("FAILED").detail(Map.of("reason", reason)));
            return;
        }
        if (called) {
            if (lifecycle.move(order.reference(), OrderStatus.RECEIVED, Settlement.reason(reason), false,
                    OrderStatus.SENT).isEmpty()) {
                return; // settled meanwhile (a late answer): nothing to retry
            }
        } else {
            // remember who could not take it, so the next pick starts after it
            lifecycle.store().noteProvider(order.reference(), OrderStatus.RECEIVED, failed, reason);
        }
        @SuppressWarnings("unchecked")
        List<String> candidates = exchange.getProperty(CANDIDATE_LIST, List.class);
        String next = candidates == null ? failed
                : firstClosed(rotateAfter(candidates, failed)).orElse(failed);
        boolean failover = !next.equals(failed);
        metrics.retry(failed, failover);
        // busy (all call slots taken): try again shortly; else the provider's retry delay
        boolean busy = exchange.getProperty(ProviderCalls.BUSY, false, Boolean.class);
        Duration delay = failover ? Duration.ZERO
                : busy ? BUSY_RETRY : policy.retryDelay(Math.max(1, order.attempts()));
        AuditNotes.add(exchange, AuditNote.of(failover ? "failover" : "retry-scheduled", order.reference(),
                order.merchantId()).provider(failed).attempt(order.attempts())
                .detail(Map.of("reason", reason, "next", next, "delayMs", delay.toMillis())));
        if (delay.toMillis() > 0) {
            m.setHeader("AMQ_SCHEDULED_DELAY", delay.toMillis());
        }
        m.setBody(DispatchMessage.of(order.reference()));
        exchange.setProperty(REQUEUE, true);
    }

    /** The candidates starting after {@code previous} (wrapping), or as they are when it is not one. */
    private static List<String> rotateAfter(List<String> candidates, String previous) {
        int i = previous == null ? -1 : candidates.indexOf(previous);
        if (i < 0) {
            return candidates;
        }
        List<String> rotated = new ArrayList<>(candidates.subList(i + 1, candidates.size()));
        rotated.addAll(candidates.subList(0, i + 1));
        return rotated;
    }
}
