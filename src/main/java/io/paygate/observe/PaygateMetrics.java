package io.paygate.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;

/**
 * paygate's own metrics, next to Camel's route and JVM metrics at /observe/metrics (Prometheus).
 * The names are listed in the README ("Metrics"); docker/grafana/paygate.json charts them.
 * The registry is the one camel-micrometer-prometheus exposes, looked up when first needed.
 */
public class PaygateMetrics {

    private final CamelContext context;
    private volatile MeterRegistry registry;

    public PaygateMetrics(CamelContext context) {
        this.context = context;
    }

    /** An order reached a final state (APPROVED, DECLINED, FAILED) or UNKNOWN. */
    public void orderSettled(String status, String provider) {
        Counter.builder("paygate.orders.final").description("Orders by the state they reached")
                .tag("status", status).tag("provider", provider == null ? "none" : provider)
                .register(registry()).increment();
    }

    /** One provider call (payment or status query) and how long it took. */
    public void providerCall(String provider, String call, String outcome, Duration took) {
        Timer.builder("paygate.provider.call").description("Provider call latency")
                .tag("provider", provider).tag("call", call).tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry()).record(took);
    }

    /** The embedded H2's group writes (with their fsync when forced): every order waits for such writes. */
    public Timer groupWriteTimer(boolean forced) {
        return Timer.builder("paygate.db.group.write").description("Group writes of the embedded H2 file, the fsync included when forced")
                .tag("forced", Boolean.toString(forced))
                .publishPercentileHistogram()
                .register(registry());
    }

    /** POST /api/orders answered 200 (final within the sync wait) or 202. */
    public void syncWait(int status) {
        Counter.builder("paygate.sync.wait").description("Order submissions answered final (200) or pending (202)")
                .tag("outcome", Integer.toString(status)).register(registry()).increment();
    }

    /** A "not processed" answer led to a retry later, or to another provider at once. */
    public void retry(String provider, boolean failover) {
        Counter.builder(failover ? "paygate.failovers" : "paygate.retries")
                .description(failover ? "Orders moved to the next provider" : "Orders retried later at the same provider")
                .tag("provider", provider == null ? "none" : provider).register(registry()).increment();
    }

    /** A gauge read when scraped (values from the database or the broker). */
    public void gauge(String name, String description, String tagKey, String tagValue, Supplier<Number> value) {
        Gauge.Builder<Supplier<Number>> b = Gauge.builder(name, value).description(description);
        if (tagKey != null) {
            b.tag(tagKey, tagValue);
        }
        b.register(registry());
    }

    MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            r = context.getRegistry().findSingleByType(MeterRegistry.class);
            if (r == null) {
                r = new SimpleMeterRegistry(); // metrics disabled: count into nowhere
            }
            registry = r;
        }
        return r;
    }
}
