package io.paygate.simulator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * State and decision logic of one simulated provider, independent of transport. Like a real
 * provider it is idempotent per reference: the first decision is stored and replayed, and a
 * status query reads it.
 */
final class SimulatedProvider {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedProvider.class);
    private static final long MAX_TOKEN_LATENCY_MS = TimeUnit.MINUTES.toMillis(10);

    enum Kind {
        /** Send {@link Outcome#answer()}. */
        ANSWER,
        /** Simulated failure: HTTP 500 or no JMS reply; nothing charged or stored. */
        ERROR,
        /** Charged and stored, but the answer is never sent (HTTP holds the connection open). */
        HANG,
        /** Close the connection without an answer; charged and stored only if {@link Outcome#answer()} is set. */
        CLOSE
    }

    record Outcome(Kind kind, ProviderAnswer answer, boolean replayed) {
    }

    private final String name;
    private final ChargeJournal journal;
    private volatile ProviderBehaviour behaviour;
    private final Map<String, ProviderAnswer> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> charges = new ConcurrentHashMap<>();
    private final Map<String, Integer> requests = new ConcurrentHashMap<>();
    private final Map<String, Integer> statusQueries = new ConcurrentHashMap<>();
    private final Set<String> resetBeforeCharge = ConcurrentHashMap.newKeySet();

    SimulatedProvider(String name, ProviderBehaviour behaviour, ChargeJournal journal) {
        this.name = name;
        this.behaviour = behaviour;
        this.journal = journal;
    }

    SimulatedProvider(String name, ProviderBehaviour behaviour) {
        this(name, behaviour, ChargeJournal.none());
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
        // compute() is atomic per key, so concurrent duplicates charge at most once. The journal
        // line is written inside it: a decision is stored (and answered) only once it is on disk.
        answers.compute(request.reference(), (reference, stored) -> {
            if (stored != null) {
                result[0] = new Outcome(Kind.ANSWER, stored, true);
                return stored;
            }
            Outcome fresh = decideFresh(request, behaviour);
            if (fresh.answer() != null) {
                journal.answered(name, fresh.answer());
                if (fresh.answer().status() == ProviderAnswer.Status.APPROVED) {
                    charges.merge(reference, 1, Integer::sum);
                }
            }
            result[0] = fresh;
            return fresh.answer(); // null for ERROR and a reset before the charge: a resend decides afresh
        });
        Outcome outcome = result[0];
        LOG.info("{} payment {} -> {} {}{}", name, request.reference(), outcome.kind(),
                outcome.answer() == null ? "" : outcome.answer().status(), outcome.replayed() ? " (replayed)" : "");
        return outcome;
    }

    /** A status query: the stored answer, empty if this reference was never decided. */
    Optional<ProviderAnswer> status(String reference) {
        statusQueries.merge(reference, 1, Integer::sum);
        return Optional.ofNullable(answers.get(reference));
    }

    /** Takes back what the journal remembers from before a restart. */
    void restore(ChargeJournal.Entry entry) {
        if (entry.event().equals(ChargeJournal.RESET_BEFORE_CHARGE)) {
            resetBeforeCharge.add(entry.reference());
            return;
        }
        ProviderAnswer answer = entry.answer();
        answers.put(answer.reference(), answer);
        if (answer.status() == ProviderAnswer.Status.APPROVED) {
            charges.merge(answer.reference(), 1, Integer::sum);
        }
    }

    Map<String, Integer> charges() {
        return new TreeMap<>(charges);
    }

    Map<String, Integer> requests() {
        return new TreeMap<>(requests);
    }

    Map<String, Integer> statusQueries() {
        return new TreeMap<>(statusQueries);
    }

    void reset() {
        answers.clear();
        charges.clear();
        requests.clear();
        statusQueries.clear();
        resetBeforeCharge.clear();
    }

    private Outcome decideFresh(PaymentRequest request, ProviderBehaviour b) {
        // Token overrides come first so tests can force an outcome whatever the ratios say.
        String token = request.token();
        if (token.startsWith("tok_decline")) {
            return answer(ProviderAnswer.declined(request, newProviderReference(), "card_declined"));
        }
        if (token.startsWith("tok_error")) {
            return new Outcome(Kind.ERROR, null, false);
        }
        if (token.startsWith("tok_hang")) {
            return new Outcome(Kind.HANG, ProviderAnswer.approved(request, newProviderReference()), false);
        }
        if (token.startsWith("tok_reset_after_charge")) {
            return new Outcome(Kind.CLOSE, ProviderAnswer.approved(request, newProviderReference()), false);
        }
        if (token.startsWith("tok_reset_before_charge") && !resetBeforeCharge.contains(request.reference())) {
            // Only the first request per reference is dropped, so a resend with the same reference is charged.
            journal.resetBeforeCharge(name, request.reference());
            resetBeforeCharge.add(request.reference());
            return new Outcome(Kind.CLOSE, null, false);
        }
        if (slowTokenLatency(token).isPresent() || token.startsWith("tok_reset_before_charge")) {
            return answer(ProviderAnswer.approved(request, newProviderReference()));
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextDouble() < b.errorRatio()) {
            return new Outcome(Kind.ERROR, null, false);
        }
        if (b.chargeThenHang()) {
            return new Outcome(Kind.HANG, ProviderAnswer.approved(request, newProviderReference()), false);
        }
        return random.nextDouble() < b.approveRatio()
                ? answer(ProviderAnswer.approved(request, newProviderReference()))
                : answer(ProviderAnswer.declined(request, newProviderReference(), "insufficient_funds"));
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
