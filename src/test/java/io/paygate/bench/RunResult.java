package io.paygate.bench;

/**
 * One target under one load. Latencies in ms (from when each request was due), CPU in cores
 * (process CPU time / wall time of the measured run), peak RSS in MiB (VmHWM), ratios are this
 * target's orders/s over the baseline's in the same run. {@code warmupSeconds}: how long the load
 * ran before the measured window (until the JIT compilers had settled, see {@link Benchmark}).
 */
record RunResult(String target, String load, double warmupSeconds, double seconds, long sent, long answered200, long answered202,
                 long errors, double ordersPerSecond, double p50Ms, double p95Ms, double p99Ms, double maxMs,
                 double cpuCores, double peakRssMiB, long accepted, long lost, long doubleCharges, String notes,
                 Double ratioToSimulator, Double ratioToProxy) {

    RunResult withRatios(Double toSimulator, Double toProxy) {
        return new RunResult(target, load, warmupSeconds, seconds, sent, answered200, answered202, errors, ordersPerSecond, p50Ms, p95Ms,
                p99Ms, maxMs, cpuCores, peakRssMiB, accepted, lost, doubleCharges, notes, toSimulator, toProxy);
    }
}
