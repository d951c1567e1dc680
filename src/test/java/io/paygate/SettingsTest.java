package io.paygate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.paygate.testing.RunningPaygate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A setting that cannot be read fails start-up with its key and what is wrong, never a default or a zero. */
class SettingsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({"5s, 5000", "250ms, 250", "2m, 120000", "24h, 86400000", "1d, 86400000", "PT5S, 5000",
            "pt0.5s, 500", "1h30m, 5400000", "0s, 0", " 5S , 5000"})
    void durationsInTheDocumentedForms(String text, long millis) {
        assertThat(Settings.parseDuration("k", text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "5", "5 s", "-5s", "PT-5S", "5x", "1.5s", "s", "P", "ms5"})
    void anythingElseIsNotADuration(String text) {
        assertThatThrownBy(() -> Settings.parseDuration("paygate.sync-wait", text))
                .hasMessage("paygate.sync-wait: \"" + text + "\" is not a duration (examples: 5s, 250ms, PT5S)");
    }

    @Test
    void booleansAreTrueOrFalseOnly() {
        assertThat(Settings.parseBoolean("k", "TRUE")).isTrue();
        assertThat(Settings.parseBoolean("k", " false ")).isFalse();
        for (String text : new String[] {"yes", "1", "on", "ture", "no", "0"}) {
            assertThatThrownBy(() -> Settings.parseBoolean("paygate.sim.enabled", text))
                    .hasMessage("paygate.sim.enabled: \"" + text + "\" is not a boolean (true or false)");
        }
    }

    @Test
    void integersAreIntegers() {
        assertThat(Settings.parseInteger("k", " 42 ")).isEqualTo(42);
        assertThatThrownBy(() -> Settings.parseInteger("paygate.broker.port", "61616x"))
                .hasMessage("paygate.broker.port: \"61616x\" is not an integer (e.g. 4)");
        assertThatThrownBy(() -> Settings.parseLong("paygate.api.max-body-bytes", "64k"))
                .hasMessageStartingWith("paygate.api.max-body-bytes: \"64k\" is not an integer");
    }

    @Test
    void theSimulatorReadsBooleansByTheSameRule() {
        assertThatThrownBy(() -> io.paygate.simulator.SimulatorSettings.fromProperties(key ->
                java.util.Optional.ofNullable(key.equals("paygate.sim.acme.charge-then-hang") ? "yes" : null)))
                .hasMessage("paygate.sim.acme.charge-then-hang: \"yes\" is not a boolean (true or false)");
    }

    @Test
    void aBadDurationFailsTheStartNamingTheKey(@TempDir Path dataDir) {
        Throwable refused = catchThrowable(() -> RunningPaygate.start(dataDir, Map.of("paygate.sync-wait", "abc")).close());
        assertThat(messages(refused)).contains("paygate.sync-wait: \"abc\" is not a duration (examples: 5s, 250ms, PT5S)");
    }

    @Test
    void aBooleanSpelledYesFailsTheStartNamingTheKey(@TempDir Path dataDir) {
        Throwable refused = catchThrowable(() -> RunningPaygate.start(dataDir, Map.of("paygate.broker.embedded", "yes")).close());
        assertThat(messages(refused)).contains("paygate.broker.embedded: \"yes\" is not a boolean (true or false)");
    }

    @Test
    void aPortThatIsNoNumberFailsTheStartInsteadOfBecomingARandomPort(@TempDir Path dataDir) {
        Throwable refused = catchThrowable(() -> RunningPaygate.start(dataDir, Map.of("paygate.http.port", "80a")).close());
        assertThat(messages(refused)).contains("paygate.http.port: \"80a\" is not an integer");
    }

    private static String messages(Throwable t) {
        assertThat(t).as("start-up should have failed").isNotNull();
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
