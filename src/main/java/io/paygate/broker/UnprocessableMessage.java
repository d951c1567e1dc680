package io.paygate.broker;

/**
 * A message that no retry can ever process (not JSON, unknown order, refused body type).
 * Routes send it straight to the dead-letter queue with this message as the reason.
 */
public class UnprocessableMessage extends RuntimeException {

    public UnprocessableMessage(String reason) {
        super(reason, null, false, false);
    }
}
