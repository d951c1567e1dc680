package io.paygate.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Schema version 10: moves the rows of {@code audit_event} (one per event, before V9) into
 * {@code audit_record}, each event a record of its own, then drops {@code audit_event}. Each
 * becomes the record an earlier paygate's queued message of that event is read as (see
 * {@link AuditRecord#listFromJson}), so a message still on {@code paygate.audit} is recognised
 * as stored. Java, not SQL: the events column is JSON, and building JSON is not portable SQL.
 */
public class AuditEventsIntoRecords implements JavaMigration {

    private static final int BATCH = 500;

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("10");
    }

    @Override
    public String getDescription() {
        return "audit events into records";
    }

    @Override
    public Integer getChecksum() {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (PreparedStatement ps = c.prepareStatement("SELECT event_id, order_reference, merchant_id, sequence_no,"
                + " step, occurred_at, node, route_id, provider, attempt, outcome, latency_ms, detail FROM audit_event")) {
            ps.setFetchSize(BATCH);
            List<AuditRecord> records = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    records.add(new AuditRecord(rs.getString("order_reference"), rs.getString("merchant_id"),
                            List.of(event(rs).inMicros())));
                    if (records.size() == BATCH) {
                        AuditStore.insert(c, records);
                        records.clear();
                    }
                }
            }
            if (!records.isEmpty()) {
                AuditStore.insert(c, records);
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE audit_event");
        }
    }

    private static AuditEvent event(ResultSet rs) throws Exception {
        int attempt = rs.getInt("attempt");
        Integer attemptValue = rs.wasNull() ? null : attempt;
        long latency = rs.getLong("latency_ms");
        Long latencyValue = rs.wasNull() ? null : latency;
        return new AuditEvent(rs.getString("event_id"), rs.getString("order_reference"), rs.getString("merchant_id"),
                rs.getLong("sequence_no"), rs.getString("step"),
                rs.getObject("occurred_at", OffsetDateTime.class).toInstant(), rs.getString("node"),
                rs.getString("route_id"), rs.getString("provider"), attemptValue, rs.getString("outcome"),
                latencyValue, rs.getString("detail"));
    }
}
