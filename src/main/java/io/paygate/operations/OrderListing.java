package io.paygate.operations;

import io.paygate.database.Database;
import io.paygate.order.OrderStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Orders in one state, for operators: those waiting longest first. Reads only the columns an
 * operator needs; the payment token and the customer's details are never selected.
 */
public class OrderListing {

    private final Database database;

    public OrderListing(Database database) {
        this.database = database;
    }

    public List<OrderEntry> inState(OrderStatus status, int limit) throws SQLException {
        return database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT reference, merchant_id, order_id, status, provider,"
                    + " attempts, amount, currency, updated_at, reason FROM orders WHERE status = ?"
                    + " ORDER BY updated_at, reference")) {
                ps.setString(1, status.name());
                ps.setMaxRows(limit);
                List<OrderEntry> orders = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        orders.add(new OrderEntry(rs.getString("reference"), rs.getString("merchant_id"),
                                rs.getString("order_id"), rs.getString("status"), rs.getString("provider"),
                                rs.getInt("attempts"), rs.getString("amount"), rs.getString("currency"),
                                rs.getObject("updated_at", OffsetDateTime.class).toString(), rs.getString("reason")));
                    }
                }
                return orders;
            }
        });
    }
}
