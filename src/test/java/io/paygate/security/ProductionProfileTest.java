package io.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.paygate.testing.RunningPaygate;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PAYGATE_PROFILE=prod with any demo value left in place refuses to start, and says which
 * setting (and environment variable) to change; with everything set properly it starts.
 */
class ProductionProfileTest {

    @TempDir
    Path dataDir;

    /** A production-like configuration: no simulator, a real provider URL, own secrets, a long operator token. */
    private static Map<String, String> proper() {
        Map<String, String> settings = new HashMap<>();
        settings.put("paygate.profile", "prod");
        settings.put("paygate.sim.enabled", "false");
        settings.put("paygate.provider.acme.url", "https://api.acme-payments.example/v1");
        settings.put("paygate.merchant.demo.api-key-sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        settings.put("paygate.merchant.demo.webhook-secret", "whsec_3kT9qLx2VbN7mR4pZ8cW1yH6");
        settings.put("paygate.admin.token", "op_6Hq2Lr9Vx4Nc8Tz1Kp5Wm3Bd7");
        return settings;
    }

    static Stream<Arguments> demoValues() {
        return Stream.of(
                Arguments.of("paygate.sim.enabled", "true", "PAYGATE_SIM_ENABLED"),
                Arguments.of("paygate.provider.acme.url", "http://127.0.0.1:8090/acme", "PAYGATE_PROVIDER_ACME_URL"),
                Arguments.of("paygate.provider.acme.url", "http://[::1]:8090/acme", "PAYGATE_PROVIDER_ACME_URL"),
                Arguments.of("paygate.provider.acme.url", "http://0.0.0.0:8090/acme", "PAYGATE_PROVIDER_ACME_URL"),
                Arguments.of("paygate.merchant.demo.api-key-sha256", ProductionChecks.DEMO_API_KEY_SHA256,
                        "PAYGATE_MERCHANT_DEMO_API_KEY_SHA256"),
                Arguments.of("paygate.merchant.demo.webhook-secret", ProductionChecks.DEMO_WEBHOOK_SECRET,
                        "PAYGATE_MERCHANT_DEMO_WEBHOOK_SECRET"),
                Arguments.of("paygate.admin.token", "", "PAYGATE_ADMIN_TOKEN"),
                Arguments.of("paygate.admin.token", "only-23-characters-long", "PAYGATE_ADMIN_TOKEN"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("demoValues")
    void prodRefusesToStartWithADemoValue(String key, String value, String environmentVariable) {
        Map<String, String> settings = proper();
        settings.put(key, value);

        Throwable refused = catchThrowable(() -> RunningPaygate.start(dataDir, settings).close());

        assertThat(refused).isNotNull();
        assertThat(messages(refused)).contains("prod profile").contains(key).contains(environmentVariable);
    }

    @Test
    void aProviderUrlOnTheSimulatorsConfiguredPortIsRefusedToo() {
        Map<String, String> settings = proper();
        settings.put("paygate.sim.port", "9123");
        settings.put("paygate.provider.acme.url", "http://localhost:9123/acme");

        assertThat(messages(catchThrowable(() -> RunningPaygate.start(dataDir, settings).close())))
                .contains("paygate.provider.acme.url (PAYGATE_PROVIDER_ACME_URL) points at the provider simulator");
    }

    @Test
    void anUnknownProfileIsRefusedNamingTheKey() {
        Map<String, String> settings = proper();
        settings.put("paygate.profile", "production");

        assertThat(messages(catchThrowable(() -> RunningPaygate.start(dataDir, settings).close())))
                .contains("paygate.profile: \"production\" is not a profile (demo or prod)");
    }

    @Test
    void prodStartsWhenEverythingIsSetProperly() throws Exception {
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, proper())) {
            assertThat(paygate.context().isStarted()).isTrue();
            // the merchant key is no longer the public demo key
            assertThat(paygate.get("/api/orders/any", RunningPaygate.DEMO_KEY).statusCode()).isEqualTo(401);
        }
    }

    private static String messages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
