package io.paygate.order;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work that must commit together with a state change (e.g. the webhook outbox row): called
 * inside the transaction of the conditional update, after it succeeded. A failure rolls the
 * state change back.
 */
@FunctionalInterface
public interface TransitionHook {

    void afterMove(Connection connection, OrderStatus from, Order after) throws SQLException;
}
