package io.paygate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The benchmark's table: one row per target and load, with ratios to the baselines of the same load. */
final class Report {

    private Report() {
    }

    static List<RunResult> withRatios(List<RunResult> results) {
        List<RunResult> out = new ArrayList<>();
        for (RunResult r : results) {
            out.add(r.withRatios(ratio(r, find(results, "simulator", r.load())), ratio(r, find(results, "proxy", r.load()))));
        }
        return out;
    }

    static String table(List<RunResult> results) {
        StringBuilder b = new StringBuilder();
        b.append("| target | load | warm-up s | orders/s | p50 ms | p95 ms | p99 ms | max ms | CPU cores | peak RSS MiB | errors | 202s | lost | double charges | x simulator | x proxy |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult r : results) {
            b.append(String.format("| %s | %s | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %.2f | %.0f | %d | %d | %d | %d | %s | %s |%n",
                    r.target(), r.load().equals("full") ? "full speed" : "fixed rate", r.warmupSeconds(), r.ordersPerSecond(), r.p50Ms(),
                    r.p95Ms(), r.p99Ms(), r.maxMs(), r.cpuCores(), r.peakRssMiB(), r.errors(), r.answered202(), r.lost(),
                    r.doubleCharges(), format(r.ratioToSimulator()), format(r.ratioToProxy())));
        }
        return b.toString();
    }

    private static Optional<RunResult> find(List<RunResult> results, String target, String load) {
        return results.stream().filter(r -> r.target().equals(target) && r.load().equals(load)).findFirst();
    }

    private static Double ratio(RunResult r, Optional<RunResult> baseline) {
        return baseline.filter(b -> b.ordersPerSecond() > 0)
                .map(b -> Math.round(r.ordersPerSecond() / b.ordersPerSecond() * 1000.0) / 1000.0)
                .orElse(null);
    }

    private static String format(Double ratio) {
        return ratio == null ? "-" : String.format("%.3f", ratio);
    }
}
