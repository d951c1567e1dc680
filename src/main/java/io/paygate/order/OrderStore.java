package io.paygate.order;

import io.paygate.database.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Orders and idempotency keys in the database. Every state change is a conditional update. */
public class OrderStore {

    /** Outcome of storing a new order together with its idempotency key. */
    public enum InsertResult { STORED, KEY_EXISTS, ORDER_ID_EXISTS }

    private static final String COLUMNS = "reference, merchant_id, order_id, amount, currency, payment_type,"
            + " payment_token, customer_json, callback_url, preferred_provider, provider, status,"
            + " provider_reference, reason, attempts, created_at, updated_at, next_check_at, checks";

    private final Database database;
    private final List<TransitionHook> hooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    public OrderStore(Database database) {
        this.database = database;
    }

    /** Adds work that commits in the same transaction as every successful state change. */
    public void addTransitionHook(TransitionHook hook) {
        hooks.add(hook);
    }

    public static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    /**
     * Stores the order and claims its idempotency key, both or neither: a key the merchant sent is
     * a row of {@code idempotency_keys}, an orderId key is the order's own row with the request's
     * fingerprint (IdempotencyRecord). The order is RECEIVED, or SENT when its first attempt was
     * claimed on arrival (OrderLifecycle#claimedOnArrival; the transition hooks of RECEIVED -> SENT
     * run in this transaction). Returns once committed, before the commit is in the database's
     * file: nobody outside paygate (the storefront, a provider) may be told of it before
     * {@code written().await()}. So an order claimed on arrival waits for two writes before its
     * answer (this one, the settlement), not three.
     */
    public Database.Committed<InsertResult> insert(Order order, IdempotencyRecord key) throws SQLException {
        try {
            return database.inTransactionWrittenLater(c -> {
                if (key.ownKey()) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO idempotency_keys (merchant_id, idem_key, fingerprint, order_reference, created_at)"
                                    + " VALUES (?, ?, ?, ?, ?)")) {
                        ps.setString(1, key.merchantId());
                        ps.setString(2, key.key());
                        ps.setString(3, key.fingerprint());
                        ps.setString(4, key.orderReference());
                        ps.setObject(5, key.createdAt());
                        ps.executeUpdate();
                    } catch (SQLException e) {
                        if (Database.isUniqueViolation(e)) {
                            throw new DuplicateException(InsertResult.KEY_EXISTS, e);
                        }
                        throw e;
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (" + COLUMNS
                        + ", request_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    int i = 1;
                    ps.setString(i++, order.reference());
                    ps.setString(i++, order.merchantId());
                    ps.setString(i++, order.orderId());
                    ps.setString(i++, order.amount());
                    ps.setString(i++, order.currency());
                    ps.setString(i++, order.paymentType());
                    ps.setString(i++, order.paymentToken());
                    ps.setString(i++, order.customerJson());
                    ps.setString(i++, order.callbackUrl());
                    ps.setString(i++, order.preferredProvider());
                    ps.setString(i++, order.provider());
                    ps.setString(i++, order.status().name());
                    ps.setString(i++, order.providerReference());
                    ps.setString(i++, order.reason());
                    ps.setInt(i++, order.attempts());
                    ps.setObject(i++, order.createdAt());
                    ps.setObject(i++, order.updatedAt());
                    ps.setObject(i++, order.nextCheckAt());
                    ps.setInt(i++, order.checks());
                    ps.setString(i, key.ownKey() ? null : key.fingerprint());
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (Database.isUniqueViolation(e)) {
                        throw new DuplicateException(InsertResult.ORDER_ID_EXISTS, e);
                    }
                    throw e;
                }
                if (order.status() != OrderStatus.RECEIVED) {
                    // claimed on arrival: what commits with every RECEIVED -> SENT commits with this one
                    for (TransitionHook hook : hooks) {
                        hook.afterMove(c, OrderStatus.RECEIVED, order);
                    }
                }
                return InsertResult.STORED;
            });
        } catch (DuplicateException e) {
            InsertResult result = e.result == InsertResult.ORDER_ID_EXISTS && !key.ownKey() && !keyedByHeader(order)
                    ? InsertResult.KEY_EXISTS // the orderId is the key, and an order holds it (or is storing it now)
                    : e.result;
            return new Database.Committed<>(result, Database.Written.ALREADY); // rolled back: nothing to write
        }
    }

    /** Whether the merchant's order with this orderId was stored under a key the merchant sent. */
    private boolean keyedByHeader(Order order) throws SQLException {
        return database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT request_fingerprint FROM orders WHERE merchant_id = ? AND order_id = ?")) {
                ps.setString(1, order.merchantId());
                ps.setString(2, order.orderId());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1) == null;
                }
            }
        });
    }

    public Optional<Order> find(String reference) throws SQLException {
        return database.read(c -> queryOne(c, "SELECT " + COLUMNS + " FROM orders WHERE reference = ?", reference));
    }

    public Optional<Order> findByOrderId(String merchantId, String orderId) throws SQLException {
        return database.read(c -> queryOne(c,
                "SELECT " + COLUMNS + " FROM orders WHERE merchant_id = ? AND order_id = ?", merchantId, orderId));
    }

    /**
     * Moves an order from {@code from} to {@code to} only if it is still in {@code from}, and
     * returns it as it is afterwards (read in the same transaction). Empty when another consumer,
     * a duplicate reply or another node got there first.
     */
    public Optional<Order> move(String reference, OrderStatus from, OrderStatus to, Settlement settlement,
                                boolean countAttempt) throws SQLException {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE orders SET status = ?,"
                    + " provider = COALESCE(?, provider), provider_reference = COALESCE(?, provider_reference),"
                    + " reason = ?, attempts = attempts + ?, updated_at = ?, next_check_at = ?,"
                    + " checks = CASE WHEN ? THEN 0 ELSE checks END"
                    + " WHERE reference = ? AND status = ?")) {
                ps.setString(1, to.name());
                ps.setString(2, settlement.provider());
                ps.setString(3, settlement.providerReference());
                if (settlement.reason() == null) {
                    ps.setNull(4, Types.VARCHAR);
                } else {
                    ps.setString(4, truncate(settlement.reason(), 512));
                }
                ps.setInt(5, countAttempt ? 1 : 0);
                ps.setObject(6, now());
                ps.setObject(7, settlement.nextCheckAt());
                ps.setBoolean(8, to == OrderStatus.SENT);
                ps.setString(9, reference);
                ps.setString(10, from.name());
                if (ps.executeUpdate() != 1) {
                    return Optional.<Order>empty();
                }
            }
            Order after = queryOne(c, "SELECT " + COLUMNS + " FROM orders WHERE reference = ?", reference).orElseThrow();
            for (TransitionHook hook : hooks) {
                hook.afterMove(c, from, after);
            }
            return Optional.of(after);
        });
    }

    /**
     * Puts an order back as it was before a claim whose provider was not called after all, the
     * attempt not counted: only while that claim still holds it (SENT, the claim's attempt count).
     * No transition hook runs: nothing happened that anyone is told about.
     */
    public boolean undoClaim(Order before, Order claimed) throws SQLException {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE orders SET status = ?, provider = ?, reason = ?,"
                    + " attempts = ?, updated_at = ?, next_check_at = ?, checks = ?"
                    + " WHERE reference = ? AND status = 'SENT' AND attempts = ?")) {
                ps.setString(1, before.status().name());
                ps.setString(2, before.provider());
                ps.setString(3, before.reason());
                ps.setInt(4, before.attempts());
                ps.setObject(5, now());
                ps.setObject(6, before.nextCheckAt());
                ps.setInt(7, before.checks());
                ps.setString(8, claimed.reference());
                ps.setInt(9, claimed.attempts());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Open orders (SENT past their lease, UNKNOWN due for a status query) whose check time has come. */
    public List<Order> findDueChecks(int limit) throws SQLException {
        return database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM orders WHERE status IN ('SENT', 'UNKNOWN') AND next_check_at <= ? ORDER BY next_check_at")) {
                ps.setObject(1, now());
                ps.setMaxRows(limit);
                return list(ps);
            }
        });
    }

    /**
     * Claims a due check: moves its check time to {@code next} (and counts it) only if nobody
     * else did since it was read, so two nodes never query the same order at once.
     */
    public boolean claimCheck(Order order, OffsetDateTime next) throws SQLException {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE orders SET next_check_at = ?, checks = checks + 1"
                    + " WHERE reference = ? AND status = ? AND next_check_at = ?")) {
                ps.setObject(1, next);
                ps.setString(2, order.reference());
                ps.setString(3, order.status().name());
                ps.setObject(4, order.nextCheckAt());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Records the provider that could not take an order that stays in {@code status}, and why. */
    public boolean noteProvider(String reference, OrderStatus status, String provider, String reason) throws SQLException {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE orders SET provider = ?, reason = ?, updated_at = ? WHERE reference = ? AND status = ?")) {
                ps.setString(1, provider);
                ps.setString(2, truncate(reason, 512));
                ps.setObject(3, now());
                ps.setString(4, reference);
                ps.setString(5, status.name());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Sets when an order in {@code status} is looked at next (null: not by itself any more). */
    public boolean scheduleCheck(String reference, OrderStatus status, OffsetDateTime when) throws SQLException {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE orders SET next_check_at = ? WHERE reference = ? AND status = ?")) {
                ps.setObject(1, when);
                ps.setString(2, reference);
                ps.setString(3, status.name());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Orders left in RECEIVED longer than {@code age}: committed but perhaps never queued. */
    public List<Order> findStaleReceived(Duration age, int limit) throws SQLException {
        return database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM orders WHERE status = 'RECEIVED' AND updated_at < ? ORDER BY updated_at")) {
                ps.setObject(1, now().minus(age));
                ps.setMaxRows(limit);
                return list(ps);
            }
        });
    }

    /** Claims a stale order for re-enqueueing; only one node wins the claim. */
    public boolean claimStale(Order order) throws SQLException {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE orders SET updated_at = ?"
                    + " WHERE reference = ? AND status = 'RECEIVED' AND updated_at = ?")) {
                ps.setObject(1, now());
                ps.setString(2, order.reference());
                ps.setObject(3, order.updatedAt());
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static Optional<Order> queryOne(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            List<Order> found = list(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /** Rows of a {@code SELECT COLUMNS ...}: every query here selects exactly {@link #COLUMNS}, in that order. */
    private static List<Order> list(PreparedStatement ps) throws SQLException {
        List<Order> orders = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                // by position, in the order of COLUMNS: a lookup by name upper-cases and searches every time
                orders.add(new Order(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getString(9),
                        rs.getString(10),
                        rs.getString(11),
                        OrderStatus.valueOf(rs.getString(12)),
                        rs.getString(13),
                        rs.getString(14),
                        rs.getInt(15),
                        rs.getObject(16, OffsetDateTime.class),
                        rs.getObject(17, OffsetDateTime.class),
                        rs.getObject(18, OffsetDateTime.class),
                        rs.getInt(19)));
            }
        }
        return orders;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static final class DuplicateException extends SQLException {
        private final InsertResult result;

        DuplicateException(InsertResult result, SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
            this.result = result;
        }
    }
}
