package io.paygate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Timer;
import io.paygate.api.ApiDocs;
import io.paygate.api.Problems;
import io.paygate.api.RequestGuards;
import io.paygate.broker.BrokerCredentials;
import io.paygate.broker.BrokerHealthCheck;
import io.paygate.broker.DeadLetters;
import io.paygate.broker.EmbeddedBroker;
import io.paygate.broker.JmsConnections;
import io.paygate.broker.JmsHeaderGuard;
import io.paygate.broker.JmsInbound;
import io.paygate.database.Database;
import io.paygate.database.DatabaseHealthCheck;
import io.paygate.database.DatabaseSetup;
import io.paygate.order.Housekeeping;
import io.paygate.order.IdempotencyKeys;
import io.paygate.order.OrderIntake;
import io.paygate.order.OrderLifecycle;
import io.paygate.order.OrderStore;
import io.paygate.order.OrderValidator;
import io.paygate.provider.CircuitStates;
import io.paygate.provider.Dispatcher;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.ProviderDirectory;
import io.paygate.provider.ProviderPolicies;
import io.paygate.security.DataDirectory;
import io.paygate.security.MerchantAuthenticator;
import io.paygate.security.MerchantDirectory;
import io.paygate.security.ProductionChecks;
import io.paygate.simulator.ProviderSimulator;
import io.paygate.simulator.SimulatorSettings;
import io.vertx.core.VertxOptions;
import java.io.File;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;

/**
 * Wires paygate's parts from config/application.properties: database, broker, JMS, the beans
 * the YAML routes call, health checks and the provider simulator. Nothing else creates them.
 */
