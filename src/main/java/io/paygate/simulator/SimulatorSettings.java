package io.paygate.simulator;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Which providers the simulator plays and how they behave.
 *
 * @param port          HTTP port; 0 picks a free one
 * @param httpProviders provider name to behaviour, served under {@code /{name}}
 * @param jmsProviders  provider name to behaviour, consuming {@code provider.{name}.requests}
 * @param bindAddress   address the HTTP server binds to; 127.0.0.1 unless running in a container
 * @param stateFile     where decisions are journaled to survive restarts; null keeps memory only
 */
public record SimulatorSettings(int port,
                                Map<String, ProviderBehaviour> httpProviders,
                                Map<String, ProviderBehaviour> jmsProviders,
                                String bindAddress,
                                Path stateFile) {

    public static final int DEFAULT_PORT = 8090;
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

    private static final String PREFIX = "paygate.sim.";
    // Names become URL path segments and queue names, so keep them plain; "sim" is the control API.
    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    public SimulatorSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        httpProviders = Collections.unmodifiableMap(new LinkedHashMap<>(httpProviders));
        jmsProviders = Collections.unmodifiableMap(new LinkedHashMap<>(jmsProviders));
        for (String name : httpProviders.keySet()) {
            requireValidName(name);
            if (jmsProviders.containsKey(name)) {
                throw new IllegalArgumentException("provider " + name + " is configured both as HTTP and JMS provider");
            }
        }
        jmsProviders.keySet().forEach(SimulatorSettings::requireValidName);
        if (bindAddress == null || bindAddress.isBlank()) {
            bindAddress = DEFAULT_BIND_ADDRESS;
        }
    }

    /** Binds to 127.0.0.1, memory only. */
    public SimulatorSettings(int port, Map<String, ProviderBehaviour> httpProviders,
                             Map<String, ProviderBehaviour> jmsProviders) {
        this(port, httpProviders, jmsProviders, DEFAULT_BIND_ADDRESS, null);
    }

    /** Memory only. */
    public SimulatorSettings(int port, Map<String, ProviderBehaviour> httpProviders,
                             Map<String, ProviderBehaviour> jmsProviders, String bindAddress) {
        this(port, httpProviders, jmsProviders, bindAddress, null);
    }

    /**
     * Reads {@code paygate.sim.*} keys through {@code lookup}, so the same code serves
     * properties files, system properties and environment variables.
     */
    public static SimulatorSettings fromProperties(Function<String, Optional<String>> lookup) {
        // A blank list means "no providers" (compose: PAYGATE_SIM_JMS_PROVIDERS=""); any other blank value means "default".
        Function<String, Optional<String>> scalar = key -> lookup.apply(key).filter(value -> !value.isBlank());
        int port = scalar.apply(PREFIX + "port").map(v -> parseInt(PREFIX + "port", v)).orElse(DEFAULT_PORT);
        String bindAddress = scalar.apply(PREFIX + "bind-address").map(String::trim).orElse(DEFAULT_BIND_ADDRESS);
        Path stateFile = scalar.apply(PREFIX + "state-file").map(String::trim).map(Path::of).orElse(null);
        return new SimulatorSettings(port,
                providers(scalar, lookup.apply(PREFIX + "http-providers").orElse("acme")),
                providers(scalar, lookup.apply(PREFIX + "jms-providers").orElse("globex")),
                bindAddress, stateFile);
    }

    /** Maps {@code paygate.sim.port} to {@code PAYGATE_SIM_PORT}, the docker compose spelling. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Map<String, ProviderBehaviour> providers(Function<String, Optional<String>> lookup, String names) {
        Map<String, ProviderBehaviour> result = new LinkedHashMap<>();
        Arrays.stream(names.split(","))
                .map(String::trim)
                .filter(name -> !name.isEmpty())
                .forEach(name -> result.put(name, behaviour(lookup, PREFIX + name + ".")));
        return result;
    }

    private static ProviderBehaviour behaviour(Function<String, Optional<String>> lookup, String prefix) {
        ProviderBehaviour d = ProviderBehaviour.DEFAULT;
        return new ProviderBehaviour(
                lookup.apply(prefix + "approve-ratio").map(v -> parseDouble(prefix + "approve-ratio", v)).orElse(d.approveRatio()),
                lookup.apply(prefix + "error-ratio").map(v -> parseDouble(prefix + "error-ratio", v)).orElse(d.errorRatio()),
                lookup.apply(prefix + "latency-ms").map(v -> (long) parseInt(prefix + "latency-ms", v)).orElse(d.latencyMs()),
                lookup.apply(prefix + "charge-then-hang").map(v -> parseBoolean(prefix + "charge-then-hang", v)).orElse(d.chargeThenHang()),
                lookup.apply(prefix + "duplicate-replies").map(v -> parseBoolean(prefix + "duplicate-replies", v)).orElse(d.duplicateReplies()));
    }

    private static void requireValidName(String name) {
        if (!PROVIDER_NAME.matcher(name).matches() || name.equals("sim")) {
            throw new IllegalArgumentException("invalid provider name: '" + name + "'");
        }
    }

    private static int parseInt(String key, String value) {
        return io.paygate.Settings.parseInteger(key, value);
    }

    private static double parseDouble(String key, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number but was '" + value + "'");
        }
    }

    // The gateway's rule, so both read "yes" or "ture" the same way: as an error naming the key.
    private static boolean parseBoolean(String key, String value) {
        return io.paygate.Settings.parseBoolean(key, value);
    }
}
