package io.paygate.operations;

import io.paygate.database.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** The operator_actions table: every resolution, replay and discard, with who and why. */
public class OperatorActions {

    private final Database database;

    public OperatorActions(Database database) {
        this.database = database;
    }

    /** Records the action in its own transaction. */
    public void record(OperatorAction action) throws SQLException {
        database.inTransaction(c -> {
            insert(c, action);
            return null;
        });
    }

    /** Records the action inside a transaction the caller runs (a state change, say). */
    public void insert(Connection c, OperatorAction action) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO operator_actions"
                + " (action, target, operator_name, reason, detail, acted_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, action.action());
            ps.setString(2, action.target());
            ps.setString(3, action.operator());
            ps.setString(4, action.reason());
            ps.setString(5, truncate(action.detail(), 1000));
            ps.setObject(6, action.at());
            ps.executeUpdate();
        }
    }

    /** The latest actions first; all targets when {@code target} is null. */
    public List<OperatorAction> latest(String target, int limit) throws SQLException {
        return database.read(c -> {
            String sql = "SELECT action, target, operator_name, reason, detail, acted_at FROM operator_actions"
                    + (target == null ? "" : " WHERE target = ?") + " ORDER BY acted_at DESC, id DESC";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (target != null) {
                    ps.setString(1, target);
                }
                ps.setMaxRows(limit);
                List<OperatorAction> actions = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        actions.add(new OperatorAction(rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getObject(6, OffsetDateTime.class)));
                    }
                }
                return actions;
            }
        });
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
