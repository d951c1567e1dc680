package io.paygate.simulator;

import jakarta.jms.ConnectionFactory;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Simulates external payment providers speaking the reference provider protocol, over HTTP
 * and JMS, with controllable behaviour and a record of every charge so tests can prove
 * "exactly one charge per payment". Runs inside paygate or a test JVM, or standalone via
 * {@link #main}, where a state file lets it remember its charges across its own restarts.
 * A stopped simulator cannot be started again.
 */
public final class ProviderSimulator {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderSimulator.class);

    /** Command-line flags of the standalone simulator and the settings keys they set. */
    private static final Map<String, String> FLAGS = Map.of(
            "--port", "paygate.sim.port",
            "--bind-address", "paygate.sim.bind-address",
            "--http-providers", "paygate.sim.http-providers",
            "--jms-providers", "paygate.sim.jms-providers",
            "--state-file", "paygate.sim.state-file",
            "--broker", "paygate.sim.broker.url",
            "--broker-user", "paygate.sim.broker.user",
            "--broker-password", "paygate.sim.broker.password");

    private final Map<String, SimulatedProvider> providers = new LinkedHashMap<>();
    private final ChargeJournal journal;
    private final HttpFrontend http;
    private final JmsFrontend jms;

    /**
     * {@code connectionFactory} may be null when no JMS providers are configured. With a state
     * file in the settings, what it holds is read back here (an unreadable file is an error).
     */
    public ProviderSimulator(SimulatorSettings settings, ConnectionFactory connectionFactory) {
        try {
            this.journal = settings.stateFile() == null ? ChargeJournal.none() : ChargeJournal.open(settings.stateFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open simulator state file " + settings.stateFile(), e);
        }
        Map<String, SimulatedProvider> httpProviders = new LinkedHashMap<>();
        settings.httpProviders().forEach((name, behaviour) -> httpProviders.put(name, new SimulatedProvider(name, behaviour, journal)));
        Map<String, SimulatedProvider> jmsProviders = new LinkedHashMap<>();
        settings.jmsProviders().forEach((name, behaviour) -> jmsProviders.put(name, new SimulatedProvider(name, behaviour, journal)));
        providers.putAll(httpProviders);
        providers.putAll(jmsProviders);

        if (!jmsProviders.isEmpty() && connectionFactory == null) {
            throw new IllegalArgumentException("JMS providers " + jmsProviders.keySet() + " need a ConnectionFactory");
        }
        for (ChargeJournal.Entry entry : journal.entries()) {
            SimulatedProvider provider = providers.get(entry.provider());
            if (provider == null) {
                LOG.warn("State file names provider {} which is not configured; ignoring its entry", entry.provider());
            } else {
                provider.restore(entry);
            }
        }
        this.http = new HttpFrontend(settings.bindAddress(), settings.port(), httpProviders,
                Collections.unmodifiableMap(providers), this::reset);
        this.jms = jmsProviders.isEmpty() ? null : new JmsFrontend(connectionFactory, jmsProviders.values());
    }

    public synchronized void start() throws Exception {
        http.start();
        if (jms != null) {
            jms.start();
        }
    }

    public synchronized void stop() {
        if (jms != null) {
            jms.stop();
        }
        http.stop();
        journal.close();
        LOG.info("Provider simulator stopped");
    }

    /** The bound HTTP port, useful when the settings asked for port 0. */
    public int port() {
        return http.port();
    }

    /** Provider name to (reference to number of charges); every configured provider is present. */
    public Map<String, Map<String, Integer>> charges() {
        return snapshot(SimulatedProvider::charges);
    }

    /** Provider name to (reference to number of requests received, duplicates included). */
    public Map<String, Map<String, Integer>> requests() {
        return snapshot(SimulatedProvider::requests);
    }

    /** Provider name to (reference to number of status queries received, HTTP and JMS). */
    public Map<String, Map<String, Integer>> statusQueries() {
        return snapshot(SimulatedProvider::statusQueries);
    }

    /** Clears charges, request counts, stored answers and the state file; behaviours stay as they are. */
    public void reset() {
        synchronized (journal) {
            journal.clear();
            providers.values().forEach(SimulatedProvider::reset);
        }
        LOG.info("Simulator state reset");
    }

    private Map<String, Map<String, Integer>> snapshot(Function<SimulatedProvider, Map<String, Integer>> view) {
        Map<String, Map<String, Integer>> result = new LinkedHashMap<>();
        providers.forEach((name, provider) -> result.put(name, view.apply(provider)));
        return result;
    }

    /**
     * Standalone entry point (a docker compose service, a fault test's own JVM):
     * <pre>
     * java -cp paygate.jar io.paygate.simulator.ProviderSimulator --port 8090 \
     *      --broker tcp://127.0.0.1:61616 --broker-user globex --state-file sim-state.jsonl
     * </pre>
     * Each flag sets a settings key ({@link #FLAGS}); a key not given as a flag is read from a
     * system property ({@code -Dpaygate.sim.port=...}) or an environment variable
     * ({@code PAYGATE_SIM_PORT}, {@code PAYGATE_SIM_STATE_FILE}, {@code PAYGATE_SIM_BROKER_PASSWORD}).
     * Pass the broker password by environment: command lines are visible to every local user.
     * The broker keys fall back to {@code paygate.broker.url/user/password}.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> flags;
        try {
            flags = parseFlags(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("simulator: " + e.getMessage() + "\nflags: " + String.join(" ", FLAGS.keySet().stream().sorted().toList()));
            System.exit(2);
            return;
        }
        Function<String, Optional<String>> lookup = key -> Optional.ofNullable(flags.get(key))
                .or(() -> Optional.ofNullable(System.getProperty(key)))
                .or(() -> Optional.ofNullable(System.getenv(SimulatorSettings.environmentName(key))));
        Function<String, Optional<String>> brokerSetting = name -> lookup.apply("paygate.sim.broker." + name)
                .or(() -> lookup.apply("paygate.broker." + name)).filter(v -> !v.isBlank());
        SimulatorSettings settings = SimulatorSettings.fromProperties(lookup);

        ConnectionFactory connectionFactory = null;
        if (!settings.jmsProviders().isEmpty()) {
            String url = brokerSetting.apply("url").orElse("tcp://127.0.0.1:61616");
            ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
            factory.setTrustedPackages(List.of()); // never deserialise an ObjectMessage
            brokerSetting.apply("user").ifPresent(factory::setUserName);
            brokerSetting.apply("password").ifPresent(factory::setPassword);
            connectionFactory = factory;
            LOG.info("Provider simulator using broker {}", url);
        }

        ProviderSimulator simulator = new ProviderSimulator(settings, connectionFactory);
        CountDownLatch terminated = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.stop();
            terminated.countDown();
        }, "sim-shutdown"));
        simulator.start();
        terminated.await(); // server threads are daemons, so keep the JVM alive until SIGTERM
    }

    static Map<String, String> parseFlags(List<String> args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            String value = null;
            int equals = flag.indexOf('=');
            if (equals > 0) {
                value = flag.substring(equals + 1);
                flag = flag.substring(0, equals);
            }
            String key = FLAGS.get(flag);
            if (key == null) {
                throw new IllegalArgumentException("unknown flag " + flag);
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                value = args.get(++i);
            }
            values.put(key, value);
        }
        return values;
    }
}
