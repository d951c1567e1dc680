package io.paygate.simulator;

import jakarta.jms.ConnectionFactory;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Simulates external payment providers speaking the reference provider protocol, over HTTP
 * and JMS, with controllable behaviour and a record of every charge so tests can prove
 * "exactly one charge per payment". Runs inside a test JVM or standalone via {@link #main}.
 * A stopped simulator cannot be started again.
 */
public final class ProviderSimulator {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderSimulator.class);

    private final Map<String, SimulatedProvider> providers = new LinkedHashMap<>();
    private final HttpFrontend http;
    private final JmsFrontend jms;

    /** {@code connectionFactory} may be null when no JMS providers are configured. */
    public ProviderSimulator(SimulatorSettings settings, ConnectionFactory connectionFactory) {
        Map<String, SimulatedProvider> httpProviders = new LinkedHashMap<>();
        settings.httpProviders().forEach((name, behaviour) -> httpProviders.put(name, new SimulatedProvider(name, behaviour)));
        Map<String, SimulatedProvider> jmsProviders = new LinkedHashMap<>();
        settings.jmsProviders().forEach((name, behaviour) -> jmsProviders.put(name, new SimulatedProvider(name, behaviour)));
        providers.putAll(httpProviders);
        providers.putAll(jmsProviders);

        if (!jmsProviders.isEmpty() && connectionFactory == null) {
            throw new IllegalArgumentException("JMS providers " + jmsProviders.keySet() + " need a ConnectionFactory");
        }
        this.http = new HttpFrontend(settings.bindAddress(), settings.port(), httpProviders, Collections.unmodifiableMap(providers));
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

    /** Clears charges, request counts and stored answers; behaviours stay as they are. */
    public void reset() {
        providers.values().forEach(SimulatedProvider::reset);
    }

    private Map<String, Map<String, Integer>> snapshot(Function<SimulatedProvider, Map<String, Integer>> view) {
        Map<String, Map<String, Integer>> result = new LinkedHashMap<>();
        providers.forEach((name, provider) -> result.put(name, view.apply(provider)));
        return result;
    }

    /**
     * Standalone entry point (e.g. a docker compose service). Settings come from system
     * properties ({@code -Dpaygate.sim.port=...}) or environment variables ({@code PAYGATE_SIM_PORT}).
     */
    public static void main(String[] args) throws Exception {
        Function<String, Optional<String>> lookup = key -> Optional.ofNullable(System.getProperty(key))
                .or(() -> Optional.ofNullable(System.getenv(SimulatorSettings.environmentName(key))));
        SimulatorSettings settings = SimulatorSettings.fromProperties(lookup);

        ConnectionFactory connectionFactory = null;
        if (!settings.jmsProviders().isEmpty()) {
            String url = lookup.apply("paygate.broker.url").filter(v -> !v.isBlank()).orElse("tcp://127.0.0.1:61616");
            ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
            lookup.apply("paygate.broker.user").filter(v -> !v.isBlank()).ifPresent(factory::setUserName);
            lookup.apply("paygate.broker.password").filter(v -> !v.isBlank()).ifPresent(factory::setPassword);
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
}
