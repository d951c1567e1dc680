package io.paygate.security;

import io.paygate.Settings;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Demo is loud, production is closed. {@code paygate.profile} (PAYGATE_PROFILE) is {@code demo}
 * (the default: the simulator and the documented demo credentials work out of the box, and one
 * WARN banner says so) or {@code prod}: start-up is refused while anything of the demo is still
 * configured (the simulator, a provider URL pointing at it, the demo merchant key or webhook
 * secret) or the operator token is missing or short. Each refusal names the setting and its
 * environment variable.
 */
public final class ProductionChecks {

    /** SHA-256 of the documented demo API key "demo-key-not-secret". */
    public static final String DEMO_API_KEY_SHA256 = "75a3c845d91518deab0730512ad0b5c4be785aed9b8b7b911ed6d7a4d0468a44";
    public static final String DEMO_WEBHOOK_SECRET = "demo-webhook-secret-not-secret";
    public static final int MIN_ADMIN_TOKEN_LENGTH = 24;
    private static final int DEFAULT_SIMULATOR_PORT = 8090;
    private static final Pattern PROVIDER_URL_KEY = Pattern.compile("paygate\\.provider\\.([a-z0-9][a-z0-9_-]*)\\.url");
    private static final Pattern PROVIDER_URL_ENV = Pattern.compile("PAYGATE_PROVIDER_([A-Z0-9_]+)_URL");
    private static final Logger LOG = LoggerFactory.getLogger(ProductionChecks.class);

    public enum Profile { DEMO, PROD }

    private ProductionChecks() {
    }

    /** Refuses a prod start with demo values; logs the demo banner otherwise. */
    public static Profile enforce(Settings settings) {
        Profile profile = profile(settings);
        List<String> demoValues = demoValuesInUse(settings);
        if (profile == Profile.PROD && !demoValues.isEmpty()) {
            throw new IllegalStateException("the prod profile (paygate.profile, PAYGATE_PROFILE=prod) refuses to start: "
                    + String.join("; ", demoValues));
        }
        if (profile == Profile.DEMO) {
            LOG.warn("""

                    ************************************************************************************
                    DEMO PROFILE (paygate.profile=demo): this gateway is set up for trying it out.
                      - {}
                    Do not take real payments like this. PAYGATE_PROFILE=prod refuses to start while any is left.
                    ************************************************************************************""",
                    demoValues.isEmpty() ? "no demo value found (production checks are still off)"
                            : String.join("\n  - ", demoValues));
        }
        return profile;
    }

    public static Profile profile(Settings settings) {
        String value = settings.string("paygate.profile", "demo");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "demo" -> Profile.DEMO;
            case "prod" -> Profile.PROD;
            default -> throw new Settings.InvalidSetting("paygate.profile", value, "is not a profile (demo or prod)");
        };
    }

    /** What a production start refuses, each naming its setting and environment variable. */
    static List<String> demoValuesInUse(Settings settings) {
        List<String> found = new ArrayList<>();
        if (settings.bool("paygate.sim.enabled", false)) {
            found.add("paygate.sim.enabled (PAYGATE_SIM_ENABLED) is true: the built-in simulator approves payments"
                    + " without charging anyone");
        }
        int simPort = settings.integer("paygate.sim.port", DEFAULT_SIMULATOR_PORT);
        providerUrls(settings).forEach((key, url) -> {
            if (pointsAtSimulator(url, simPort)) {
                found.add(key + " (" + environmentName(key) + ") points at the provider simulator: " + url);
            }
        });
        for (String merchant : settings.list("paygate.merchants", "")) {
            String hashKey = "paygate.merchant." + merchant + ".api-key-sha256";
            if (MerchantDirectory.setting(settings, merchant, "api-key-sha256")
                    .filter(h -> h.equalsIgnoreCase(DEMO_API_KEY_SHA256)).isPresent()) {
                found.add(hashKey + " (" + environmentName(hashKey) + ") is the hash of the public demo API key");
            }
            String secretKey = "paygate.merchant." + merchant + ".webhook-secret";
            if (MerchantDirectory.setting(settings, merchant, "webhook-secret")
                    .filter(DEMO_WEBHOOK_SECRET::equals).isPresent()) {
                found.add(secretKey + " (" + environmentName(secretKey) + ") is the public demo webhook secret");
            }
        }
        String token = settings.string("paygate.admin.token", "");
        if (token.length() < MIN_ADMIN_TOKEN_LENGTH) {
            found.add("paygate.admin.token (PAYGATE_ADMIN_TOKEN) is " + (token.isEmpty() ? "empty" : "shorter than "
                    + MIN_ADMIN_TOKEN_LENGTH + " characters") + ": operators need it, guessers must not find it");
        }
        return found;
    }

    /** {@code paygate.provider.<name>.url} from the properties, and PAYGATE_PROVIDER_<NAME>_URL from the environment. */
    private static Map<String, String> providerUrls(Settings settings) {
        Map<String, String> urls = new java.util.TreeMap<>();
        var keys = new TreeSet<String>();
        settings.context().getPropertiesComponent()
                .loadProperties(key -> PROVIDER_URL_KEY.matcher(key).matches())
                .stringPropertyNames().forEach(keys::add);
        System.getenv().keySet().forEach(env -> {
            Matcher m = PROVIDER_URL_ENV.matcher(env);
            if (m.matches()) {
                keys.add("paygate.provider." + m.group(1).toLowerCase(Locale.ROOT).replace('_', '-') + ".url");
            }
        });
        for (String key : keys) {
            settings.optional(key).or(() -> java.util.Optional.ofNullable(System.getenv(environmentName(key))))
                    .ifPresent(url -> urls.put(key, url.trim()));
        }
        return urls;
    }

    /** True for the simulator's port (configured or default) on a loopback or wildcard address. */
    static boolean pointsAtSimulator(String url, int simPort) {
        try {
            URI uri = URI.create(url);
            String host = uri.getHost();
            if (host == null) {
                return false;
            }
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            return (port == simPort || port == DEFAULT_SIMULATOR_PORT) && isLocal(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isLocal(String host) {
        String h = host.toLowerCase(Locale.ROOT).replace("[", "").replace("]", "");
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false; // a host name: no DNS lookup at start-up
        }
        try {
            InetAddress address = InetAddress.getByName(h); // a literal, resolved without DNS
            return address.isLoopbackAddress() || address.isAnyLocalAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
