package io.paygate.provider;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;

/**
 * How many calls to one provider may be in flight at once (its {@code maxConcurrentCalls}): a
 * slow or hanging provider holds at most that many threads (request or dispatch) in calls, so orders for the
 * others keep flowing. A slot is taken once the order's claim is written (routes/templates/
 * http-provider.yaml), so it counts calls, not claims waiting for the disk. An order that finds no
 * free slot within a short wait is not called, its claim is undone ({@link Dispatcher#undoClaim})
 * and it is tried again shortly ("busy": no attempt used, and not a failure of the provider).
 */
public class CallSlots {

    /** Exchange property: the slot this exchange holds (given back by {@link #release}). */
    private static final String HELD = "paygateCallSlot";

    /**
     * One taken slot. Given back at most once: {@link #release} may run on a copy of the exchange
     * (the circuit breaker's) and again on the original, which both refer to this same object.
     */
    private static final class Slot {
        private final Semaphore semaphore;
        private final AtomicBoolean released = new AtomicBoolean();

        Slot(Semaphore semaphore) {
            this.semaphore = semaphore;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                semaphore.release();
            }
        }
    }

    private final long waitMillis;
    private final Map<String, Semaphore> slots = new ConcurrentHashMap<>();

    public CallSlots(long waitMillis) {
        this.waitMillis = waitMillis;
    }

    /** Takes a slot, or sets the outcome NOT_PROCESSED (busy) when none is free in time. */
    public void take(Exchange exchange, String provider, int maxConcurrentCalls) throws InterruptedException {
        Semaphore s = slots.computeIfAbsent(provider, p -> new Semaphore(Math.max(1, maxConcurrentCalls), true));
        if (s.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
            exchange.setProperty(HELD, new Slot(s));
            return;
        }
        exchange.setProperty(ProviderCalls.BUSY, true);
        exchange.setProperty(Dispatcher.PROVIDER, provider);
        exchange.setProperty(ProviderCalls.RETRY_REASON, provider + " has too many calls in flight; not called");
        exchange.setProperty(CallOutcome.PROPERTY, CallOutcome.NOT_PROCESSED.name());
    }

    public void release(Exchange exchange) {
        Slot slot = exchange.getProperty(HELD, Slot.class);
        if (slot != null) {
            slot.release();
        }
    }

    /** Calls in flight per provider (for metrics). */
    public int inFlight(String provider, int maxConcurrentCalls) {
        Semaphore s = slots.get(provider);
        return s == null ? 0 : Math.max(0, maxConcurrentCalls - s.availablePermits());
    }
}
