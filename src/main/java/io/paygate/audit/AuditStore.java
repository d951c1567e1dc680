package io.paygate.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.database.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import javax.sql.DataSource;

/**
 * The {@code audit_record} table, one row per {@link AuditRecord} (the steps of one order in one
 * write): records in, timelines and exports out as events, old records purged.
 */
public class AuditStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "first_at, first_sequence, first_event_id";
    static final String COLUMNS = "order_reference, merchant_id, events";

    private final Database database;
    private final DataSource dataSource;

    public AuditStore(Database database, DataSource dataSource) {
        this.database = database;
        this.dataSource = dataSource;
    }

    /**
     * Writes the records not stored yet, in one transaction. A record whose key is already in the
     * table (a redelivery, or a batch the sender sent twice) is skipped. Returns how many events
     * were written.
     */
    public int insertNew(Collection<AuditRecord> records) throws SQLException {
        Map<List<Object>, AuditRecord> byKey = new LinkedHashMap<>();
        for (AuditRecord r : records) {
            byKey.putIfAbsent(key(r), r);
        }
        if (byKey.isEmpty()) {
            return 0;
        }
        try {
            // Nearly every batch is new: insert it as it is, and look for known keys only when the
            // table refuses one (the failed transaction is rolled back, nothing half-written).
            return database.inTransaction(c -> insert(c, byKey.values()));
        } catch (SQLException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
        }
        return database.inTransaction(c -> {
            List<AuditRecord> fresh = new ArrayList<>();
            for (AuditRecord r : byKey.values()) {
                if (!stored(c, r)) {
                    fresh.add(r);
                }
            }
            return fresh.isEmpty() ? 0 : insert(c, fresh);
        });
    }

    /** Inserts the records as they are (also the V10 migration's step); returns how many events. */
    static int insert(Connection c, Collection<AuditRecord> records) throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_record (" + KEY + ", last_at, "
                + COLUMNS + ", event_count, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (AuditRecord r : records) {
                ps.setObject(1, utc(r.first().at()));
                ps.setLong(2, r.first().sequence());
                ps.setString(3, r.first().eventId());
                ps.setObject(4, utc(r.lastAt()));
                ps.setString(5, cut(r.reference(), 40));
                ps.setString(6, cut(r.merchantId(), 64));
                ps.setString(7, r.eventsJson(JSON));
                ps.setInt(8, r.size());
                ps.setObject(9, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return AuditRecord.eventCount(records);
    }

    /** One order's steps in the order they happened. */
    public List<AuditEvent> timeline(String merchantId, String reference) throws SQLException {
        return database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM audit_record WHERE order_reference = ? AND merchant_id = ?")) {
                ps.setString(1, reference);
                ps.setString(2, merchantId);
                List<AuditEvent> events = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.addAll(row(rs).events());
                    }
                }
                events.sort(Comparator.comparingLong(AuditEvent::sequence).thenComparing(AuditEvent::eventId));
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
            // a record that starts up to MAX_SPAN before the window may hold events inside it
            PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM audit_record WHERE first_at >= ? AND first_at < ?"
                    + (merchantId == null ? "" : " AND merchant_id = ?") + " ORDER BY " + KEY);
            ps.setFetchSize(500);
            ps.setObject(1, utc(from.minus(AuditRecord.MAX_SPAN)));
            ps.setObject(2, utc(to));
            if (merchantId != null) {
                ps.setString(3, merchantId);
            }
            return new Cursor(c, ps, ps.executeQuery(), from, to);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Deletes the records whose events all happened before {@code before}; returns how many records. */
    public int purge(Instant before) throws SQLException {
        return database.deleteOlderThan("audit_record", "first_at", utc(before), "last_at");
    }

    /**
     * Events of an export, read one at a time. Records come in the order of their first events, and
     * every event of a record is at or after its first: so an event read earlier can be given out
     * as soon as it is earlier than the next record's first event (a merge of the records).
     */
    public static final class Cursor implements AutoCloseable {
        private final Connection connection;
        private final PreparedStatement statement;
        private final ResultSet rows;
        private final Instant from;
        private final Instant to;
        private final PriorityQueue<AuditEvent> read = new PriorityQueue<>(AuditRecord.TIME_ORDER);
        private AuditRecord ahead;
        private boolean rowsDone;

        Cursor(Connection connection, PreparedStatement statement, ResultSet rows, Instant from, Instant to) {
            this.connection = connection;
            this.statement = statement;
            this.rows = rows;
            this.from = from;
            this.to = to;
        }

        /** The next event, or null at the end. */
        public AuditEvent next() throws SQLException {
            while (true) {
                if (ahead == null && !rowsDone) {
                    ahead = rows.next() ? row(rows) : null;
                    rowsDone = ahead == null;
                }
                if (!read.isEmpty() && (ahead == null || AuditRecord.TIME_ORDER.compare(read.peek(), ahead.first()) < 0)) {
                    AuditEvent e = read.poll();
                    if (!e.at().isBefore(from) && e.at().isBefore(to)) {
                        return e;
                    }
                } else if (ahead == null) {
                    return null;
                } else {
                    read.addAll(ahead.events());
                    ahead = null;
                }
            }
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

    /** Whether a record with this one's key is stored (looked up by the table's key). */
    private static boolean stored(Connection c, AuditRecord r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM audit_record WHERE first_at = ? AND first_sequence = ? AND first_event_id = ?")) {
            ps.setObject(1, utc(r.first().at()));
            ps.setLong(2, r.first().sequence());
            ps.setString(3, r.first().eventId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static List<Object> key(AuditRecord r) {
        return List.of(r.first().at(), r.first().sequence(), r.first().eventId());
    }

    /** Times go to the table as UTC; events' times are already cut to the microsecond ({@link AuditRecord#pack}). */
    private static OffsetDateTime utc(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    private static AuditRecord row(ResultSet rs) throws SQLException {
        return AuditRecord.fromRow(JSON, rs.getString("order_reference"), rs.getString("merchant_id"),
                rs.getString("events"));
    }

    private static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
