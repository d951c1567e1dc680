package io.paygate.order;

/** The body of a message on paygate.orders: the order's reference, nothing else. */
public final class DispatchMessage {

    private DispatchMessage() {
    }

    public static String of(String reference) {
        return "{\"reference\":\"" + reference + "\"}";
    }
}
