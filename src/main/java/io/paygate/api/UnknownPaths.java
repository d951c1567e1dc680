package io.paygate.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.security.CardNumbers;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Every path no route serves answers 404 as {@code application/problem+json}, like every other
 * refusal (Vert.x would answer an HTML page). It is the HTTP router's last route, added once the
 * routes and the health and metrics endpoints are in place, so it only sees what none of them
 * took; a known path with a wrong method still gets its route's 405.
 */
public final class UnknownPaths implements StartupListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile boolean ready;

    /** True once every route and endpoint is in place; until then the server answers 503 + Retry-After. */
    public boolean ready() {
        return ready;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // nothing yet: the HTTP server binds its router while the context starts
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        for (VertxPlatformHttpRouter router : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            router.route().last().handler(UnknownPaths::notFound);
        }
        ready = true;
    }

    static void notFound(RoutingContext routing) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://paygate.dev/problems/not-found");
        body.put("title", "Not found");
        body.put("status", 404);
        body.put("detail", "no such resource");
        // the path is the client's own text: echoed only with card numbers masked
        body.put("instance", CardNumbers.mask(routing.request().path()));
        String text;
        try {
            text = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            text = "{\"status\":404,\"title\":\"Not found\"}";
        }
        routing.response().setStatusCode(404)
                .putHeader("Content-Type", HttpAnswers.PROBLEM_JSON)
                .end(text);
    }
}
