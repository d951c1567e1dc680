package io.paygate.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The provider simulator standalone ({@code io.paygate.simulator.ProviderSimulator}) in a JVM of
 * its own, acme over HTTP and globex over JMS on paygate's broker, with a state file: its
 * charge counts survive paygate's kills and its own restarts.
 */
public final class ExternalSimulator implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;
    private final Path stateFile;
    private final Path log;
    private final String globexPassword;
    private ExternalProcess process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Picks the HTTP port now, so paygate can be configured with {@link #acmeUrl()} before either starts. */
    public ExternalSimulator(Path stateFile, Path log, String globexPassword) throws IOException {
        this.port = RunningPaygate.freePort();
        this.stateFile = stateFile;
        this.log = log;
        this.globexPassword = globexPassword;
    }

    /** Starts the JVM; the broker may not be up yet, the simulator keeps trying to connect as globex. */
    public void start(String brokerUrl) throws IOException, InterruptedException {
        if (process == null) {
            process = new ExternalProcess("simulator", "io.paygate.simulator.ProviderSimulator",
                    List.of("--port", Integer.toString(port), "--state-file", stateFile.toAbsolutePath().toString(),
                            "--http-providers", "acme", "--jms-providers", "globex",
                            "--broker", brokerUrl, "--broker-user", "globex"),
                    Map.of("PAYGATE_SIM_BROKER_PASSWORD", globexPassword), // by env: command lines are public
                    log);
        }
        process.start();
        process.awaitHttp(baseUrl() + "/sim/health", r -> r.statusCode() == 200, Duration.ofSeconds(60));
    }

    public void kill9() throws InterruptedException {
        process.kill9();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.close();
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** acme's base URL for paygate's PAYGATE_PROVIDER_ACME_URL. */
    public String acmeUrl() {
        return baseUrl() + "/acme";
    }

    /** Provider name to (reference to number of charges). */
    public Map<String, Map<String, Integer>> charges() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sim/charges"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("simulator answered " + r.statusCode() + " for /sim/charges");
        }
        return JSON.readValue(r.body(), new TypeReference<>() { });
    }
}
