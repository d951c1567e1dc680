package io.paygate.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.security.CallbackUrlGuard;
import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sender connects only to the addresses the guard checked: a name the system cannot even
 * resolve reaches the storefront through its checked address, and a name that re-resolves to
 * loopback between submission and sending (DNS rebinding) gets no request at all.
 */
class WebhookSenderTest {

    static StorefrontReceiver receiver;

    @BeforeAll
    static void start() throws Exception {
        receiver = new StorefrontReceiver();
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    static Webhook webhook(String url) {
        OffsetDateTime now = OffsetDateTime.now();
        return new Webhook("evt_test", "pg_test", "shop", "APPROVED", url, "{\"status\":\"APPROVED\"}",
                Webhook.State.PENDING, 0, 1, now, null, null, now, now, null);
    }

    @Test
    void theConnectionGoesToTheCheckedAddressNotToAFreshLookup() throws Exception {
        // "storefront.invalid" never resolves through the system: only the guard's answer can be used
        CallbackUrlGuard guard = new CallbackUrlGuard(Map.of("shop", new CallbackUrlGuard.Policy(
                Set.of("storefront.invalid"), true, null)), host -> new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        WebhookSender sender = new WebhookSender(guard, Duration.ofSeconds(2), Duration.ofSeconds(2));

        WebhookAttempt attempt = sender.send(webhook("http://storefront.invalid:" + receiver.port() + "/hooks/pinned"),
                "secret");

        assertThat(attempt.delivered()).as(String.valueOf(attempt.error())).isTrue();
        assertThat(receiver.requests("/hooks/pinned")).hasSize(1);
        // the storefront still sees its own host name (virtual hosts and TLS work as usual)
        assertThat(receiver.requests("/hooks/pinned").get(0).header("Host")).isEqualTo("storefront.invalid:" + receiver.port());
    }

    @Test
    void aNameThatRebindsToLoopbackAfterSubmissionGetsNoRequest() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        CallbackUrlGuard guard = new CallbackUrlGuard(Map.of("shop", new CallbackUrlGuard.Policy(
                Set.of("storefront.invalid"), false, null)), host -> lookups.getAndIncrement() == 0
                ? new InetAddress[] {InetAddress.getByName("93.184.216.34")}
                : new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        WebhookSender sender = new WebhookSender(guard, Duration.ofSeconds(2), Duration.ofSeconds(2));
        String url = "http://storefront.invalid:" + receiver.port() + "/hooks/rebound";
        assertThat(guard.refusal("shop", url)).isEmpty(); // at submission it looked public

        WebhookAttempt attempt = sender.send(webhook(url), "secret");

        assertThat(attempt.delivered()).isFalse();
        assertThat(attempt.error()).contains("refused").contains("loopback");
        assertThat(receiver.requests("/hooks/rebound")).isEmpty();
    }
}
