package io.paygate.audit;

import io.paygate.database.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/** The {@code audit_event} table: batches in, timelines and exports out, old rows purged. */
public class AuditStore {

    static final String COLUMNS = "event_id, order_reference, merchant_id, sequence_no, step, occurred_at, node,"
            + " route_id, provider, attempt, outcome, latency_ms, detail";

    private final Database database;
    private final DataSource dataSource;

    public AuditStore(Database database, DataSource dataSource) {
        this.database = database;
        this.dataSource = dataSource;
    }

    /**
     * Writes the events not stored yet, in one transaction. An event id already in the table (a
     * redelivery, or a batch the sender sent twice) is skipped. Returns how many rows were written.
     */
    public int insertNew(Collection<AuditEvent> events) throws SQLException {
        Map<String, AuditEvent> byId = new LinkedHashMap<>();
        for (AuditEvent e : events) {
            byId.putIfAbsent(e.eventId(), e);
        }
        if (byId.isEmpty()) {
            return 0;
        }
        try {
            // Nearly every batch is new: insert it as it is, and look for known ids only when the
            // table refuses one (the failed transaction is rolled back, nothing half-written).
            return database.inTransaction(c -> insert(c, byId.values()));
        } catch (SQLException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
        }
        return database.inTransaction(c -> {
            Set<String> known = existing(c, byId.values());
            List<AuditEvent> fresh = byId.values().stream().filter(e -> !known.contains(e.eventId())).toList();
            return fresh.isEmpty() ? 0 : insert(c, fresh);
        });
    }

    private static int insert(Connection c, Collection<AuditEvent> events) throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_event (" + COLUMNS
                + ", recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (AuditEvent e : events) {
                ps.setString(1, e.eventId());
                ps.setString(2, cut(e.reference(), 40));
                ps.setString(3, cut(e.merchantId(), 64));
                ps.setLong(4, e.sequence());
                ps.setString(5, cut(e.step(), 40));
                ps.setObject(6, occurredAt(e));
                ps.setString(7, cut(e.node(), 128));
                ps.setString(8, cut(e.routeId(), 128));
                ps.setString(9, cut(e.provider(), 64));
                if (e.attempt() == null) {
                    ps.setNull(10, Types.INTEGER);
                } else {
                    ps.setInt(10, e.attempt());
                }
                ps.setString(11, cut(e.outcome(), 1024));
                if (e.latencyMs() == null) {
                    ps.setNull(12, Types.BIGINT);
                } else {
                    ps.setLong(12, e.latencyMs());
                }
                ps.setString(13, e.detailJson());
                ps.setObject(14, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return events.size();
    }

    /** One order's steps in the order they happened. */
    public List<AuditEvent> timeline(String merchantId, String reference) throws SQLException {
        return database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM audit_event WHERE order_reference = ? AND merchant_id = ? ORDER BY sequence_no, event_id")) {
                ps.setString(1, reference);
                ps.setString(2, merchantId);
                List<AuditEvent> events = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.add(row(rs));
                    }
                }
                return events;
            }
        });
    }

    /**
     * Opens a cursor over the events from {@code from} (inclusive) to {@code to} (exclusive), in
     * time order, optionally of one merchant. The caller closes it (and with it the connection).
     */
    public Cursor export(Instant from, Instant to, String merchantId) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            // PostgreSQL streams with a fetch size only inside a transaction.
            c.setAutoCommit(false);
            c.setReadOnly(true);
            PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM audit_event WHERE occurred_at >= ? AND occurred_at < ?"
                    + (merchantId == null ? "" : " AND merchant_id = ?") + " ORDER BY occurred_at, sequence_no, event_id");
            ps.setFetchSize(500);
            ps.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            ps.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            if (merchantId != null) {
                ps.setString(3, merchantId);
            }
            return new Cursor(c, ps, ps.executeQuery());
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Deletes events that happened before {@code before}; returns how many. */
    public int purge(Instant before) throws SQLException {
        return database.deleteOlderThan("audit_event", "occurred_at",
                OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
    }

    /** Rows of an export, read one at a time. */
    public static final class Cursor implements AutoCloseable {
        private final Connection connection;
        private final PreparedStatement statement;
        private final ResultSet rows;

        Cursor(Connection connection, PreparedStatement statement, ResultSet rows) {
            this.connection = connection;
            this.statement = statement;
            this.rows = rows;
        }

        /** The next event, or null at the end. */
        public AuditEvent next() throws SQLException {
            return rows.next() ? row(rows) : null;
        }

        @Override
        public void close() {
            try {
                rows.close();
                statement.close();
                connection.rollback();
            } catch (SQLException ignored) {
                // closing anyway
            } finally {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // returned to the pool or broken
                }
            }
        }
    }

    /** The ids of those events already stored: looked up by the table's key, which holds the id. */
    private static Set<String> existing(Connection c, Collection<AuditEvent> events) throws SQLException {
        Set<String> known = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT event_id FROM audit_event WHERE occurred_at = ? AND sequence_no = ? AND event_id = ?")) {
            for (AuditEvent e : events) {
                ps.setObject(1, occurredAt(e));
                ps.setLong(2, e.sequence());
                ps.setString(3, e.eventId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        known.add(e.eventId());
                    }
                }
            }
        }
        return known;
    }

    /**
     * The event's time as the table keeps it, to the microsecond (both databases' precision):
     * cut here, not rounded by the database, so that a second delivery of the event finds the first.
     */
    private static OffsetDateTime occurredAt(AuditEvent e) {
        return OffsetDateTime.ofInstant(e.at().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private static AuditEvent row(ResultSet rs) throws SQLException {
        long attempt = rs.getLong("attempt");
        Integer attemptValue = rs.wasNull() ? null : (int) attempt;
        long latency = rs.getLong("latency_ms");
        Long latencyValue = rs.wasNull() ? null : latency;
        return new AuditEvent(rs.getString("event_id"), rs.getString("order_reference"), rs.getString("merchant_id"),
                rs.getLong("sequence_no"), rs.getString("step"),
                rs.getObject("occurred_at", OffsetDateTime.class).toInstant(), rs.getString("node"),
                rs.getString("route_id"), rs.getString("provider"), attemptValue, rs.getString("outcome"),
                latencyValue, rs.getString("detail"));
    }

    private static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
