package io.paygate.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.Paygate;
import io.paygate.audit.AuditEvent;
import io.paygate.audit.AuditRecord;
import io.paygate.broker.BrokerCredentials;
import io.paygate.broker.EmbeddedBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole gateway started in-process for a test, exactly as {@code java -jar paygate.jar}
 * starts it (config/application.properties, routes/ from the file system), on free ports and
 * its own data directory: real HTTP port, embedded ActiveMQ with KahaDB, H2 file database and
 * the provider simulator.
 */
public final class RunningPaygate implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    public static final String DEMO_KEY = "demo-key-not-secret";
    public static final String OTHER_KEY = "other-key-for-tests";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dataDir;
    private boolean ownDataDir;
    private final Map<String, String> overrides;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Main main;
    private int httpPort;
    private int brokerPort;
    private int simPort;

    public RunningPaygate(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.overrides = new HashMap<>(overrides);
    }

    /**
     * One gateway for a whole test class, on a temporary data dir of its own:
     * {@code @RegisterExtension static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(...));}
     */
    public static RunningPaygate perClass(Map<String, String> overrides) {
        return new RunningPaygate(null, overrides);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (dataDir == null) {
            dataDir = Files.createTempDirectory("paygate-test");
            ownDataDir = true;
        }
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
        if (ownDataDir) {
            try (var paths = Files.walk(dataDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    public static RunningPaygate start(Path dataDir, Map<String, String> overrides) throws Exception {
        RunningPaygate app = new RunningPaygate(dataDir, overrides);
        app.start();
        return app;
    }

    public void start() throws Exception {
        httpPort = freePort();
        brokerPort = freePort();
        simPort = freePort();
        Properties p = new Properties();
        p.setProperty("paygate.data.dir", dataDir.toString());
        p.setProperty("paygate.http.port", Integer.toString(httpPort));
        p.setProperty("paygate.http.host", "127.0.0.1");
        p.setProperty("paygate.broker.port", Integer.toString(brokerPort));
        // unique in this JVM: in-JVM (vm://) connections find their broker by name
        p.setProperty("paygate.broker.name", "paygate-" + brokerPort);
        p.setProperty("paygate.sim.port", Integer.toString(simPort));
        p.setProperty("paygate.provider.acme.url", "http://127.0.0.1:" + simPort + "/acme");
        p.setProperty("paygate.sync-wait", "5s");
        // A second merchant, to prove merchants are walled off from each other.
        p.setProperty("paygate.merchants", "demo,other");
        p.setProperty("paygate.merchant.other.api-key-sha256", sha256Hex(OTHER_KEY));
        p.setProperty("paygate.merchant.other.currencies", "EUR,USD");
        p.setProperty("paygate.merchant.other.webhook-secret", "other-webhook-secret");
        // shop.example: the storefront host of the contract tests' callbackUrls (never resolves)
        p.setProperty("paygate.merchant.demo.webhook-hosts", "localhost,127.0.0.1,shop.example");
        p.setProperty("paygate.merchant.other.webhook-hosts", "shop.example");
        overrides.forEach(p::setProperty);
        main = Paygate.create("config/application.properties", p);
        try {
            main.start();
            CamelContext context = main.getCamelContext();
            if (context == null || !context.isStarted()) {
                throw new IllegalStateException("paygate did not start");
            }
        } catch (Exception e) {
            // a refused start must not leave a broker or ports behind for the next test
            stopQuietly();
            throw e;
        }
    }

    private void stopQuietly() {
        try {
            CamelContext context = main.getCamelContext();
            EmbeddedBroker broker = context == null ? null
                    : context.getRegistry().lookupByNameAndType("embeddedBroker", EmbeddedBroker.class);
            main.stop();
            if (broker != null) {
                broker.stop();
            }
        } catch (Exception ignored) {
            // best effort: the start already failed
        }
        main = null;
    }

    public void stop() throws Exception {
        if (main != null) {
            main.stop();
            main = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /** Nothing dispatches (no first attempt, no queue consumer): new orders stay RECEIVED. */
    public void stopDispatching() throws Exception {
        context().getRouteController().stopRoute("first-attempt");
        context().getRouteController().stopRoute("dispatch");
    }

    public void startDispatching() throws Exception {
        context().getRouteController().startRoute("dispatch");
        context().getRouteController().startRoute("first-attempt");
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String simUrl() {
        return "http://127.0.0.1:" + simPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public EmbeddedBroker broker() {
        return context().getRegistry().lookupByNameAndType("embeddedBroker", EmbeddedBroker.class);
    }

    /** A client over the broker's TCP connector logged in as paygate's own user (every destination). */
    public ActiveMQConnectionFactory brokerClient() {
        BrokerCredentials credentials = credentials();
        return brokerClient(credentials.paygateUser(), credentials.paygatePassword());
    }

    /** A client logged in as a JMS provider's user, e.g. providerClient("globex"). */
    public ActiveMQConnectionFactory providerClient(String provider) {
        return brokerClient(provider, credentials().providerPassword(provider));
    }

    /**
     * Sends {@code body} to paygate.replies as the provider would: with its broker login (which the
     * broker stamps as JMSXUserID) and the order's reference as JMSCorrelationID.
     */
    public void replyAsProvider(String provider, String correlationId, String body) throws Exception {
        try (jakarta.jms.Connection c = providerClient(provider).createConnection()) {
            jakarta.jms.Session s = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.TextMessage m = s.createTextMessage(body);
            m.setJMSCorrelationID(correlationId);
            s.createProducer(s.createQueue("paygate.replies")).send(m);
        }
    }

    /** A client over the TCP connector as an outside tool would make it; null user = no credentials. */
    public ActiveMQConnectionFactory brokerClient(String user, String password) {
        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort);
        f.setTrustedPackages(java.util.List.of());
        if (user != null) {
            f.setUserName(user);
            f.setPassword(password);
        }
        return f;
    }

    /** The broker users of the running gateway (configured or generated into the data dir). */
    public BrokerCredentials credentials() {
        return context().getRegistry().lookupByNameAndType("brokerCredentials", BrokerCredentials.class);
    }

    public Path dataDir() {
        return dataDir;
    }

    public HttpResponse<String> postOrder(String body) throws Exception {
        return postOrder(body, DEMO_KEY, Map.of());
    }

    public HttpResponse<String> postOrder(String body, String apiKey, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + "/api/orders"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            b.header("X-Api-Key", apiKey);
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return get(path, DEMO_KEY);
    }

    public HttpResponse<String> get(String path, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10)).GET();
        if (apiKey != null) {
            b.header("X-Api-Key", apiKey);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The order's status as the storefront reads it, or null if paygate does not know it. */
    public String statusOf(String orderId) throws Exception {
        HttpResponse<String> r = get("/api/orders/" + orderId);
        return r.statusCode() == 200 ? json(r.body()).path("status").asText() : null;
    }

    /** Charges per reference at the simulated provider, e.g. charges("acme").get(reference). */
    public Map<String, Integer> charges(String provider) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(simUrl() + "/sim/charges")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Map<String, Integer>> all = JSON.readValue(r.body(), new TypeReference<>() { });
        return all.getOrDefault(provider, Map.of());
    }

    public int totalCharges(String provider) throws Exception {
        return charges(provider).values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Changes a simulated provider's behaviour at runtime, e.g. {"errorRatio":1}. */
    public void simBehaviour(String provider, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(simUrl() + "/sim/providers/" + provider))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("simulator refused behaviour: " + r.statusCode() + " " + r.body());
        }
    }

    public DataSource dataSource() {
        return context().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
    }

    public long countRows(String sql, Object... args) throws Exception {
        try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The audited events in the table, unpacked from their records (one order's, or every one when
     * {@code reference} is null), each order's in the order they happened.
     */
    public List<AuditEvent> auditEvents(String reference) throws Exception {
        List<AuditEvent> events = new ArrayList<>();
        try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT order_reference, merchant_id, events FROM audit_record"
                        + (reference == null ? "" : " WHERE order_reference = ?"))) {
            if (reference != null) {
                ps.setString(1, reference);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.addAll(AuditRecord.fromRow(JSON, rs.getString(1), rs.getString(2), rs.getString(3)).events());
                }
            }
        }
        events.sort(Comparator.comparing((AuditEvent e) -> String.valueOf(e.reference()))
                .thenComparingLong(AuditEvent::sequence));
        return events;
    }

    /** How many of the order's audited events are of this step. */
    public long auditSteps(String reference, String step) throws Exception {
        return auditEvents(reference).stream().filter(e -> e.step().equals(step)).count();
    }

    public long orderCount() throws Exception {
        return countRows("SELECT COUNT(*) FROM orders");
    }

    public static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    public static String order(String orderId, String amount, String currency, String token) {
        return "{\"orderId\":\"" + orderId + "\",\"amount\":\"" + amount + "\",\"currency\":\"" + currency
                + "\",\"paymentMethod\":{\"type\":\"card_token\",\"token\":\"" + token + "\"}}";
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    static String sha256Hex(String text) {
        return java.util.HexFormat.of().formatHex(io.paygate.security.MerchantDirectory.sha256(text));
    }
}
