package io.paygate.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process the benchmark measures (paygate, the simulator, the bare proxy), each in its own
 * JVM so that its CPU time and peak memory are its own. Output goes to a log file next to the
 * results.
 */
final class ChildJvm implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    final String name;
    private final Process process;

    private ChildJvm(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    static ChildJvm start(String name, List<String> command, Map<String, String> env, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return new ChildJvm(name, builder.start());
    }

    long pid() {
        return process.pid();
    }

    /** Waits until {@code url} answers (any status below 500), or fails when the process died or time ran out. */
    ChildJvm awaitHttp(String url, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " during start-up (see its log)");
            }
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() < 500) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " did not answer " + url + " within " + timeout);
    }

    /** User + system CPU seconds used so far (/proc/pid/stat). */
    double cpuSeconds() throws IOException {
        return cpuSeconds(Files.readString(Path.of("/proc", Long.toString(pid()), "stat")));
    }

    /** utime + stime of a /proc .../stat line, in seconds. */
    private static double cpuSeconds(String stat) {
        // fields after the command name, which is in parentheses and may hold spaces
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }

    /** Peak resident set size in MiB so far (VmHWM in /proc/pid/status). */
    double peakRssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /**
     * CPU seconds this JVM's JIT compiler threads ("C1 CompilerThread0", "C2 CompilerThread0", ...)
     * have used so far (/proc/pid/task), or NaN when they cannot be read.
     */
    double jitCpuSeconds() {
        Path tasks = Path.of("/proc", Long.toString(pid()), "task");
        double sum = 0;
        try (var threads = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) threads::iterator) {
                try {
                    // the kernel keeps 15 characters of a thread's name
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        sum += cpuSeconds(Files.readString(task.resolve("stat")));
                    }
                } catch (IOException gone) {
                    // a compiler thread that ended meanwhile
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Runs a diagnostic command in this JVM ({@code jcmd pid args}); fails if it does not succeed. */
    void jcmd(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        command.add(Long.toString(pid()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", args) + " failed: " + out.strip());
        }
    }

    /** SIGTERM (a graceful shutdown), then SIGKILL if it takes longer than 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
