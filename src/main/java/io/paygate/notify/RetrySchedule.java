package io.paygate.notify;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * When a webhook is tried again: after the n-th failed attempt, wait the n-th delay; after the
 * last delay's attempt, give up (the webhook is FAILED and listed for operators).
 */
public record RetrySchedule(List<Duration> delays) {

    public RetrySchedule {
        delays = List.copyOf(delays);
    }

    /** The wait before the next attempt after {@code attemptsMade} failed ones, or empty to give up. */
    public Optional<Duration> after(int attemptsMade) {
        return attemptsMade >= 1 && attemptsMade <= delays.size()
                ? Optional.of(delays.get(attemptsMade - 1)) : Optional.empty();
    }

    public int maxAttempts() {
        return delays.size() + 1;
    }
}
