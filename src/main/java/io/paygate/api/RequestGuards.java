package io.paygate.api;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;

/** Checks of the HTTP envelope, before anyone reads the body. */
public class RequestGuards {

    private final long maxBodyBytes;

    public RequestGuards(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    public void requirePost(Exchange exchange) {
        requireMethod(exchange, "POST");
    }

    public void requireGet(Exchange exchange) {
        requireMethod(exchange, "GET");
    }

    /** 405 with an Allow header when the method is not one of {@code allowed} (comma separated). */
    private static void requireMethod(Exchange exchange, String allowed) {
        String method = exchange.getIn().getHeader(Exchange.HTTP_METHOD, "", String.class).toUpperCase(Locale.ROOT);
        List<String> methods = List.of(allowed.split(","));
        if (!methods.contains(method)) {
            throw new ApiProblem(405, "method-not-allowed", "Method not allowed",
                    method + " is not supported here; use " + String.join(" or ", methods), List.of(),
                    Map.of("Allow", String.join(", ", methods)));
        }
    }

    /** 415 unless the body is declared JSON; 413 when it is larger than the configured limit. */
    public void requireJsonBody(Exchange exchange) {
        String type = exchange.getIn().getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase(Locale.ROOT);
        String mediaType = type.split(";", 2)[0].trim();
        if (!mediaType.equals("application/json")) {
            throw new ApiProblem(415, "unsupported-media-type", "Unsupported media type",
                    "send the order as application/json");
        }
        if (type.contains("charset=") && !type.replace(" ", "").contains("charset=utf-8")) {
            throw new ApiProblem(415, "unsupported-media-type", "Unsupported media type",
                    "the only supported charset is UTF-8");
        }
        byte[] body = exchange.getIn().getBody(byte[].class);
        long length = body == null ? 0 : body.length;
        if (length > maxBodyBytes) {
            throw new ApiProblem(413, "payload-too-large", "Payload too large",
                    "the body has " + length + " bytes; the limit is " + maxBodyBytes);
        }
        exchange.getIn().setBody(body == null ? new byte[0] : body);
    }
}
