package io.paygate.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where paygate spent its time in a Java Flight Recording ({@code -Dbench.jfr=true} records the
 * full-speed run): the hottest methods by CPU samples (top frame, and first paygate frame on the
 * stack), and where threads blocked: monitors (lock contention), parking and socket/file waits,
 * by total time, attributed to the first paygate or library frame that is not the JDK's.
 * <p>
 * {@code java -cp target/test-classes io.paygate.bench.ProfileSummary target/bench-results/paygate-full.jfr}
 */
public final class ProfileSummary {

    private static final int TOP = 15;

    private ProfileSummary() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(summarise(Path.of(args.length > 0 ? args[0] : "target/bench-results/paygate-full.jfr")));
    }

    static String summarise(Path recording) throws Exception {
        Map<String, Long> topFrames = new HashMap<>();
        Map<String, Long> paygateFrames = new HashMap<>();
        Map<String, Long> libraries = new HashMap<>();
        Map<String, Map<String, Long>> blocked = new LinkedHashMap<>();
        long samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            String type = e.getEventType().getName();
            RecordedStackTrace stack = e.getStackTrace();
            switch (type) {
                case "jdk.ExecutionSample" -> {
                    samples++;
                    if (stack != null && !stack.getFrames().isEmpty()) {
                        String top = frame(stack.getFrames().get(0));
                        topFrames.merge(top, 1L, Long::sum);
                        libraries.merge(library(top), 1L, Long::sum);
                        // the logging context wraps every route step, so it would claim every Camel frame
                        String own = first(stack, f -> f.startsWith("io.paygate.") && !f.startsWith("io.paygate.observe.OrderLogContext"));
                        paygateFrames.merge(own.startsWith("io.paygate.") ? own : "(no paygate frame: Camel, broker, HTTP server)", 1L, Long::sum);
                    }
                }
                case "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait", "jdk.ThreadPark", "jdk.SocketRead", "jdk.FileForce",
                     "jdk.FileWrite", "jdk.FileRead" -> {
                    String where = (type.equals("jdk.JavaMonitorEnter") && e.hasField("monitorClass") && e.getClass("monitorClass") != null
                            ? "lock " + e.getClass("monitorClass").getName() + " at " : "")
                            + first(stack, f -> !f.startsWith("java.") && !f.startsWith("jdk.") && !f.startsWith("sun."));
                    blocked.computeIfAbsent(type, k -> new HashMap<>()).merge(where, e.getDuration().toMillis(), Long::sum);
                }
                default -> {
                }
            }
        }
        StringBuilder b = new StringBuilder("JFR summary of " + recording + ": " + samples + " CPU samples\n");
        b.append("\nCPU samples by library (top frame):\n");
        top(libraries, samples, b);
        b.append("\nHottest methods (top frame, % of CPU samples):\n");
        top(topFrames, samples, b);
        b.append("\nHottest paygate code (first io.paygate frame on the sampled stack):\n");
        top(paygateFrames, samples, b);
        blocked.forEach((type, where) -> {
            b.append("\n").append(type).append(" (total ms, by first non-JDK frame):\n");
            where.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(TOP)
                    .forEach(en -> b.append(String.format("  %10d  %s%n", en.getValue(), en.getKey())));
        });
        return b.toString();
    }

    private static void top(Map<String, Long> counts, long total, StringBuilder b) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(TOP)
                .forEach(en -> b.append(String.format("  %5.1f%%  %s%n", 100.0 * en.getValue() / Math.max(1, total), en.getKey())));
    }

    private static String first(RecordedStackTrace stack, Function<String, Boolean> wanted) {
        if (stack == null) {
            return "(no stack)";
        }
        List<RecordedFrame> frames = stack.getFrames();
        for (RecordedFrame f : frames) {
            String name = frame(f);
            if (wanted.apply(name)) {
                return name;
            }
        }
        return frames.isEmpty() ? "(empty)" : frame(frames.get(0));
    }

    private static String library(String frame) {
        for (String prefix : List.of("io.paygate.", "org.h2.", "org.apache.activemq.", "org.apache.camel.", "io.netty.",
                "io.vertx.", "com.fasterxml.", "org.apache.logging.", "org.apache.hc.", "org.springframework.", "com.zaxxer.",
                "org.messaginghub.", "java.", "jdk.", "sun.")) {
            if (frame.startsWith(prefix)) {
                return prefix + "*";
            }
        }
        return "other";
    }

    private static String frame(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
