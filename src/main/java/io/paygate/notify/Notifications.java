package io.paygate.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.Settings;
import io.paygate.database.Database;
import io.paygate.order.OrderStore;
import io.paygate.provider.ProviderCalls;
import io.paygate.security.CallbackUrlGuard;
import io.paygate.security.MerchantDirectory;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * Wires webhooks and provider callbacks (routes/notify.yaml, routes/callbacks.yaml): the outbox
 * as a transition hook of the order store, and the beans {@code webhooks} and
 * {@code providerCallbacks}. Called once from PaygateConfiguration.
 */
public final class Notifications {

    private Notifications() {
    }

    public static void wire(CamelContext context, Settings settings, OrderStore store, MerchantDirectory merchants,
                            CallbackUrlGuard callbackUrls, ObjectMapper json) {
        Registry registry = context.getRegistry();
        Database database = registry.lookupByNameAndType("database", Database.class);

        WebhookOutbox outbox = new WebhookOutbox(database, callbackUrls, json);
        store.addTransitionHook(outbox);
        registry.bind("webhookOutbox", outbox);
        RetrySchedule schedule = new RetrySchedule(settings.list("paygate.webhooks.retry-delays", "10s,1m,5m,30m,2h,6h")
                .stream().map(Settings::parseDuration).toList());
        WebhookSender sender = new WebhookSender(callbackUrls,
                settings.duration("paygate.webhooks.connect-timeout", Duration.ofSeconds(2)),
                settings.duration("paygate.webhooks.response-timeout", Duration.ofSeconds(10)));
        registry.bind("webhooks", new Webhooks(outbox, sender, merchants, schedule,
                settings.integer("paygate.webhooks.batch-size", 20), json));

        ProviderCalls providerCalls = registry.lookupByNameAndType("providerCalls", ProviderCalls.class);
        if (providerCalls == null) {
            throw new IllegalStateException("providerCalls must be bound before notifications are wired");
        }
        registry.bind("providerCallbacks", new ProviderCallbacks(database, name -> callbackSecret(settings, name),
                providerCalls, settings.duration("paygate.callbacks.window", Duration.ofSeconds(300)), json));
    }

    /** {@code paygate.provider.<name>.callback-secret}, or the environment's PAYGATE_PROVIDER_<NAME>_CALLBACK_SECRET. */
    static Optional<String> callbackSecret(Settings settings, String provider) {
        String env = ("PAYGATE_PROVIDER_" + provider + "_CALLBACK_SECRET").toUpperCase(Locale.ROOT).replace('-', '_');
        return settings.optional("paygate.provider." + provider + ".callback-secret")
                .or(() -> Optional.ofNullable(System.getenv(env)).map(String::trim).filter(v -> !v.isEmpty()));
    }
}
