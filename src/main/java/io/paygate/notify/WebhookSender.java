package io.paygate.notify;

import io.paygate.security.CallbackUrlGuard;
import io.paygate.security.Signatures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * POSTs one webhook. The target is checked by {@link CallbackUrlGuard} right before sending and
 * the connection goes only to the addresses that check resolved and accepted (the client has
 * no resolver of its own), so a name that re-resolves to an internal address in between cannot
 * redirect it. Redirects are not followed; the receiver's body is never read.
 */
public class WebhookSender {

    public static final String EVENT_ID = "Paygate-Event-Id";

    private final CallbackUrlGuard guard;
    private final Duration connectTimeout;
    private final Duration responseTimeout;

    public WebhookSender(CallbackUrlGuard guard, Duration connectTimeout, Duration responseTimeout) {
        this.guard = guard;
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
    }

    /** How long one attempt can take at most (a claim's lease must outlast it). */
    public Duration longestAttempt() {
        return connectTimeout.plus(responseTimeout);
    }

    public WebhookAttempt send(Webhook webhook, String secret) {
        long started = System.nanoTime();
        List<InetAddress> addresses;
        try {
            addresses = guard.addressesToConnect(webhook.merchantId(), webhook.targetUrl());
        } catch (CallbackUrlGuard.Refused e) {
            return WebhookAttempt.failed("refused: " + e.getMessage(), elapsed(started));
        } catch (UnknownHostException e) {
            return WebhookAttempt.failed("host not found", elapsed(started));
        }
        byte[] body = webhook.payload().getBytes(StandardCharsets.UTF_8);
        HttpPost post = new HttpPost(URI.create(webhook.targetUrl()));
        post.setHeader(Signatures.HEADER, Signatures.header(secret, Instant.now().getEpochSecond(), body));
        post.setHeader(EVENT_ID, webhook.id());
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        try (CloseableHttpClient client = pinnedClient(addresses.toArray(InetAddress[]::new))) {
            CloseableHttpResponse response = client.execute(post);
            int status = response.getCode();
            // Not reading the body: a receiver cannot keep this sender busy by streaming one.
            response.close(CloseMode.IMMEDIATE);
            return WebhookAttempt.answered(status, elapsed(started));
        } catch (IOException e) {
            return WebhookAttempt.failed(e.getClass().getSimpleName(), elapsed(started));
        }
    }

    /** A client for one delivery that can only connect to {@code addresses}. */
    private CloseableHttpClient pinnedClient(InetAddress[] addresses) {
        DnsResolver checkedOnly = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) {
                return addresses.clone();
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(checkedOnly)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout))
                                .setSocketTimeout(Timeout.of(responseTimeout))
                                .build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(responseTimeout)).build())
                .setUserAgent("paygate-webhooks")
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .build();
    }

    private static long elapsed(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
