package io.paygate.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.api.ApiProblem;
import io.paygate.api.FieldError;
import io.paygate.api.HttpAnswers;
import io.paygate.audit.AuditNote;
import io.paygate.audit.AuditNotes;
import io.paygate.order.OrderStatus;
import io.paygate.security.AdminAuthenticator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;

/**
 * The operator endpoints on orders (routes/admin.yaml): list the orders in a state, resolve an
 * UNKNOWN or SENT order by hand, and read the record of what operators did.
 */
public class OrderDesk {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final String STATES = Arrays.stream(OrderStatus.values()).map(Enum::name)
            .collect(Collectors.joining(", "));

    private final ObjectMapper json;
    private final OrderListing listing;
    private final OrderResolver resolver;
    private final OperatorActions actions;

    public OrderDesk(ObjectMapper json, OrderListing listing, OrderResolver resolver, OperatorActions actions) {
        this.json = json;
        this.listing = listing;
        this.resolver = resolver;
        this.actions = actions;
    }

    /** GET /api/admin/orders?status=UNKNOWN&limit= — those waiting longest first. */
    public void list(Exchange exchange) throws Exception {
        String text = OperatorRequests.query(exchange, "status")
                .orElseThrow(() -> ApiProblem.invalid("status", "required: one of " + STATES));
        OrderStatus status;
        try {
            status = OrderStatus.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalid("status", "must be one of " + STATES);
        }
        int limit = OperatorRequests.limit(exchange, DEFAULT_LIMIT, MAX_LIMIT);
        List<OrderEntry> orders = listing.inState(status, limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", status.name());
        answer.put("count", orders.size());
        answer.put("limit", limit);
        answer.put("orders", orders);
        ok(exchange, answer);
    }

    /**
     * POST /api/admin/orders/{reference}/resolve {"status":"APPROVED"|"DECLINED","reason"} —
     * only from UNKNOWN or SENT; 409 names the state the order is in otherwise.
     */
    public void resolve(Exchange exchange) throws Exception {
        String reference = OperatorRequests.pathParameter(exchange, "reference");
        JsonNode body = OperatorRequests.object(exchange, json, Set.of("status", "reason"), false);
        List<FieldError> errors = new ArrayList<>();
        OrderStatus to = outcome(body, errors);
        Optional<String> reason = OperatorRequests.reason(body, true, errors);
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid(errors);
        }
        String operator = exchange.getProperty(AdminAuthenticator.OPERATOR, String.class);
        OrderResolver.Outcome outcome = resolver.resolve(reference, to, operator, reason.get());
        if (outcome instanceof OrderResolver.NotFound) {
            throw new ApiProblem(404, "not-found", "No such order", "paygate has no order with this reference");
        }
        if (outcome instanceof OrderResolver.NotResolvable refused) {
            throw new ApiProblem(409, "not-resolvable", "This order cannot be resolved by hand",
                    "the order is " + refused.current() + "; only UNKNOWN or SENT orders can be resolved");
        }
        OrderResolver.Resolved resolved = (OrderResolver.Resolved) outcome;
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("operator", operator);
        detail.put("reason", reason.get());
        detail.put("from", resolved.from().name());
        AuditNotes.add(exchange, AuditNote.of(OperatorAction.RESOLVED, reference, resolved.order().merchantId())
                .provider(resolved.order().provider()).outcome(to.name()).detail(detail));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("resolvedFrom", resolved.from().name());
        answer.put("operator", operator);
        answer.put("order", OrderEntry.of(resolved.order()));
        ok(exchange, answer);
    }

    /** GET /api/admin/actions?target=&limit= — what operators did, latest first. */
    public void actions(Exchange exchange) throws Exception {
        int limit = OperatorRequests.limit(exchange, DEFAULT_LIMIT, MAX_LIMIT);
        List<OperatorAction> found = actions.latest(OperatorRequests.query(exchange, "target").orElse(null), limit);
        List<Map<String, Object>> list = new ArrayList<>();
        for (OperatorAction a : found) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("action", a.action());
            v.put("target", a.target());
            v.put("operator", a.operator());
            v.put("reason", a.reason());
            v.put("detail", a.detail());
            v.put("at", a.at() == null ? null : a.at().toString());
            list.add(v);
        }
        ok(exchange, Map.of("actions", list));
    }

    private static OrderStatus outcome(JsonNode body, List<FieldError> errors) {
        JsonNode node = body.get("status");
        if (node == null || node.isNull()) {
            errors.add(new FieldError("/status", "required: APPROVED or DECLINED"));
            return null;
        }
        for (OrderStatus s : OrderResolver.OUTCOMES) {
            if (node.isTextual() && s.name().equals(node.asText())) {
                return s;
            }
        }
        errors.add(new FieldError("/status", "must be APPROVED or DECLINED"));
        return null;
    }

    private void ok(Exchange exchange, Object answer) throws Exception {
        HttpAnswers.write(exchange, 200, HttpAnswers.JSON, json.writeValueAsString(answer), Map.of());
    }
}
