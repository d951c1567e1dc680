package io.paygate.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.api.ApiProblem;
import io.paygate.api.HttpAnswers;
import io.paygate.audit.AuditNote;
import io.paygate.audit.AuditNotes;
import io.paygate.order.OrderStore;
import io.paygate.security.Merchant;
import io.paygate.security.MerchantDirectory;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of routes/notify.yaml that need Java: claim due webhooks, send one, record how it
 * went (delivered, next attempt, or given up), and the operator's list and re-send.
 */
public class Webhooks {

    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    /** Exchange property: the webhook being sent. */
    public static final String WEBHOOK = "paygateWebhook";
    /** A claim outlives the longest attempt by this much, so a live sender never loses its claim. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);

    private final WebhookOutbox outbox;
    private final WebhookSender sender;
    private final MerchantDirectory merchants;
    private final RetrySchedule schedule;
    private final int batchSize;
    private final ObjectMapper json;

    public Webhooks(WebhookOutbox outbox, WebhookSender sender, MerchantDirectory merchants, RetrySchedule schedule,
                    int batchSize, ObjectMapper json) {
        this.outbox = outbox;
        this.sender = sender;
        this.merchants = merchants;
        this.schedule = schedule;
        this.batchSize = batchSize;
        this.json = json;
    }

    /** The due webhooks this node claimed; no other node sends them while the claim lasts. */
    public List<Webhook> claimDue() throws SQLException {
        return outbox.claimDue(batchSize, sender.longestAttempt().plus(LEASE_MARGIN));
    }

    /** Signs the webhook with its merchant's secret and POSTs it; the body becomes the {@link WebhookAttempt}. */
    public void send(Exchange exchange) {
        Webhook webhook = exchange.getIn().getBody(Webhook.class);
        exchange.setProperty(WEBHOOK, webhook);
        Optional<Merchant> merchant = merchants.find(webhook.merchantId());
        exchange.getIn().setBody(merchant.isEmpty()
                ? WebhookAttempt.failed("merchant " + webhook.merchantId() + " is no longer configured", 0)
                : sender.send(webhook, merchant.get().webhookSecret()));
    }

    /** Delivered on a 2xx; otherwise the next attempt after the schedule's delay, or FAILED after the last. */
    public void record(Exchange exchange) throws SQLException {
        Webhook webhook = exchange.getProperty(WEBHOOK, Webhook.class);
        WebhookAttempt attempt = exchange.getIn().getBody(WebhookAttempt.class);
        int attemptNumber = webhook.attempts() + 1;
        OffsetDateTime next = attempt.delivered() ? null
                : schedule.after(attemptNumber).map(delay -> OrderStore.now().plus(delay)).orElse(null);
        String outcome;
        if (attempt.delivered()) {
            outcome = "delivered";
        } else if (next != null) {
            outcome = "retry at " + next;
        } else {
            outcome = "failed after " + attemptNumber + " attempts";
        }
        if (!outbox.recordAttempt(webhook, attempt, next)) {
            LOG.warn("webhook {}: claim lost while sending (another sender took it over)", webhook.id());
            return;
        }
        LOG.info("webhook {} for order {} ({}) attempt {}: {}{}", webhook.id(), webhook.orderReference(),
                webhook.orderStatus(), attemptNumber, attempt.delivered() ? "" : attempt.error() + "; ", outcome);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("event", webhook.id());
        detail.put("orderStatus", webhook.orderStatus());
        detail.put("httpStatus", attempt.httpStatus());
        if (attempt.error() != null) {
            detail.put("error", attempt.error());
        }
        AuditNotes.add(exchange, AuditNote.of("webhook-attempt", webhook.orderReference(), webhook.merchantId())
                .attempt(attemptNumber).outcome(outcome).latencyMs(attempt.latencyMs()).detail(detail));
    }

    /** {@code GET /api/admin/webhooks?failed}: webhooks that gave up, newest first ({@code ?state=} for others). */
    public void list(Exchange exchange) throws Exception {
        String stateParam = exchange.getIn().getHeader("state", String.class);
        Webhook.State state;
        try {
            state = stateParam == null ? Webhook.State.FAILED : Webhook.State.valueOf(stateParam.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalid("state", "must be one of PENDING, DELIVERED, FAILED");
        }
        List<Map<String, Object>> rows = outbox.inState(state, 500).stream().map(Webhooks::view).toList();
        HttpAnswers.write(exchange, 200, HttpAnswers.JSON, json.writeValueAsString(rows), Map.of());
    }

    /** {@code POST /api/admin/webhooks/{id}/resend}: due again now, with a fresh retry schedule. */
    public void resend(Exchange exchange) throws Exception {
        String id = exchange.getIn().getHeader("id", String.class);
        Webhook webhook = (id == null ? Optional.<Webhook>empty() : outbox.find(id))
                .orElseThrow(() -> new ApiProblem(404, "not-found", "Webhook not found", "no webhook with this id"));
        if (!outbox.resend(webhook.id())) {
            throw new ApiProblem(409, "webhook-pending", "Webhook already pending",
                    "webhook " + webhook.id() + " is already waiting for its next attempt");
        }
        LOG.info("webhook {} for order {} re-sent by {}", webhook.id(), webhook.orderReference(),
                exchange.getProperty(io.paygate.security.AdminAuthenticator.OPERATOR, String.class));
        AuditNotes.add(exchange, AuditNote.of("webhook-resend", webhook.orderReference(), webhook.merchantId())
                .outcome("pending").detail(Map.of("event", webhook.id(), "operator",
                        exchange.getProperty(io.paygate.security.AdminAuthenticator.OPERATOR, "admin", String.class))));
        HttpAnswers.write(exchange, 202, HttpAnswers.JSON,
                json.writeValueAsString(view(outbox.find(webhook.id()).orElseThrow())), Map.of());
    }

    static Map<String, Object> view(Webhook w) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", w.id());
        v.put("orderReference", w.orderReference());
        v.put("merchantId", w.merchantId());
        v.put("orderStatus", w.orderStatus());
        v.put("targetUrl", w.targetUrl());
        v.put("state", w.state().name());
        v.put("attempts", w.attempts());
        v.put("lastStatus", w.lastStatus());
        v.put("lastError", w.lastError());
        v.put("nextAttemptAt", w.state() == Webhook.State.PENDING ? String.valueOf(w.nextAttemptAt()) : null);
        v.put("createdAt", String.valueOf(w.createdAt()));
        v.put("updatedAt", String.valueOf(w.updatedAt()));
        v.put("deliveredAt", w.deliveredAt() == null ? null : w.deliveredAt().toString());
        return v;
    }
}
