package io.paygate.broker;

import io.paygate.Settings;
import io.paygate.security.DataDirectory;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Who may connect to the broker: paygate's own user, and one user per JMS provider (user name =
 * provider name). Passwords come from settings ({@code paygate.broker.password},
 * {@code paygate.broker.provider.<name>.password} or their environment variables); for the
 * embedded broker a missing one is generated once into {@code <broker dir>/credentials.properties}
 * (owner-only) and reused on later starts, so providers can be given a stable password.
 *
 * @param paygateUser      paygate's user (all of paygate's queues and topics)
 * @param paygatePassword  its password
 * @param providerPasswords provider name to that provider user's password
 */
public record BrokerCredentials(String paygateUser, String paygatePassword, Map<String, String> providerPasswords) {

    public static final String FILE_NAME = "credentials.properties";
    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public BrokerCredentials {
        providerPasswords = Map.copyOf(providerPasswords);
    }

    /** Provider user's password, or an error naming the setting when the provider has no broker user. */
    public String providerPassword(String provider) {
        String password = providerPasswords.get(provider);
        if (password == null) {
            String key = providerPasswordKey(provider);
            throw new IllegalStateException("no broker password for provider " + provider + ": list it in "
                    + "paygate.broker.provider-users (PAYGATE_BROKER_PROVIDER_USERS) and, with an external broker, set "
                    + key + " (" + key.toUpperCase(Locale.ROOT).replace('.', '_') + ")");
        }
        return password;
    }

    /**
     * Reads the settings; with {@code generateInto} (the embedded broker's directory) missing
     * passwords are taken from, or generated into, the credentials file there.
     */
    public static BrokerCredentials fromSettings(Settings settings, Path generateInto) {
        String user = settings.string("paygate.broker.user", "paygate");
        List<String> providers = settings.list("paygate.broker.provider-users", "globex");
        for (String provider : providers) {
            if (!PROVIDER_NAME.matcher(provider).matches() || provider.equals(user)) {
                throw new Settings.InvalidSetting("paygate.broker.provider-users", provider,
                        "is not a provider name (lower case letters, digits, - and _; not paygate's own user)");
            }
        }
        Map<String, Optional<String>> configured = new LinkedHashMap<>();
        configured.put("paygate.broker.password", settings.optional("paygate.broker.password"));
        for (String provider : providers) {
            String key = providerPasswordKey(provider);
            configured.put(key, settings.optional(key).or(() -> fromEnvironment(key)));
        }
        Map<String, String> passwords = generateInto == null
                ? resolveWithoutFile(configured) : resolveWithFile(configured, generateInto.resolve(FILE_NAME));
        Map<String, String> providerPasswords = new LinkedHashMap<>();
        providers.forEach(p -> {
            if (passwords.get(providerPasswordKey(p)) != null) {
                providerPasswords.put(p, passwords.get(providerPasswordKey(p)));
            }
        });
        return new BrokerCredentials(user, passwords.get("paygate.broker.password"), providerPasswords);
    }

    public static String providerPasswordKey(String provider) {
        return "paygate.broker.provider." + provider + ".password";
    }

    /** External broker: what is configured, nothing generated (paygate does not own that broker's users). */
    private static Map<String, String> resolveWithoutFile(Map<String, Optional<String>> configured) {
        Map<String, String> result = new LinkedHashMap<>();
        configured.forEach((key, value) -> result.put(key, value.orElse(null)));
        return result;
    }

    private static Map<String, String> resolveWithFile(Map<String, Optional<String>> configured, Path file) {
        try {
            Properties stored = new Properties();
            if (Files.exists(file)) {
                try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    stored.load(in);
                }
            }
            Map<String, String> result = new LinkedHashMap<>();
            boolean changed = false;
            for (var entry : configured.entrySet()) {
                String key = entry.getKey();
                String value = entry.getValue().orElse(stored.getProperty(key));
                if (value == null || value.isBlank()) {
                    value = randomPassword();
                    stored.setProperty(key, value);
                    changed = true;
                }
                result.put(key, value);
            }
            if (changed) {
                write(stored, file);
            }
            DataDirectory.ownerOnly(file);
            return result;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or write the broker credentials file " + file, e);
        }
    }

    private static void write(Properties stored, Path file) throws IOException {
        DataDirectory.createOwnerOnlyDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        Files.deleteIfExists(tmp);
        DataDirectory.createOwnerOnlyFile(tmp);
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            stored.store(out, "Generated broker passwords (used when none is configured). Keep this file private.");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Optional<String> fromEnvironment(String key) {
        String env = key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        return Optional.ofNullable(System.getenv(env)).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String toString() {
        // never print the passwords (records print every component by default)
        return "BrokerCredentials[user=" + paygateUser + ", providers=" + providerPasswords.keySet() + "]";
    }
}
