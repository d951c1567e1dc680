package io.paygate.simulator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * State and decision logic of one simulated provider, independent of transport. Like a real
 * provider it is idempotent per reference: the first decision is stored and replayed.
 */
final class SimulatedProvider {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedProvider.class);
    private static final long MAX_TOKEN_LATENCY_MS = TimeUnit.MINUTES.toMillis(10);

    enum Kind {
        /** Send {@link Outcome#answer()}. */
        ANSWER,
        /** Simulated failure: HTTP 500 or no JMS reply; nothing charged or stored. */
        ERROR,
        /** Charged and stored, but the answer is never sent. */
        HANG
    }

    record Outcome(Kind kind, ProviderAnswer answer, boolean replayed) {
    }

    private final String name;
    private volatile ProviderBehaviour behaviour;
    private final Map<String, ProviderAnswer> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> charges = new ConcurrentHashMap<>();
    private final Map<String, Integer> requests = new ConcurrentHashMap<>();

    SimulatedProvider(String name, ProviderBehaviour behaviour) {
        this.name = name;
        this.behaviour = behaviour;
    }

    String name() {
        return name;
    }

    ProviderBehaviour behaviour() {
        return behaviour;
    }

    void behaviour(ProviderBehaviour behaviour) {
        this.behaviour = behaviour;
        LOG.info("{} behaviour changed to {}", name, behaviour);
    }

    /**
     * Counts a received request (duplicates included) and returns how long to wait before
     * {@link #decide}. Waiting before deciding leaves a window in which status queries
     * answer "unknown", as with a provider that is still processing.
     */
    long receive(PaymentRequest request) {
        requests.merge(request.reference(), 1, Integer::sum);
        return slowTokenLatency(request.token()).orElse(behaviour.latencyMs());
    }

    Outcome decide(PaymentRequest request) {
        Outcome[] result = new Outcome[1];
        // compute() is atomic per key, so concurrent duplicates charge at most once.
        answers.compute(request.reference(), (reference, stored) -> {
            if (stored != null) {
                result[0] = new Outcome(Kind.ANSWER, stored, true);
                return stored;
            }
            Outcome fresh = decideFresh(request.token(), behaviour);
            if (fresh.answer() != null && fresh.answer().status() == ProviderAnswer.Status.APPROVED) {
                charges.merge(reference, 1, Integer::sum);
            }
            result[0] = fresh;
            return fresh.answer(); // null for ERROR: nothing stored, a retry decides afresh
        });
        Outcome outcome = result[0];
        LOG.info("{} payment {} -> {} {}{}", name, request.reference(), outcome.kind(),
                outcome.answer() == null ? "" : outcome.answer().status(), outcome.replayed() ? " (replayed)" : "");
        return outcome;
    }

    Optional<ProviderAnswer> storedAnswer(String reference) {
        return Optional.ofNullable(answers.get(reference));
    }

    Map<String, Integer> charges() {
        return new TreeMap<>(charges);
    }

    Map<String, Integer> requests() {
        return new TreeMap<>(requests);
    }

    void reset() {
        answers.clear();
        charges.clear();
        requests.clear();
    }

    private Outcome decideFresh(String token, ProviderBehaviour b) {
        // Token overrides come first so tests can force an outcome whatever the ratios say.
        if (token.startsWith("tok_decline")) {
            return answer(ProviderAnswer.declined(newProviderReference(), "card_declined"));
        }
        if (token.startsWith("tok_error")) {
            return new Outcome(Kind.ERROR, null, false);
        }
        if (token.startsWith("tok_hang")) {
            return new Outcome(Kind.HANG, ProviderAnswer.approved(newProviderReference()), false);
        }
        if (slowTokenLatency(token).isPresent()) {
            return answer(ProviderAnswer.approved(newProviderReference()));
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextDouble() < b.errorRatio()) {
            return new Outcome(Kind.ERROR, null, false);
        }
        if (b.chargeThenHang()) {
            return new Outcome(Kind.HANG, ProviderAnswer.approved(newProviderReference()), false);
        }
        return random.nextDouble() < b.approveRatio()
                ? answer(ProviderAnswer.approved(newProviderReference()))
                : answer(ProviderAnswer.declined(newProviderReference(), "insufficient_funds"));
    }

    private static Outcome answer(ProviderAnswer answer) {
        return new Outcome(Kind.ANSWER, answer, false);
    }

    private String newProviderReference() {
        byte[] bytes = new byte[6];
        ThreadLocalRandom.current().nextBytes(bytes);
        return name + "_" + HexFormat.of().formatHex(bytes);
    }

    /** {@code tok_slow_<millis>}; anything unparsable is treated as an ordinary token. */
    private static OptionalLong slowTokenLatency(String token) {
        if (!token.startsWith("tok_slow_")) {
            return OptionalLong.empty();
        }
        try {
            long millis = Long.parseLong(token.substring("tok_slow_".length()));
            return millis < 0 ? OptionalLong.empty() : OptionalLong.of(Math.min(millis, MAX_TOKEN_LATENCY_MS));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
