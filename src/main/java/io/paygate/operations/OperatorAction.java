package io.paygate.operations;

import java.time.OffsetDateTime;

/**
 * Something an operator did by hand: who ({@code operator}, from X-Operator), to what
 * ({@code target}: an order reference or a dead letter's message id), why, and what changed.
 */
public record OperatorAction(
        String action,
        String target,
        String operator,
        String reason,
        String detail,
        OffsetDateTime at) {

    public static final String RESOLVED = "resolved";
    public static final String REPLAYED = "replayed";
    public static final String DISCARDED = "discarded";
}
