package io.paygate.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.database.Database;
import io.paygate.order.Order;
import io.paygate.order.OrderStatus;
import io.paygate.order.OrderStore;
import io.paygate.order.OrderViews;
import io.paygate.order.TransitionHook;
import io.paygate.security.CallbackUrlGuard;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook outbox table. Rows are written by {@link #afterMove} inside the transaction of
 * the order's state change (so the webhook commits with the state or not at all), claimed by
 * one sender at a time with a conditional update, and closed as DELIVERED or FAILED.
 */
public class WebhookOutbox implements TransitionHook {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookOutbox.class);
    /** The states a storefront is told about: the final ones, and UNKNOWN (the answer may take a while). */
    private static final Set<OrderStatus> NOTIFIED = EnumSet.of(
            OrderStatus.APPROVED, OrderStatus.DECLINED, OrderStatus.FAILED, OrderStatus.UNKNOWN);
    private static final String COLUMNS = "id, order_reference, merchant_id, order_status, target_url, payload, state,"
            + " attempts, claims, next_attempt_at, last_status, last_error, created_at, updated_at, delivered_at";

    private final Database database;
    private final CallbackUrlGuard callbackUrls;
    private final ObjectMapper json;

    public WebhookOutbox(Database database, CallbackUrlGuard callbackUrls, ObjectMapper json) {
        this.database = database;
        this.callbackUrls = callbackUrls;
        this.json = json;
    }

    /**
     * Records the webhook for the state the order just reached, in the same transaction. Its
     * target is the order's callbackUrl, else the merchant's default webhook URL; without
     * either, the storefront reads the result by polling and no row is written.
     */
    @Override
    public void afterMove(Connection c, OrderStatus from, Order after) throws SQLException {
        if (!NOTIFIED.contains(after.status())) {
            return;
        }
        String target = after.callbackUrl() != null ? after.callbackUrl()
                : callbackUrls.defaultUrl(after.merchantId()).orElse(null);
        if (target == null) {
            return;
        }
        OffsetDateTime now = OrderStore.now();
        String id = "evt_" + UUID.randomUUID().toString().replace("-", "");
        // A savepoint, so that a second row for the same (order, state) — UNKNOWN reached again —
        // is skipped without aborting the state change (PostgreSQL aborts a transaction on error).
        Savepoint savepoint = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_outbox (id, order_reference, merchant_id,"
                + " order_status, target_url, payload, state, attempts, claims, next_attempt_at, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 0, 0, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, after.reference());
            ps.setString(3, after.merchantId());
            ps.setString(4, after.status().name());
            ps.setString(5, target);
            ps.setString(6, OrderViews.json(json, after));
            ps.setObject(7, now);
            ps.setObject(8, now);
            ps.setObject(9, now);
            ps.executeUpdate();
            c.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
            c.rollback(savepoint);
            LOG.info("order {}: webhook for {} already recorded", after.reference(), after.status());
        }
    }

    /**
     * Claims up to {@code limit} due webhooks for this sender: each claim is a conditional
     * update that also pushes the next attempt past {@code lease}, so no other node takes the
     * same row while it is being sent, and a sender that dies releases it when the lease ends.
     */
    public List<Webhook> claimDue(int limit, Duration lease) throws SQLException {
        OffsetDateTime now = OrderStore.now();
        List<Webhook> due = database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM webhook_outbox"
                    + " WHERE state = 'PENDING' AND next_attempt_at <= ? ORDER BY next_attempt_at")) {
                ps.setObject(1, now);
                ps.setMaxRows(limit);
                return list(ps);
            }
        });
        List<Webhook> claimed = new ArrayList<>();
        for (Webhook w : due) {
            OffsetDateTime leaseEnd = now.plus(lease);
            boolean won = database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_outbox SET claims = claims + 1,"
                        + " next_attempt_at = ? WHERE id = ? AND claims = ? AND state = 'PENDING'")) {
                    ps.setObject(1, leaseEnd);
                    ps.setString(2, w.id());
                    ps.setInt(3, w.claims());
                    return ps.executeUpdate() == 1;
                }
            });
            if (won) {
                claimed.add(new Webhook(w.id(), w.orderReference(), w.merchantId(), w.orderStatus(), w.targetUrl(),
                        w.payload(), w.state(), w.attempts(), w.claims() + 1, leaseEnd, w.lastStatus(), w.lastError(),
                        w.createdAt(), w.updatedAt(), w.deliveredAt()));
            }
        }
        return claimed;
    }

    /**
     * Records an attempt by the holder of the latest claim: DELIVERED, PENDING again at
     * {@code nextAttempt}, or FAILED when {@code nextAttempt} is null. False when the claim was
     * lost (lease over and another sender took the row).
     */
    public boolean recordAttempt(Webhook w, WebhookAttempt attempt, OffsetDateTime nextAttempt) throws SQLException {
        OffsetDateTime now = OrderStore.now();
        Webhook.State state = attempt.delivered() ? Webhook.State.DELIVERED
                : nextAttempt == null ? Webhook.State.FAILED : Webhook.State.PENDING;
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_outbox SET state = ?, attempts = attempts + 1,"
                    + " next_attempt_at = ?, last_status = ?, last_error = ?, updated_at = ?, delivered_at = ?"
                    + " WHERE id = ? AND claims = ?")) {
                ps.setString(1, state.name());
                ps.setObject(2, nextAttempt == null ? now : nextAttempt);
                if (attempt.httpStatus() == 0) {
                    ps.setNull(3, Types.INTEGER);
                } else {
                    ps.setInt(3, attempt.httpStatus());
                }
                if (attempt.error() == null) {
                    ps.setNull(4, Types.VARCHAR);
                } else {
                    ps.setString(4, attempt.error().length() > 512 ? attempt.error().substring(0, 512) : attempt.error());
                }
                ps.setObject(5, now);
                ps.setObject(6, attempt.delivered() ? now : null);
                ps.setString(7, w.id());
                ps.setInt(8, w.claims());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Webhooks in {@code state}, newest first. */
    public List<Webhook> inState(Webhook.State state, int limit) throws SQLException {
        return database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM webhook_outbox WHERE state = ? ORDER BY updated_at DESC")) {
                ps.setString(1, state.name());
                ps.setMaxRows(limit);
                return list(ps);
            }
        });
    }

    public Optional<Webhook> find(String id) throws SQLException {
        return database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM webhook_outbox WHERE id = ?")) {
                ps.setString(1, id);
                List<Webhook> found = list(ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            }
        });
    }

    /**
     * An operator's re-send: a FAILED or DELIVERED webhook is PENDING again, due now, with a
     * fresh retry schedule. False when it is already pending.
     */
    public boolean resend(String id) throws SQLException {
        OffsetDateTime now = OrderStore.now();
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_outbox SET state = 'PENDING', attempts = 0,"
                    + " claims = claims + 1, next_attempt_at = ?, updated_at = ?"
                    + " WHERE id = ? AND state IN ('FAILED', 'DELIVERED')")) {
                ps.setObject(1, now);
                ps.setObject(2, now);
                ps.setString(3, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static List<Webhook> list(PreparedStatement ps) throws SQLException {
        List<Webhook> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Integer lastStatus = rs.getInt("last_status");
                if (rs.wasNull()) {
                    lastStatus = null;
                }
                rows.add(new Webhook(
                        rs.getString("id"),
                        rs.getString("order_reference"),
                        rs.getString("merchant_id"),
                        rs.getString("order_status"),
                        rs.getString("target_url"),
                        rs.getString("payload"),
                        Webhook.State.valueOf(rs.getString("state")),
                        rs.getInt("attempts"),
                        rs.getInt("claims"),
                        rs.getObject("next_attempt_at", OffsetDateTime.class),
                        lastStatus,
                        rs.getString("last_error"),
                        rs.getObject("created_at", OffsetDateTime.class),
                        rs.getObject("updated_at", OffsetDateTime.class),
                        rs.getObject("delivered_at", OffsetDateTime.class)));
            }
        }
        return rows;
    }
}
