package io.paygate.provider;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** The one place that decides what an HTTP status or a transport failure means. */
public final class FailureClassifier {

    private FailureClassifier() {
    }

    public static FailureClass ofStatus(int status) {
        if (status >= 200 && status < 300) {
            return FailureClass.BUSINESS_ANSWER;
        }
        return switch (status) {
            case 429, 503 -> FailureClass.NOT_PROCESSED;
            case 500, 502, 504 -> FailureClass.AMBIGUOUS;
            default -> status >= 400 && status < 500 ? FailureClass.REJECTED_REQUEST : FailureClass.AMBIGUOUS;
        };
    }

    /** A failure before any answer: only a connection that was never made proves nothing was sent. */
    public static FailureClass ofThrowable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException
                    || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException
                    || t instanceof org.apache.hc.client5.http.ConnectTimeoutException) {
                return FailureClass.NOT_PROCESSED;
            }
        }
        return FailureClass.AMBIGUOUS;
    }
}
