package io.paygate.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns whatever stopped an API request into an RFC 9457 answer. A client's mistake gets its
 * 4xx with the fields named; an outage of the database or broker gets 503 with Retry-After;
 * anything else gets a bare 500. Never a stack trace or an internal message to the client.
 */
public class Problems {

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private final ObjectMapper json;
    private final int retryAfterSeconds;

    public Problems(ObjectMapper json, int retryAfterSeconds) {
        this.json = json;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public void render(Exchange exchange) throws Exception {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ApiProblem problem = asProblem(caught, exchange.getFromRouteId());
        write(exchange, problem);
    }

    public void write(Exchange exchange, ApiProblem problem) throws Exception {
        answer(problem, exchange.getIn().getHeader(Exchange.HTTP_PATH, String.class)).writeTo(exchange);
    }

    /** The problem answer for a failure outside a route's own answer (the sync wait's late answer, {@link SyncWait}). */
    public SyncWait.Answer answer(Throwable caught, String routeId, String path) {
        return answer(asProblem(caught, routeId), path);
    }

    private SyncWait.Answer answer(ApiProblem problem, String path) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://paygate.dev/problems/" + problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        if (problem.detail() != null) {
            body.put("detail", problem.detail());
        }
        if (path != null) {
            // the client's own text: echoed with card numbers masked (GET /api/orders/4111…)
            body.put("instance", io.paygate.security.CardNumbers.mask(path));
        }
        if (!problem.errors().isEmpty()) {
            body.put("errors", problem.errors());
        }
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("problem body not serializable", e);
        }
        return new SyncWait.Answer(problem.status(), HttpAnswers.PROBLEM_JSON, text, problem.headers());
    }

    ApiProblem asProblem(Throwable caught, String routeId) {
        for (Throwable t = caught; t != null; t = t.getCause()) {
            if (t instanceof ApiProblem p) {
                return p;
            }
        }
        if (isOutage(caught)) {
            LOG.warn("route {}: cannot accept durably: {}", routeId, rootMessage(caught));
            return ApiProblem.unavailable(
                    "the order store or the message broker is unavailable; retry later with the same Idempotency-Key",
                    retryAfterSeconds);
        }
        LOG.error("route {}: unexpected failure", routeId, caught);
        return new ApiProblem(500, "internal", "Internal error", "paygate could not process the request");
    }

    /**
     * Database or broker unreachable: the client's retry will work once they are back. A data
     * error (SQLState class 22 or 23) is paygate's own fault and no retry fixes it: not an outage.
     */
    static boolean isOutage(Throwable caught) {
        for (Throwable t = caught; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientException
                    || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof java.sql.SQLRecoverableException
                    || (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                            && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P")))
                    || t instanceof jakarta.jms.JMSException
                    || t instanceof org.springframework.jms.JmsException
                    || t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
