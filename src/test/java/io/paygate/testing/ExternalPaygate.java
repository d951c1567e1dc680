package io.paygate.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway as {@code java io.paygate.Paygate --config config/application.properties} in a
 * JVM of its own, on fixed free ports and a data dir that outlives it, so a test can
 * {@code kill -9} it and start it again on the same data. Its embedded broker listens on
 * {@link #brokerUrl()} for an outside provider (the standalone simulator); the in-JVM
 * simulator is off.
 */
public final class ExternalPaygate implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final int httpPort;
    private final int brokerPort;
    private final ExternalProcess process;

    /**
     * @param acmeUrl   base URL of provider acme (the standalone simulator's {@code /acme})
     * @param overrides more environment variables, e.g. PAYGATE_SWEEPER_RECEIVED_AGE
     */
    public ExternalPaygate(Path dataDir, Path log, String acmeUrl, BrokerCredentials credentials,
                           Map<String, String> overrides) throws IOException {
        this.httpPort = RunningPaygate.freePort();
        this.brokerPort = RunningPaygate.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("PAYGATE_DATA_DIR", dataDir.toAbsolutePath().toString());
        env.put("PAYGATE_HTTP_HOST", "127.0.0.1");
        env.put("PAYGATE_HTTP_PORT", Integer.toString(httpPort));
        env.put("PAYGATE_BROKER_HOST", "127.0.0.1");
        env.put("PAYGATE_BROKER_PORT", Integer.toString(brokerPort));
        env.put("PAYGATE_SIM_ENABLED", "false");
        env.put("PAYGATE_PROVIDER_ACME_URL", acmeUrl);
        // Explicit broker passwords, so the simulator can log in whether or not the broker checks them.
        env.put("PAYGATE_BROKER_PASSWORD", credentials.paygatePassword());
        env.put("PAYGATE_BROKER_PROVIDER_GLOBEX_PASSWORD", credentials.globexPassword());
        env.putAll(overrides);
        this.process = new ExternalProcess("paygate", "io.paygate.Paygate",
                List.of("--config", "config/application.properties"), env, log);
    }

    /** Starts the JVM and returns once {@code /observe/health} answers UP. */
    public void start() throws IOException, InterruptedException {
        process.start();
        process.awaitHttp(baseUrl() + "/observe/health",
                r -> r.statusCode() == 200 && r.body().contains("UP"), START_TIMEOUT);
    }

    /** SIGKILL, then waits until the process is gone. */
    public void kill9() throws InterruptedException {
        process.kill9();
    }

    /** Starts again on the same ports and data dir. */
    public void restart() throws IOException, InterruptedException {
        start();
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Writes the running paygate's thread dump ({@code jcmd <pid> Thread.print}) to {@code file}:
     * evidence for a test that found work stuck. Best effort: a failure is noted in the file.
     */
    public void dumpThreads(Path file) throws InterruptedException {
        try {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!dump.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                dump.destroyForcibly();
            }
        } catch (IOException | RuntimeException e) {
            try {
                java.nio.file.Files.writeString(file, "no thread dump: " + e);
            } catch (IOException ignored) {
                // nothing more to do: this is only evidence
            }
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String brokerUrl() {
        return "tcp://127.0.0.1:" + brokerPort;
    }

    public Path log() {
        return process.log();
    }

    /** Passwords for the embedded broker's users: paygate itself and the JMS provider globex. */
    public record BrokerCredentials(String paygatePassword, String globexPassword) {

        public static BrokerCredentials random() {
            return new BrokerCredentials(java.util.UUID.randomUUID().toString(), java.util.UUID.randomUUID().toString());
        }
    }
}
