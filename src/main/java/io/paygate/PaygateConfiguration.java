package io.paygate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.paygate.api.ApiDocs;
import io.paygate.api.Problems;
import io.paygate.api.RequestGuards;
import io.paygate.broker.BrokerHealthCheck;
import io.paygate.broker.DeadLetters;
import io.paygate.broker.EmbeddedBroker;
import io.paygate.broker.JmsConnections;
import io.paygate.broker.JmsHeaderGuard;
import io.paygate.broker.JmsInbound;
import io.paygate.database.Database;
import io.paygate.database.DatabaseHealthCheck;
import io.paygate.database.DatabaseSetup;
import io.paygate.order.Dispatcher;
import io.paygate.order.Housekeeping;
import io.paygate.order.IdempotencyKeys;
import io.paygate.order.OrderIntake;
import io.paygate.order.OrderLifecycle;
import io.paygate.order.OrderStore;
import io.paygate.order.OrderValidator;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.ProviderDirectory;
import io.paygate.security.MerchantAuthenticator;
import io.paygate.security.MerchantDirectory;
import io.paygate.simulator.ProviderSimulator;
import io.paygate.simulator.SimulatorSettings;
import io.vertx.core.VertxOptions;
import java.io.File;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
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
        io.paygate.api.StorefrontServer.configure(context, settings);
        Registry registry = context.getRegistry();
        File dataDir = new File(settings.string("paygate.data.dir", "./data")).getAbsoluteFile();

        // Database: H2 file under the data dir unless a JDBC URL is configured.
        String dbUrl = settings.optional("paygate.db.url")
                .orElse("jdbc:h2:file:" + new File(dataDir, "db/paygate").getPath() + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        HikariDataSource dataSource = DatabaseSetup.open(dbUrl, settings.string("paygate.db.user", "sa"),
                settings.string("paygate.db.password", ""), settings.integer("paygate.db.pool-size", 20));
        context.addService(closing(dataSource::close));
        registry.bind("dataSource", dataSource);
        Database database = new Database(dataSource);

        // Broker: in-JVM with KahaDB, or an external one.
        boolean embedded = settings.bool("paygate.broker.embedded", true);
        String brokerUser = settings.string("paygate.broker.user", "");
        String brokerPassword = settings.string("paygate.broker.password", "");
        String brokerUrl;
        if (embedded) {
            EmbeddedBroker broker = new EmbeddedBroker(settings.string("paygate.broker.name", "paygate"),
                    new File(dataDir, "broker"),
                    settings.string("paygate.broker.host", "127.0.0.1"), settings.integer("paygate.broker.port", 61616),
                    brokerUser, brokerPassword);
            broker.start();
            context.addService(broker);
            registry.bind("embeddedBroker", broker);
            brokerUrl = broker.vmUrl();
        } else {
            brokerUrl = settings.string("paygate.broker.url");
        }
        JmsPoolConnectionFactory connectionFactory = JmsConnections.pooled(brokerUrl, brokerUser, brokerPassword,
                settings.integer("paygate.broker.connections", 4));
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
        OrderStore store = new OrderStore(database);
        OrderLifecycle lifecycle = new OrderLifecycle(store);
        Duration retention = settings.duration("paygate.idempotency.retention", Duration.ofHours(24));
        if (retention.compareTo(Duration.ofHours(24)) < 0) {
            // The storefront contract promises a retry within 24 h is recognised.
            throw new IllegalStateException("paygate.idempotency.retention must be at least 24h, not " + retention);
        }
        IdempotencyKeys keys = new IdempotencyKeys(database, retention);
        ProviderDirectory providers = new ProviderDirectory(context);
        MerchantDirectory merchants = MerchantDirectory.fromSettings(settings);

        registry.bind("orderLifecycle", lifecycle);
        registry.bind("providerDirectory", providers);
        registry.bind("merchantDirectory", merchants);
        registry.bind("requestGuards", new RequestGuards(settings.longValue("paygate.api.max-body-bytes", 65536)));
        registry.bind("problems", new Problems(json, settings.integer("paygate.api.retry-after-seconds", 5)));
        registry.bind("merchantAuthenticator", new MerchantAuthenticator(merchants));
        registry.bind("orderIntake", new OrderIntake(json, validator(settings, providers), lifecycle, keys,
                settings.duration("paygate.sync-wait", Duration.ofSeconds(5))));
        registry.bind("dispatcher", new Dispatcher(json, lifecycle, providers,
                settings.integer("paygate.dispatch.max-attempts", 3),
                settings.duration("paygate.dispatch.retry-delay", Duration.ofSeconds(2))));
        registry.bind("providerCalls", new ProviderCalls(json, lifecycle));
        registry.bind("jmsInbound", new JmsInbound());
        registry.bind("apiDocs", new ApiDocs());
        registry.bind("deadLetters", new DeadLetters());
        registry.bind("adminAuthenticator", new io.paygate.security.AdminAuthenticator(
                settings.string("paygate.admin.token", "")));
        registry.bind("auditTap", new io.paygate.audit.AuditTap());
        registry.bind("auditTrail", new io.paygate.audit.AuditTrail());
        registry.bind("housekeeping", new Housekeeping(store, keys,
                settings.duration("paygate.sweeper.received-age", Duration.ofSeconds(60))));

        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        health.register(new DatabaseHealthCheck(dataSource));
        health.register(new BrokerHealthCheck(connectionFactory));

        if (settings.bool("paygate.sim.enabled", false)) {
            ProviderSimulator simulator = new ProviderSimulator(SimulatorSettings.fromProperties(settings::optional),
                    connectionFactory);
            simulator.start();
            context.addService(closing(simulator::stop));
            registry.bind("providerSimulator", simulator);
        }
    }

    private static OrderValidator validator(Settings settings, ProviderDirectory providers) {
        Map<String, BigDecimal> perCurrency = new HashMap<>();
        for (String entry : settings.list("paygate.orders.max-amount-per-currency", "")) {
            String[] parts = entry.split(":", 2);
            perCurrency.put(parts[0].trim(), new BigDecimal(parts[1].trim()));
        }
        return new OrderValidator(new BigDecimal(settings.string("paygate.orders.max-amount", "1000000")), perCurrency,
                new LinkedHashSet<>(settings.list("paygate.orders.payment-method-types", "card_token")),
                providers::exists);
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
