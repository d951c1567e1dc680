package io.paygate.order;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The order's state machine: every allowed move is declared here and nowhere else
 * (README, "Order states").
 */
public enum OrderStatus {
    RECEIVED, SENT, UNKNOWN, APPROVED, DECLINED, FAILED;

    private static final Map<OrderStatus, Set<OrderStatus>> ALLOWED = Map.of(
            // Not sent yet: no provider has an answer to give, so nothing but dispatch or FAILED.
            RECEIVED, EnumSet.of(SENT, FAILED),
            // SENT -> RECEIVED: the provider definitely did not process it; dispatch again later.
            SENT, EnumSet.of(RECEIVED, UNKNOWN, APPROVED, DECLINED, FAILED),
            // UNKNOWN is only resolved by the provider (answer or status query), never by FAILED.
            UNKNOWN, EnumSet.of(SENT, APPROVED, DECLINED),
            APPROVED, EnumSet.noneOf(OrderStatus.class),
            DECLINED, EnumSet.noneOf(OrderStatus.class),
            FAILED, EnumSet.noneOf(OrderStatus.class));

    public boolean isFinal() {
        return ALLOWED.get(this).isEmpty();
    }

    public boolean canMoveTo(OrderStatus next) {
        return ALLOWED.get(this).contains(next);
    }
}
