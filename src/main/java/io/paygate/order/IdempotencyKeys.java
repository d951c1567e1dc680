package io.paygate.order;

import io.paygate.database.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/** Reads, answers and expires idempotency keys (the key row is created with its order). */
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

    public Optional<IdempotencyRecord> find(String merchantId, String key) throws SQLException {
        return database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT merchant_id, idem_key, fingerprint, order_reference,"
                    + " response_status, response_body, created_at FROM idempotency_keys"
                    + " WHERE merchant_id = ? AND idem_key = ?")) {
                ps.setString(1, merchantId);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    int status = rs.getInt("response_status");
                    boolean unanswered = rs.wasNull(); // must be asked right after that column
                    return Optional.of(new IdempotencyRecord(
                            rs.getString("merchant_id"),
                            rs.getString("idem_key"),
                            rs.getString("fingerprint"),
                            rs.getString("order_reference"),
                            unanswered ? null : status,
                            rs.getString("response_body"),
                            rs.getObject("created_at", OffsetDateTime.class)));
                }
            }
        });
    }

    /** Records the first answer given for the key; later requests replay it. */
    public void answer(String merchantId, String key, int status, String body) throws SQLException {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE idempotency_keys SET response_status = ?,"
                    + " response_body = ? WHERE merchant_id = ? AND idem_key = ? AND response_status IS NULL")) {
                ps.setInt(1, status);
                ps.setString(2, body);
                ps.setString(3, merchantId);
                ps.setString(4, key);
                return ps.executeUpdate();
            }
        });
    }

    /** Forgets keys older than the retention; the orders themselves stay. */
    public int purgeExpired() throws SQLException {
        return database.deleteOlderThan("idempotency_keys", "merchant_id, idem_key", "created_at",
                OrderStore.now().minus(retention));
    }
}
