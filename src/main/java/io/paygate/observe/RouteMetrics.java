package io.paygate.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.eventnotifier.MicrometerRouteEventNotifier;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyNamingStrategy;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Camel's per-route metrics under Camel's own names and tags ({@code camel_route_policy_seconds},
 * {@code camel_exchanges_total}, {@code _succeeded}, {@code _failed}, {@code _failures_handled},
 * {@code _external_redeliveries}, all with {@code routeId}), plus {@code camel_exchanges_inflight}
 * per route, which Camel only offers with a timer per exchange event.
 * <p>
 * Why not camel-micrometer's route policy: it names the timer's sample on the exchange with
 * {@code String.format} twice per route an exchange passes through (every order passes through
 * six): under load that was 6 % of paygate's allocation samples and about 2 % of its CPU. Here the name
 * is fixed per route: an exchange is in a route once at a time (no paygate route calls itself),
 * and a copy of it carries its own properties.
 */
public final class RouteMetrics implements RoutePolicyFactory {

    private static final MicrometerRoutePolicyNamingStrategy NAMES = MicrometerRoutePolicyNamingStrategy.DEFAULT;

    private final PaygateMetrics metrics;

    private RouteMetrics(PaygateMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Every route created after this call gets its metrics. Camel's route event notifier (the
     * {@code camel_routes_*} gauges) is told to ignore exchange events, which it never counts:
     * otherwise Camel builds an event object for it at every step of every exchange, only for the
     * notifier to turn it down.
     */
    public static void install(CamelContext context, PaygateMetrics metrics) throws Exception {
        context.addRoutePolicyFactory(new RouteMetrics(metrics));
        context.addStartupListener((CamelContext started, boolean alreadyStarted) -> {
            for (EventNotifier notifier : started.getManagementStrategy().getEventNotifiers()) {
                if (notifier instanceof MicrometerRouteEventNotifier routeEvents) {
                    routeEvents.setIgnoreExchangeEvents(true);
                }
            }
        });
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        return new Policy(metrics);
    }

    private static final class Policy extends RoutePolicySupport {

        private final PaygateMetrics metrics;
        private volatile Meters meters;

        Policy(PaygateMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void onStart(Route route) {
            // the registry exists once the metrics service has started, which is before any route
            if (meters == null) {
                meters = new Meters(metrics.registry(), route);
            }
        }

        @Override
        public void onRemove(Route route) {
            Meters m = meters;
            meters = null;
            if (m != null) {
                m.remove();
            }
        }

        @Override
        public void onExchangeBegin(Route route, Exchange exchange) {
            Meters m = meters;
            if (m != null) {
                exchange.setProperty(m.sampleKey, Timer.start(m.registry));
            }
        }

        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
            Meters m = meters;
            if (m == null) {
                return;
            }
            if (exchange.removeProperty(m.sampleKey) instanceof Timer.Sample sample) {
                sample.stop(m.timer);
            }
            m.total.increment();
            if (exchange.isFailed()) {
                m.failed.increment();
                return;
            }
            m.succeeded.increment();
            if (ExchangeHelper.isFailureHandled(exchange)) {
                m.failuresHandled.increment();
            }
            if (exchange.isExternalRedelivered()) {
                m.externalRedeliveries.increment();
            }
        }
    }

    /** One route's meters, registered when the route starts. */
    private static final class Meters {
        final MeterRegistry registry;
        final String sampleKey;
        final Timer timer;
        final Counter total;
        final Counter succeeded;
        final Counter failed;
        final Counter failuresHandled;
        final Counter externalRedeliveries;
        final Gauge inflight;

        Meters(MeterRegistry registry, Route route) {
            this.registry = registry;
            this.sampleKey = "paygateRouteTimer-" + route.getId();
            Tags tags = NAMES.getTags(route);
            Tags statusTags = NAMES.getExchangeStatusTags(route);
            timer = Timer.builder(NAMES.getName(route)).tags(tags).description("Route performance metrics")
                    .register(registry);
            total = counter(registry, NAMES.getExchangesTotalName(route), statusTags, "Total number of processed exchanges");
            succeeded = counter(registry, NAMES.getExchangesSucceededName(route), statusTags,
                    "Number of successfully completed exchanges");
            failed = counter(registry, NAMES.getExchangesFailedName(route), statusTags, "Number of failed exchanges");
            failuresHandled = counter(registry, NAMES.getFailuresHandledName(route), statusTags,
                    "Number of failures handled");
            externalRedeliveries = counter(registry, NAMES.getExternalRedeliveriesName(route), statusTags,
                    "Number of external initiated redeliveries (such as from JMS broker)");
            String routeId = route.getId();
            CamelContext context = route.getCamelContext();
            inflight = Gauge.builder(MicrometerConstants.DEFAULT_CAMEL_ROUTES_EXCHANGES_INFLIGHT,
                            () -> context.getInflightRepository().size(routeId))
                    .tags(tags).description("Route inflight messages").register(registry);
        }

        private static Counter counter(MeterRegistry registry, String name, Tags tags, String description) {
            return Counter.builder(name).tags(tags).description(description).register(registry);
        }

        void remove() {
            for (Meter m : List.of(timer, total, succeeded, failed, failuresHandled, externalRedeliveries, inflight)) {
                registry.remove(m);
            }
        }
    }
}
