package io.paygate.notify;

/**
 * What one POST of a webhook came to: the receiver's HTTP status (0 when none came back) and,
 * when it was not delivered, why. Only a 2xx counts as delivered; a redirect is not followed.
 */
public record WebhookAttempt(int httpStatus, String error, long latencyMs) {

    public boolean delivered() {
        return httpStatus >= 200 && httpStatus < 300;
    }

    public static WebhookAttempt answered(int httpStatus, long latencyMs) {
        return new WebhookAttempt(httpStatus, httpStatus >= 200 && httpStatus < 300 ? null
                : "receiver answered " + httpStatus, latencyMs);
    }

    public static WebhookAttempt failed(String error, long latencyMs) {
        return new WebhookAttempt(0, error, latencyMs);
    }
}
