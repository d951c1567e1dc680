package io.paygate.testing;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Java main class run in a JVM of its own, with the test's classpath, so a test can
 * {@code kill -9} it and start it again: the thing a crash test needs and an in-process
 * gateway cannot give. Output (stdout and stderr, every run appended) goes to a log file.
 * Processes left running when the test JVM exits are killed by a shutdown hook.
 */
public final class ExternalProcess implements AutoCloseable {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "external-process-reaper"));
    }

    private final String name;
    private final String mainClass;
    private final List<String> args;
    private final Map<String, String> env;
    private final Path log;
    private Process process;
    private int runs;

    /**
     * @param env environment of the child: the test JVM's environment without its PAYGATE_*
     *            variables (so a developer's shell cannot change the test), plus these
     */
    public ExternalProcess(String name, String mainClass, List<String> args, Map<String, String> env, Path log) {
        this.name = name;
        this.mainClass = mainClass;
        this.args = List.copyOf(args);
        this.env = new LinkedHashMap<>(env);
        this.log = log;
    }

    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small, quick-starting JVMs: the machine running the tests is shared.
        command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // the test classpath carries log4j2-test.xml; the child logs like the real thing
                "-Dlog4j2.configurationFile=log4j2.xml",
                "-cp", testClasspath(), mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("PAYGATE_"));
        builder.environment().putAll(env);
        runs++;
        Files.writeString(log, "\n===== " + name + " run " + runs + " started " + Instant.now() + " =====\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = builder.start();
        RUNNING.add(process);
    }

    /**
     * {@code kill -9}: {@link Process#destroyForcibly()} sends SIGKILL on Linux, and the exit
     * status proves it (128 + 9); nothing in the child runs after it, no shutdown hook, no flush.
     * Returns once the process is gone.
     */
    public synchronized void kill9() throws InterruptedException {
        Process p = requireRunning();
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " survived SIGKILL");
        }
        RUNNING.remove(p);
        if (isLinux() && p.exitValue() != 137) {
            throw new IllegalStateException(name + " exited with " + p.exitValue() + ", not by SIGKILL (137)");
        }
        appendToLog("===== " + name + " killed with SIGKILL (exit " + p.exitValue() + ") " + Instant.now() + " =====");
    }

    /** Waits for the child to exit by itself: its exit status, or null if it still runs after {@code timeout}. */
    public synchronized Integer awaitExit(Duration timeout) throws InterruptedException {
        Process p = process;
        if (p == null || !p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return null;
        }
        RUNNING.remove(p);
        return p.exitValue();
    }

    /** SIGTERM and wait: the child's shutdown hooks run. */
    public synchronized void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        RUNNING.remove(process);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return requireRunning().pid();
    }

    public Path log() {
        return log;
    }

    /** Polls {@code url} until {@code ready} accepts an answer; fails early if the process dies. */
    public void awaitHttp(String url, Predicate<HttpResponse<String>> ready, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
        while (true) {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited while starting; see " + log.toAbsolutePath() + "\n" + tail());
            }
            try {
                if (ready.test(HTTP.send(request, HttpResponse.BodyHandlers.ofString()))) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not ready at " + url + " after " + timeout + "; see "
                        + log.toAbsolutePath() + "\n" + tail());
            }
            Thread.sleep(200);
        }
    }

    private Process requireRunning() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        return process;
    }

    private void appendToLog(String line) {
        try {
            Files.writeString(log, "\n" + line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log is for humans; losing a marker line must not fail the test
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * The test runtime classpath. Surefire may start tests from a manifest-only jar, so prefer
     * the full path it publishes in {@code surefire.test.class.path}.
     */
    static String testClasspath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }
}
