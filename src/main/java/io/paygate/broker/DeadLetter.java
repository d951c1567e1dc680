package io.paygate.broker;

/**
 * One message in paygate.dlq as an operator sees it. {@code originalQueue} is where it was
 * consumed from (null when unknown); {@code body} is its text, or null when it is not text
 * (an ObjectMessage is never read).
 */
public record DeadLetter(
        String id,
        String reason,
        String route,
        String at,
        String originalQueue,
        String correlationId,
        String type,
        String body,
        String sender) {
}
