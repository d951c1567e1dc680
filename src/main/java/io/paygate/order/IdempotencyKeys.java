package io.paygate.order;

import io.paygate.database.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * Reads, answers and expires idempotency keys (the key is stored with its order, OrderStore#insert):
 * a key the merchant sent in {@code idempotency_keys}, an orderId key on the order's row.
 */
public class IdempotencyKeys {

    private final Database database;
    private final Duration retention;

    public IdempotencyKeys(Database database, Duration retention) {
        this.database = database;
        this.retention = retention;
    }

    public Duration retention() {
        return retention;
    }

    /** What is stored under the key of {@code request}; empty while no committed order holds it. */
    public Optional<IdempotencyRecord> find(IdempotencyRecord request) throws SQLException {
        String sql = request.ownKey()
                ? "SELECT idem_key, fingerprint, order_reference, response_status, response_body, created_at"
                        + " FROM idempotency_keys WHERE merchant_id = ? AND idem_key = ?"
                : "SELECT order_id, request_fingerprint, reference, answer_status, answer_body, created_at"
                        + " FROM orders WHERE merchant_id = ? AND order_id = ? AND request_fingerprint IS NOT NULL";
        return database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, request.merchantId());
                ps.setString(2, request.key());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    int status = rs.getInt(4);
                    boolean unanswered = rs.wasNull(); // must be asked right after that column
                    return Optional.of(new IdempotencyRecord(request.merchantId(), rs.getString(1), request.ownKey(),
                            rs.getString(2), rs.getString(3), unanswered ? null : status, rs.getString(5),
                            rs.getObject(6, OffsetDateTime.class)));
                }
            }
        });
    }

    /** Records the first (202) answer given for the key; later requests replay it. */
    public void answer(IdempotencyRecord key, int status, String body) throws SQLException {
        String sql = key.ownKey()
                ? "UPDATE idempotency_keys SET response_status = ?, response_body = ?"
                        + " WHERE merchant_id = ? AND idem_key = ? AND response_status IS NULL"
                : "UPDATE orders SET answer_status = ?, answer_body = ?"
                        + " WHERE merchant_id = ? AND order_id = ? AND answer_status IS NULL";
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, status);
                ps.setString(2, body);
                ps.setString(3, key.merchantId());
                ps.setString(4, key.key());
                return ps.executeUpdate();
            }
        });
    }

    /** Forgets the keys merchants sent that are older than the retention; the orders stay, orderId keys with them. */
    public int purgeExpired() throws SQLException {
        return database.deleteOlderThan("idempotency_keys", "created_at",
                OrderStore.now().minus(retention));
    }
}
