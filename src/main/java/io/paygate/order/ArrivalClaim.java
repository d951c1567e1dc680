package io.paygate.order;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A new order's first claim, made in the transaction that stores it ({@link OrderIntake#accept};
 * decided by {@code Dispatcher#claimOnArrival}): the provider chosen, the routing rules' other
 * candidates, and the attempt's lease. {@code taken} is set once the provider route owns the
 * claim; until then a failed hand-off puts it back. Copies of the exchange share this one object.
 */
public record ArrivalClaim(String provider, List<String> candidates, Duration replyDeadline, AtomicBoolean taken) {

    /** Exchange property holding the claim while the order is taken in and handed to its first attempt. */
    public static final String PROPERTY = "paygateArrivalClaim";

    public ArrivalClaim(String provider, List<String> candidates, Duration replyDeadline) {
        this(provider, candidates, replyDeadline, new AtomicBoolean());
    }
}
