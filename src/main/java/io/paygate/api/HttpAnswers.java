package io.paygate.api;

import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Writes an HTTP answer on an exchange. All headers are cleared first: platform-http would
 * otherwise echo every exchange header (including the request's X-Api-Key) to the client.
 */
public final class HttpAnswers {

    public static final String JSON = "application/json";
    public static final String PROBLEM_JSON = "application/problem+json";

    private HttpAnswers() {
    }

    public static void write(Exchange exchange, int status, String contentType, String body, Map<String, String> headers) {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, contentType);
        headers.forEach(out::setHeader);
        out.setBody(body);
    }
}
