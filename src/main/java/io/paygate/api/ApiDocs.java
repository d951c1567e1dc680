package io.paygate.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.camel.Exchange;

/** Serves the OpenAPI 3 document of the storefront API (src/main/resources/openapi.json). */
public class ApiDocs {

    private final String document;

    public ApiDocs() {
        try (InputStream in = ApiDocs.class.getResourceAsStream("/openapi.json")) {
            document = in == null ? "{}" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void openApi(Exchange exchange) {
        HttpAnswers.write(exchange, 200, "application/json", document, Map.of());
    }
}
