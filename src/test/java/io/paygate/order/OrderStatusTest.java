package io.paygate.order;

import static io.paygate.order.OrderStatus.APPROVED;
import static io.paygate.order.OrderStatus.DECLINED;
import static io.paygate.order.OrderStatus.FAILED;
import static io.paygate.order.OrderStatus.RECEIVED;
import static io.paygate.order.OrderStatus.SENT;
import static io.paygate.order.OrderStatus.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rules of the order state machine (README, "Order states") that protect money. */
class OrderStatusTest {

    @Test
    void finalStatesNeverMoveAgain() {
        for (OrderStatus end : new OrderStatus[] {APPROVED, DECLINED, FAILED}) {
            assertThat(end.isFinal()).isTrue();
            for (OrderStatus any : OrderStatus.values()) {
                assertThat(end.canMoveTo(any)).as("%s -> %s", end, any).isFalse();
            }
        }
    }

    @Test
    void anUnknownOutcomeIsNeverReportedFailed() {
        assertThat(UNKNOWN.canMoveTo(FAILED)).isFalse();
        assertThat(UNKNOWN.canMoveTo(RECEIVED)).as("never dispatched afresh, maybe to another provider").isFalse();
        assertThat(UNKNOWN.canMoveTo(APPROVED)).isTrue();
        assertThat(UNKNOWN.canMoveTo(DECLINED)).isTrue();
        assertThat(UNKNOWN.canMoveTo(SENT)).as("status query / resend with the same key").isTrue();
    }

    @Test
    void theHappyPathAndItsDetours() {
        assertThat(RECEIVED.canMoveTo(SENT)).isTrue();
        assertThat(SENT.canMoveTo(APPROVED)).isTrue();
        assertThat(SENT.canMoveTo(UNKNOWN)).isTrue();
        assertThat(SENT.canMoveTo(RECEIVED)).as("not processed: dispatch again later").isTrue();
        assertThat(RECEIVED.canMoveTo(UNKNOWN)).as("nothing was sent yet").isFalse();
        assertThat(RECEIVED.canMoveTo(APPROVED)).as("no provider has an answer for an order never sent").isFalse();
        assertThat(RECEIVED.canMoveTo(DECLINED)).as("no provider has an answer for an order never sent").isFalse();
        assertThat(RECEIVED.isFinal()).isFalse();
        assertThat(SENT.isFinal()).isFalse();
        assertThat(UNKNOWN.isFinal()).isFalse();
    }
}
