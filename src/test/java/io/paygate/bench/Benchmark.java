package io.paygate.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * paygate's benchmark (README "Performance"): the same loads, in the same run, against
 * <ol>
 *   <li>{@code simulator}: the provider simulator's HTTP endpoint directly (POST /acme/payments),</li>
 *   <li>{@code proxy}: a bare Camel proxy route in front of it ({@link BareProxy}, nothing stored),</li>
 *   <li>{@code paygate}: {@code java -jar target/paygate.jar} with everything durable (embedded
 *       broker on KahaDB, H2 file database), the simulator in its own JVM answering at once.</li>
 * </ol>
 * Loads: {@code full} (closed loop, 64 connections) and {@code fixed} (open loop, 1,000 orders/s),
 * each POST a new orderId. Every process is fresh for each run. After each run the benchmark
 * waits for the target to drain, then checks that every accepted order is final and that no
 * reference was charged twice (the simulator's charge record against paygate's orders table).
 * Prints one table and writes it as JSON under target/bench-results/.
 * <p>
 * Each run is measured in its steady state: the load runs for at least bench.warmup seconds, then
 * on in 10 s steps until the JIT compiler threads of the run's processes (target and simulator)
 * used less than bench.warmup.jit CPU seconds in the last step, at most bench.warmup.max seconds in
 * all. paygate's compilers work for two minutes and more at full load on 2 cores; measured at 60 s,
 * a quarter of its CPU went to compiling, not serving.
 * <p>
 * System properties (all optional): bench.seconds (30), bench.warmup (90), bench.warmup.max (300),
 * bench.warmup.jit (0.5), bench.connections (64),
 * bench.rate (1000), bench.targets (simulator,proxy,paygate), bench.loads (full,fixed),
 * bench.simulator (external | builtin: paygate's in-JVM simulator), bench.jfr (false: record
 * paygate's full-speed run with Java Flight Recorder), bench.jvmArgs (JVM options for
 * paygate, -Xmx256m -XX:+UseParallelGC -XX:NewRatio=1 -XX:+UseTransparentHugePages as in the container), bench.jar (target/paygate.jar), bench.results (target/bench-results),
 * bench.db.url, bench.db.user, bench.db.password (paygate's database instead of its embedded H2
 * file, e.g. a PostgreSQL on this machine; its CPU is not counted in paygate's).
 */
public final class Benchmark {

    static final String DEMO_KEY = "demo-key-not-secret";
    private static final double WARMUP_STEP = 10;
    private static final Set<String> FINAL = Set.of("APPROVED", "DECLINED", "FAILED");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final double seconds = Double.parseDouble(System.getProperty("bench.seconds", "30"));
    private final double warmup = Double.parseDouble(System.getProperty("bench.warmup", "90"));
    private final double warmupMax = Double.parseDouble(System.getProperty("bench.warmup.max", "300"));
    private final double jitSettled = Double.parseDouble(System.getProperty("bench.warmup.jit", "0.5"));
    private final int connections = Integer.getInteger("bench.connections", 64);
    private final double rate = Double.parseDouble(System.getProperty("bench.rate", "1000"));
    private final List<String> targets = List.of(System.getProperty("bench.targets", "simulator,proxy,paygate").split(","));
    private final List<String> loads = List.of(System.getProperty("bench.loads", "full,fixed").split(","));
    private final boolean builtinSimulator = System.getProperty("bench.simulator", "external").equals("builtin");
    private final boolean jfr = Boolean.getBoolean("bench.jfr");
    private final String jvmArgs = System.getProperty("bench.jvmArgs", "-Xmx256m -XX:+UseParallelGC -XX:NewRatio=1 -XX:+UseTransparentHugePages");
    private final Path jar = Path.of(System.getProperty("bench.jar", "target/paygate.jar")).toAbsolutePath();
    private final Path results = Path.of(System.getProperty("bench.results", "target/bench-results")).toAbsolutePath();
    private final Path dataRoot = results.getParent().resolve("bench-data");
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private final String dbUrl = System.getProperty("bench.db.url", "");
    private final String dbUser = System.getProperty("bench.db.user", "paygate");
    private final String dbPassword = System.getProperty("bench.db.password", "");

    public static void main(String[] args) throws Exception {
        new Benchmark().run();
    }

    private void run() throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: build it first (mvn -B -Pbench verify -DskipTests does)");
        }
        Files.createDirectories(results);
        System.out.printf("paygate benchmark: targets %s, loads %s, %.0f s each after a warm-up of %.0f s or more (until the JIT settles, at most %.0f s), %d connections, fixed rate %.0f/s, simulator %s%n",
                targets, loads, seconds, warmup, warmupMax, connections, rate, builtinSimulator ? "in paygate's JVM" : "in its own JVM");
        List<RunResult> all = new ArrayList<>();
        for (String load : loads) {
            for (String target : targets) {
                System.out.printf("-- %s, %s ...%n", target, load);
                RunResult r = runOne(target.trim(), load.trim());
                System.out.printf("   %.0f orders/s, p99 %.1f ms, errors %d, lost %d, double charges %d %s%n",
                        r.ordersPerSecond(), r.p99Ms(), r.errors(), r.lost(), r.doubleCharges(), r.notes());
                all.add(r);
            }
        }
        List<RunResult> withRatios = Report.withRatios(all);
        String table = Report.table(withRatios);
        System.out.println();
        System.out.println(table);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("at", Instant.now().toString());
        doc.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "java", System.getProperty("java.version")));
        doc.put("settings", Map.of("seconds", seconds, "warmupSeconds", warmup, "warmupMaxSeconds", warmupMax,
                "warmupJitSeconds", jitSettled, "connections", connections,
                "fixedRate", rate, "simulator", builtinSimulator ? "builtin" : "external", "jfr", jfr));
        doc.put("results", withRatios);
        Path json = results.resolve("bench-" + Instant.now().toString().replace(":", "") + ".json");
        Files.writeString(json, JSON.writeValueAsString(doc));
        Files.writeString(results.resolve("latest.json"), JSON.writeValueAsString(doc));
        Files.writeString(results.resolve("latest.txt"), table + "\n");
        System.out.println("written " + json);
        Path recording = results.resolve("paygate-full.jfr");
        if (jfr && Files.isRegularFile(recording)) {
            String profile = ProfileSummary.summarise(recording);
            Files.writeString(results.resolve("paygate-full-profile.txt"), profile);
            System.out.println();
            System.out.println(profile);
        }
        boolean clean = withRatios.stream().allMatch(r -> r.lost() == 0 && r.doubleCharges() == 0);
        if (!clean) {
            System.out.println("FAILED: orders lost or charged twice");
            System.exit(1);
        }
    }

    private RunResult runOne(String target, String load) throws Exception {
        String label = target + "-" + load;
        Path data = dataRoot.resolve(label);
        deleteTree(data);
        Files.createDirectories(data);
        List<ChildJvm> started = new ArrayList<>();
        try {
            int targetPort = freePort();
            int simPort = freePort();
            String simUrl = "http://127.0.0.1:" + simPort;
            ChildJvm measured;
            String path;
            LoadClient.Requests requests;
            boolean simInside = target.equals("paygate") && builtinSimulator;
            if (!simInside) {
                // a line per payment would make the provider stand-in slower than a real one
                ChildJvm sim = ChildJvm.start("simulator", List.of(java(), "-cp", jar.toString(),
                                "-Dlog4j2.configurationFile=" + Path.of("src/test/bench/log4j2-bench.xml").toAbsolutePath(),
                                "-Dpaygate.sim.port=" + simPort, "-Dpaygate.sim.jms-providers=",
                                "io.paygate.simulator.ProviderSimulator"), Map.of(),
                        results.resolve("logs/" + label + "-simulator.log"));
                started.add(sim);
                sim.awaitHttp(simUrl + "/sim/health", Duration.ofSeconds(30));
            }
            switch (target) {
                case "simulator" -> {
                    measured = started.get(0);
                    targetPort = simPort;
                    path = "/acme/payments";
                    requests = providerRequests(path);
                }
                case "proxy" -> {
                    // JVM defaults, as someone would run it
                    measured = ChildJvm.start("proxy", List.of(java(), "-cp", System.getProperty("java.class.path"),
                                    "-Dlog4j2.configurationFile=" + Path.of("src/main/resources/log4j2.xml").toAbsolutePath(),
                                    "io.paygate.bench.BareProxy", Integer.toString(targetPort), simUrl + "/acme/payments"),
                            Map.of(), results.resolve("logs/" + label + ".log"));
                    started.add(measured);
                    measured.awaitHttp("http://127.0.0.1:" + targetPort + "/proxy", Duration.ofSeconds(60));
                    path = "/proxy";
                    requests = providerRequests(path);
                }
                case "paygate" -> {
                    measured = startPaygate(label, data, targetPort, simPort, simInside);
                    started.add(measured);
                    path = "/api/orders";
                    requests = orderRequests(label);
                }
                default -> throw new IllegalArgumentException("unknown target " + target + " (simulator, proxy, paygate)");
            }

            try (LoadClient client = new LoadClient("127.0.0.1", targetPort, connections, requests)) {
                double warmedUp = warmUp(client, load, started);
                // start-up and warm-up (JIT compiling) are left out: the profile is of the measured load
                Path recording = results.resolve("paygate-full.jfr");
                boolean record = jfr && target.equals("paygate") && load.equals("full");
                if (record) {
                    Files.deleteIfExists(recording);
                    measured.jcmd("JFR.start", "name=bench", "settings=profile");
                }
                // The load client's own pauses count as the target's latency (no coordinated omission),
                // so the previous runs' garbage (millions of accepted ids after a simulator run) is
                // collected now, before the measured window, not during it; what the client still
                // spends on collections in the window is reported with the run.
                System.gc();
                ClientGc gc0 = ClientGc.now();
                double cpu0 = measured.cpuSeconds();
                LoadClient.Phase phase = drive(client, load, seconds);
                double cpu = measured.cpuSeconds() - cpu0;
                ClientGc clientGc = ClientGc.now().since(gc0);
                if (record) {
                    measured.jcmd("JFR.stop", "name=bench", "filename=" + recording);
                }
                List<String> accepted = new ArrayList<>(client.acceptedIds);
                Map<String, Integer> charges = drain(simUrl, accepted.size());
                double rss = measured.peakRssMiB();
                Histogram h = phase.latencyMicros.getIntervalHistogram();
                Check check;
                if (target.equals("paygate")) {
                    measured.close(); // graceful stop, so that the database can be read
                    check = Check.ofOrders(accepted, readOrders(data, label), charges);
                } else {
                    check = Check.ofCharges(accepted, charges);
                }
                return new RunResult(target, load, round(warmedUp), round(phase.seconds()), phase.sent.get(), phase.ok200.get(),
                        phase.accepted202.get(), phase.errors(), round(phase.successes() / phase.seconds()),
                        ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(95)), ms(h.getValueAtPercentile(99)),
                        ms(h.getMaxValue()), round(cpu / phase.seconds()), round(rss), accepted.size(),
                        check.lost(), check.doubleCharges(),
                        String.join("; ", java.util.stream.Stream.of(check.notes(), clientGc.toString(),
                                        phase.errorKinds.isEmpty() ? "" : "errors " + phase.errorKinds,
                                        phase.unanswered.get() > 0 ? "unanswered " + phase.unanswered.get() : "")
                                .filter(n -> !n.isEmpty()).toList()),
                        null, null);
            }
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
        }
    }

    /**
     * Drives the load for bench.warmup seconds, then on in steps of {@link #WARMUP_STEP} while the
     * JIT compiler threads of {@code jvms} used bench.warmup.jit CPU seconds or more in the last step,
     * at most bench.warmup.max seconds in all. A warm-up shorter than one step (a smoke run), or no
     * way to read the compilers' time, leaves it at bench.warmup. Returns its length in seconds.
     */
    private double warmUp(LoadClient client, String load, List<ChildJvm> jvms) throws InterruptedException {
        long began = System.nanoTime();
        if (warmup < WARMUP_STEP) {
            if (warmup > 0) {
                drive(client, load, warmup);
            }
            return warmup;
        }
        drive(client, load, warmup - WARMUP_STEP);
        double before = jitCpuSeconds(jvms);
        drive(client, load, WARMUP_STEP);
        double after = jitCpuSeconds(jvms);
        while (after - before >= jitSettled && seconds(began) + WARMUP_STEP <= warmupMax) {
            System.out.printf("   still compiling (JIT threads used %.1f s of CPU in the last %.0f s), warming up on%n", after - before, WARMUP_STEP);
            drive(client, load, WARMUP_STEP);
            before = after;
            after = jitCpuSeconds(jvms);
        }
        return seconds(began);
    }

    /** JIT compiler CPU seconds of all {@code jvms} together; NaN if any cannot be read (which ends the warm-up). */
    private static double jitCpuSeconds(List<ChildJvm> jvms) {
        double sum = 0;
        for (ChildJvm jvm : jvms) {
            sum += jvm.jitCpuSeconds();
        }
        return sum;
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private LoadClient.Phase drive(LoadClient client, String load, double duration) throws InterruptedException {
        return switch (load) {
            case "full" -> client.fullSpeed(connections, duration);
            case "fixed" -> client.fixedRate(rate, duration);
            default -> throw new IllegalArgumentException("unknown load " + load + " (full, fixed)");
        };
    }

    private ChildJvm startPaygate(String label, Path data, int port, int simPort, boolean simInside) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        for (String arg : jvmArgs.trim().split("\\s+")) {
            if (!arg.isEmpty()) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        Map<String, String> env = new HashMap<>();
        env.put("PAYGATE_HTTP_HOST", "127.0.0.1");
        env.put("PAYGATE_HTTP_PORT", Integer.toString(port));
        env.put("PAYGATE_BROKER_PORT", Integer.toString(freePort()));
        env.put("PAYGATE_DATA_DIR", data.toString());
        if (!dbUrl.isEmpty()) {
            env.put("PAYGATE_DB_URL", dbUrl);
            env.put("PAYGATE_DB_USER", dbUser);
            env.put("PAYGATE_DB_PASSWORD", dbPassword);
        }
        env.put("PAYGATE_SIM_ENABLED", Boolean.toString(simInside));
        env.put("PAYGATE_SIM_PORT", Integer.toString(simPort));
        env.put("PAYGATE_PROVIDER_ACME_URL", "http://127.0.0.1:" + simPort + "/acme");
        ChildJvm paygate = ChildJvm.start("paygate", cmd, env, results.resolve("logs/" + label + ".log"));
        try {
            paygate.awaitHttp("http://127.0.0.1:" + port + "/observe/health", Duration.ofSeconds(90));
        } catch (Exception e) {
            paygate.close();
            throw e;
        }
        return paygate;
    }

    /** Storefront orders: demo merchant, EUR, to the HTTP provider acme, a new orderId each. */
    private LoadClient.Requests orderRequests(String label) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json")
                .add("X-Api-Key", DEMO_KEY);
        return n -> {
            String orderId = orderIdPrefix(label) + n;
            return new LoadClient.Request("/api/orders", headers, Buffer.buffer("{\"orderId\":\"" + orderId
                    + "\",\"amount\":\"10.00\",\"currency\":\"EUR\",\"provider\":\"acme\","
                    + "\"paymentMethod\":{\"type\":\"card_token\",\"token\":\"tok_visa\"}}"), orderId);
        };
    }

    /** Provider protocol requests, as paygate sends them: a new reference each, also the Idempotency-Key. */
    private LoadClient.Requests providerRequests(String path) {
        return n -> {
            String reference = "bench_" + runId + "_" + n;
            MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                    .add("Content-Type", "application/json")
                    .add("Idempotency-Key", reference);
            return new LoadClient.Request(path, headers, Buffer.buffer("{\"reference\":\"" + reference
                    + "\",\"amount\":\"10.00\",\"currency\":\"EUR\",\"token\":\"tok_visa\"}"), reference);
        };
    }

    /**
     * Waits until the provider has charged as many references as orders were accepted, or no new
     * charge came for 5 s (orders that end FAILED or DECLINED without a charge), at most 2 minutes.
     */
    private Map<String, Integer> drain(String simUrl, int accepted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int last = -1;
        long stableSince = System.nanoTime();
        while (true) {
            Map<String, Integer> charges = charges(simUrl);
            int now = charges.size();
            if (now >= accepted || System.nanoTime() > deadline
                    || (now == last && System.nanoTime() - stableSince > Duration.ofSeconds(5).toNanos())) {
                return charges;
            }
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            }
            Thread.sleep(250);
        }
    }

    private static Map<String, Integer> charges(String simUrl) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(simUrl + "/sim/charges")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Map<String, Integer>> all = JSON.readValue(r.body(), new TypeReference<>() { });
        return all.getOrDefault("acme", Map.of());
    }

    /** Unique per benchmark and run: an external database keeps the orders of earlier runs. */
    private String orderIdPrefix(String label) {
        return "bench-" + runId + "-" + label + "-";
    }

    /** This run's orders, orderId to (reference, status), read from paygate's database after it stopped. */
    private Map<String, String[]> readOrders(Path data, String label) throws Exception {
        Map<String, String[]> orders = new HashMap<>();
        boolean embedded = dbUrl.isEmpty();
        String url = embedded ? "jdbc:h2:file:" + data.resolve("db/paygate") : dbUrl;
        try (Connection c = DriverManager.getConnection(url, embedded ? "sa" : dbUser, embedded ? "" : dbPassword);
             PreparedStatement s = c.prepareStatement("SELECT order_id, reference, status FROM orders WHERE order_id LIKE ?")) {
            s.setString(1, orderIdPrefix(label) + "%");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    orders.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                }
            }
        }
        return orders;
    }

    /** What the run left behind: lost orders and double charges. */
    record Check(long lost, long doubleCharges, String notes) {

        /** Baselines: every 200 answer must have been charged, once. */
        static Check ofCharges(List<String> accepted, Map<String, Integer> charges) {
            long lost = accepted.stream().filter(ref -> !charges.containsKey(ref)).count();
            return new Check(lost, doubles(charges), "");
        }

        /**
         * paygate: every accepted order must be final in the database; an APPROVED order must
         * have been charged once, and nothing else charged.
         */
        static Check ofOrders(List<String> accepted, Map<String, String[]> orders, Map<String, Integer> charges) {
            long lost = 0;
            Map<String, Long> statuses = new java.util.TreeMap<>();
            long approvedNotCharged = 0;
            Set<String> references = new java.util.HashSet<>();
            for (String orderId : accepted) {
                String[] row = orders.get(orderId);
                String status = row == null ? "MISSING" : row[1];
                statuses.merge(status, 1L, Long::sum);
                if (!FINAL.contains(status)) {
                    lost++;
                }
                if (row != null) {
                    references.add(row[0]);
                    if (status.equals("APPROVED") && !charges.containsKey(row[0])) {
                        approvedNotCharged++;
                    }
                }
            }
            long chargedUnknown = charges.keySet().stream().filter(ref -> !references.contains(ref)).count();
            String notes = "accepted orders by status " + statuses
                    + (approvedNotCharged > 0 ? "; APPROVED without a charge: " + approvedNotCharged : "")
                    + (chargedUnknown > 0 ? "; charges for orders not accepted: " + chargedUnknown : "");
            return new Check(lost + approvedNotCharged, doubles(charges), notes);
        }

        private static long doubles(Map<String, Integer> charges) {
            return charges.values().stream().filter(n -> n > 1).count();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static double ms(long micros) {
        return round(micros / 1000.0);
    }

    /** The load client's (this JVM's) garbage collections: how many, and their time in all. */
    record ClientGc(long collections, long millis) {
        static ClientGc now() {
            long count = 0;
            long millis = 0;
            for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, gc.getCollectionCount());
                millis += Math.max(0, gc.getCollectionTime());
            }
            return new ClientGc(count, millis);
        }

        ClientGc since(ClientGc before) {
            return new ClientGc(collections - before.collections, millis - before.millis);
        }

        @Override
        public String toString() {
            return "load client GC " + millis + " ms in " + collections + " collections";
        }
    }

    static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
