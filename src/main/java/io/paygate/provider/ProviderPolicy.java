package io.paygate.provider;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How paygate treats one provider, as its file in routes/providers/ sets it (defaults from
 * config): the retry budget for "not processed", how long an attempt may stay unanswered (its
 * lease: until then a second dispatch message is a duplicate), and when an UNKNOWN order is
 * asked for its status.
 *
 * @param maxAttempts   dispatch attempts before the order fails (only ever for "not processed")
 * @param replyDeadline how long a sent attempt waits for its answer before a status query
 * @param checkSchedule delays between status queries; the last one repeats until {@code checkHorizon}
 */
public record ProviderPolicy(String provider, int maxAttempts, Duration initialDelay, double multiplier,
                             Duration maxDelay, Duration replyDeadline, List<Duration> checkSchedule,
                             Duration checkHorizon) {

    public ProviderPolicy {
        if (maxAttempts < 1 || multiplier < 1 || checkSchedule.isEmpty()) {
            throw new IllegalArgumentException("provider " + provider
                    + ": retryAttempts >= 1, retryMultiplier >= 1 and a non-empty statusSchedule are required");
        }
        checkSchedule = List.copyOf(checkSchedule);
    }

    /** The delay before attempt {@code attemptsSoFar + 1}, after a "not processed" answer. */
    public Duration retryDelay(int attemptsSoFar) {
        double millis = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attemptsSoFar - 1));
        return Duration.ofMillis((long) Math.min(millis, maxDelay.toMillis()));
    }

    /**
     * When the status query after {@code checksSoFar} earlier ones is due, measured from the
     * first; empty once the schedule has passed the horizon (the order then waits for an operator).
     */
    public Optional<Duration> checkDelay(int checksSoFar) {
        Duration elapsed = Duration.ZERO;
        for (int i = 0; i <= checksSoFar; i++) {
            elapsed = elapsed.plus(delayOf(i));
        }
        return elapsed.compareTo(checkHorizon) > 0 ? Optional.empty() : Optional.of(delayOf(checksSoFar));
    }

    private Duration delayOf(int index) {
        return checkSchedule.get(Math.min(index, checkSchedule.size() - 1));
    }
}