public class PaygateConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        settings.checkValuesReadByCamel();
        ProductionChecks.enforce(settings);
        io.paygate.api.StorefrontServer.configure(context, settings);
        Registry registry = context.getRegistry();
        io.paygate.observe.OrderLogContext.install(context);
        File dataDir = new File(settings.string("paygate.data.dir", "./data")).getAbsoluteFile();
        DataDirectory.secure(context, dataDir);

        // Database: H2 file under the data dir unless a JDBC URL is configured.
        String groupCommitSetting = settings.string("paygate.db.group-commit", "auto");
        Optional<String> configuredUrl = settings.optional("paygate.db.url");
        boolean groupCommit = groupCommitSetting.equals("auto")
                ? configuredUrl.map(u -> u.startsWith("jdbc:h2:")).orElse(true)
                : Settings.parseBoolean("paygate.db.group-commit", groupCommitSetting);
        // Without group commit the embedded H2 must write each commit before it returns (WRITE_DELAY=0).
        // AUTO_COMPACT_FILL_RATE=50: H2 moves live pages out of sparse chunks only when the store is
        // idle (or its free space is too scattered for a new chunk), not under load. Its default, 90,
        // does it under load too, holding the store meanwhile, so the group write, and every order
        // waiting for it, waits as well (README "Performance", item 13).
        String dbUrl = configuredUrl.orElse("jdbc:h2:file:" + new File(dataDir, "db/paygate").getPath()
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=" + (groupCommit ? 1000 : 0) + ";AUTO_COMPACT_FILL_RATE=50");
        HikariDataSource dataSource = DatabaseSetup.open(dbUrl, settings.string("paygate.db.user", "sa"),
                settings.string("paygate.db.password", ""), settings.integer("paygate.db.pool-size", 20));
        context.addService(closing(dataSource::close));
        registry.bind("dataSource", dataSource);
        // The embedded H2 commits in memory (WRITE_DELAY); GroupCommit makes every caller wait until
        // a write of the file holds its commit, one write for many commits (PostgreSQL groups its
        // WAL flushes itself).
        boolean forceToDisk = settings.bool("paygate.db.sync", true);
        Database database = new Database(dataSource, groupCommit
                ? settings.duration("paygate.db.group-commit-interval", Duration.ofMillis(5)) : null, forceToDisk);
        context.addService(closing(database::close));
        registry.bind("database", database);

        // Broker: in-JVM with KahaDB, or an external one.
        boolean embedded = settings.bool("paygate.broker.embedded", true);
        BrokerCredentials brokerCredentials = BrokerCredentials.fromSettings(settings,
                embedded ? new File(dataDir, "broker").toPath() : null);
        registry.bind("brokerCredentials", brokerCredentials);
        String brokerUrl;
        if (embedded) {
            EmbeddedBroker broker = new EmbeddedBroker(settings.string("paygate.broker.name", "paygate"),
                    new File(dataDir, "broker"),
                    settings.string("paygate.broker.host", "127.0.0.1"), settings.integer("paygate.broker.port", 61616),
                    brokerCredentials);
            broker.start();
            context.addService(broker);
            registry.bind("embeddedBroker", broker);
            brokerUrl = broker.vmUrl();
        } else {
            brokerUrl = settings.string("paygate.broker.url");
        }
        JmsPoolConnectionFactory connectionFactory = JmsConnections.pooled(settings, brokerUrl, brokerCredentials);
        context.addService(closing(connectionFactory::stop));
        JmsComponent jms = JmsComponent.jmsComponent(connectionFactory);
        jms.setHeaderFilterStrategy(new JmsHeaderGuard());
        // Camel must not turn bodies into Java objects (an ObjectMessage would be deserialised
        // before any route step runs); JmsInbound reads the text itself.
        jms.getConfiguration().setMapJmsMessage(false);
        registry.bind("jms", jms);

        // Each POST may hold a Vert.x worker thread for up to the sync wait; size the pool for that.
        registry.bind("vertxOptions", new VertxOptions()
                .setWorkerPoolSize(settings.integer("paygate.http.worker-threads", 200)));

        ObjectMapper json = jsonMapper();
        io.paygate.observe.PaygateMetrics metrics = new io.paygate.observe.PaygateMetrics(context);
        // Camel's route metrics under Camel's names, without its per-exchange String.format
        // (camel.metrics.enableRoutePolicy=false leaves them to this)
        io.paygate.observe.RouteMetrics.install(context, metrics);
        OrderStore store = new OrderStore(database);
        store.addTransitionHook((connection, from, after) -> {
            if (after.status().isFinal() || after.status() == io.paygate.order.OrderStatus.UNKNOWN) {
                metrics.orderSettled(after.status().name(), after.provider());
            }
        });
        OrderLifecycle lifecycle = new OrderLifecycle(store);
        Duration retention = settings.duration("paygate.idempotency.retention", Duration.ofHours(24));
        if (retention.compareTo(Duration.ofHours(24)) < 0) {
            // The storefront contract promises a retry within 24 h is recognised.
            throw new IllegalStateException("paygate.idempotency.retention must be at least 24h, not " + retention);
        }
        IdempotencyKeys keys = new IdempotencyKeys(database, retention);
        ProviderDirectory providers = new ProviderDirectory(context);
        MerchantDirectory merchants = MerchantDirectory.fromSettings(settings);
        io.paygate.security.CallbackUrlGuard callbackUrls = io.paygate.security.CallbackUrlGuard.fromSettings(settings);

        registry.bind("orderLifecycle", lifecycle);
        registry.bind("providerDirectory", providers);
        registry.bind("merchantDirectory", merchants);
        registry.bind("requestGuards", new RequestGuards(settings.longValue("paygate.api.max-body-bytes", 65536)));
        Problems problems = new Problems(json, settings.integer("paygate.api.retry-after-seconds", 5));
        registry.bind("problems", problems);
        // the late answers of POSTs whose first attempt outlasts the sync wait (a slow provider)
        io.paygate.api.SyncWait syncWait = new io.paygate.api.SyncWait(
                settings.duration("paygate.sync-wait", Duration.ofSeconds(5)), 2);
        context.addService(closing(syncWait::close));
        registry.bind("merchantAuthenticator", new MerchantAuthenticator(merchants));
        registry.bind("orderIntake", new OrderIntake(json, validator(settings, providers, callbackUrls::refusal), lifecycle, keys,
                syncWait, problems, metrics));
        CircuitStates circuits = new CircuitStates(context, providers);
        registry.bind("circuitStates", circuits);
        ProviderPolicies policies = new ProviderPolicies();
        registry.bind("dispatcher", new Dispatcher(json, lifecycle, providers, circuits, metrics, policies,
                () -> context.getRouteController().getRouteStatus("first-attempt") == ServiceStatus.Started));
        registry.bind("providerPolicies", policies);
        registry.bind("callSlots", new io.paygate.provider.CallSlots(
                settings.longValue("paygate.provider.http.call-slot-wait-ms", 100)));
        registry.bind("reconciler", new io.paygate.reconcile.Reconciler(lifecycle,
                settings.duration("paygate.reconcile.check-lease", Duration.ofSeconds(60)),
                settings.integer("paygate.reconcile.batch", 100)));
        registry.bind("providerCalls", new ProviderCalls(json, lifecycle, brokerCredentials.paygateUser(), metrics));
        registry.bind("jmsInbound", new JmsInbound());
        registry.bind("apiDocs", new ApiDocs());
        registry.bind("deadLetters", new DeadLetters());
        registry.bind("adminAuthenticator", new io.paygate.security.AdminAuthenticator(
                settings.string("paygate.admin.token", "")));
        io.paygate.audit.AuditWiring.bind(context, settings, dataSource, store, connectionFactory, json);
        registry.bind("housekeeping", new Housekeeping(store, keys,
                settings.duration("paygate.sweeper.received-age", Duration.ofSeconds(60))));
        io.paygate.operations.Operations.bind(registry, json, lifecycle, database, connectionFactory);

        io.paygate.notify.Notifications.wire(context, settings, store, merchants, callbackUrls, json);

        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        health.register(new DatabaseHealthCheck(dataSource));
        health.register(new BrokerHealthCheck(connectionFactory));
        health.register(new io.paygate.provider.CircuitHealthCheck(circuits));
        io.paygate.observe.OperationalGauges.register(context, metrics, database, connectionFactory, circuits, providers);
        if (groupCommit) {
            Timer groupWrites = metrics.groupWriteTimer(forceToDisk);
            database.onGroupWrite(nanos -> groupWrites.record(nanos, TimeUnit.NANOSECONDS));
        }
        context.addStartupListener((started, alreadyStarted) -> circuits.recordTransitions());

        if (settings.bool("paygate.sim.enabled", false)) {
            SimulatorSettings simulatorSettings = SimulatorSettings.fromProperties(settings::optional);
            // the simulator logs in as the provider it plays, never with paygate's own connections
            ProviderSimulator simulator = new ProviderSimulator(simulatorSettings, JmsConnections.asSimulatedProvider(
                    settings, brokerUrl, brokerCredentials, simulatorSettings.jmsProviders().keySet()));
            simulator.start();
            context.addService(closing(simulator::stop));
            registry.bind("providerSimulator", simulator);
        }
    }

    private static OrderValidator validator(Settings settings, ProviderDirectory providers,
                                            OrderValidator.CallbackUrls callbackUrls) {
        Map<String, BigDecimal> perCurrency = new HashMap<>();
        for (String entry : settings.list("paygate.orders.max-amount-per-currency", "")) {
            String[] parts = entry.split(":", 2);
            perCurrency.put(parts[0].trim(), new BigDecimal(parts[1].trim()));
        }
        return new OrderValidator(new BigDecimal(settings.string("paygate.orders.max-amount", "1000000")), perCurrency,
                new LinkedHashSet<>(settings.list("paygate.orders.payment-method-types", "card_token")),
                providers::exists, callbackUrls);
    }

    /** JSON as clients may send it: bounded depth and sizes, no duplicate keys, no trailing garbage. */
    static ObjectMapper jsonMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(32)
                        .maxNumberLength(64)
                        .maxStringLength(65536)
                        .build())
                .build();
        ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        return mapper;
    }

    /** A Camel service that only does something when the context stops. */
    private static ServiceSupport closing(Runnable onStop) {
        return new ServiceSupport() {
            @Override
            protected void doStop() {
                onStop.run();
            }
        };
    }
}
