package io.paygate.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.api.ApiProblem;
import io.paygate.api.HttpAnswers;
import io.paygate.order.Order;
import io.paygate.order.OrderIntake;
import io.paygate.order.OrderStore;
import io.paygate.security.Merchant;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * Reading the record: an order's timeline for its merchant ({@code GET /api/orders/{orderId}/events})
 * and the operators' export as JSON Lines ({@code GET /api/admin/audit}), streamed from a
 * database cursor so an export of millions of events needs no memory.
 */
public class AuditTimeline {

    public static final String JSON_LINES = "application/x-ndjson";
    private static final Set<String> EXPORT_PARAMETERS = Set.of("from", "to", "merchant");
    private static final Instant END_OF_TIME = Instant.parse("9999-12-31T00:00:00Z");

    private final ObjectMapper json;
    private final OrderStore orders;
    private final AuditStore store;

    public AuditTimeline(ObjectMapper json, OrderStore orders, AuditStore store) {
        this.json = json;
        this.orders = orders;
        this.store = store;
    }

    /** The merchant's own order's steps in order; 404 exactly as for an unknown order otherwise. */
    public void orderEvents(Exchange exchange) throws SQLException {
        Merchant merchant = exchange.getProperty(OrderIntake.MERCHANT, Merchant.class);
        String orderId = exchange.getIn().getHeader("orderId", String.class);
        Optional<Order> order = orderId == null ? Optional.empty() : orders.findByOrderId(merchant.id(), orderId);
        if (order.isEmpty()) {
            throw new ApiProblem(404, "not-found", "Order not found", "no order with this orderId");
        }
        ObjectNode body = json.createObjectNode();
        body.put("orderId", order.get().orderId());
        body.put("reference", order.get().reference());
        ArrayNode events = body.putArray("events");
        for (AuditEvent e : store.timeline(merchant.id(), order.get().reference())) {
            events.add(view(e, false));
        }
        HttpAnswers.write(exchange, 200, HttpAnswers.JSON, body.toString(), Map.of());
    }

    /** {@code ?from=&to=&merchant=}: ISO-8601 times (from inclusive, to exclusive); 400 naming a bad parameter. */
    public void export(Exchange exchange) throws SQLException {
        Map<String, String> query = query(exchange.getIn().getHeader(Exchange.HTTP_QUERY, String.class));
        Instant from = time(query, "from", Instant.EPOCH);
        Instant to = time(query, "to", END_OF_TIME);
        if (!to.isAfter(from)) {
            throw ApiProblem.invalid("to", "must be later than from");
        }
        String merchant = query.get("merchant");
        if (merchant != null && !merchant.matches("[A-Za-z0-9_-]{1,64}")) {
            throw ApiProblem.invalid("merchant", "must be a merchant id (1 to 64 characters of A-Z a-z 0-9 _ -)");
        }
        AuditStore.Cursor cursor = store.export(from, to, merchant);
        HttpAnswers.write(exchange, 200, JSON_LINES, null, Map.of());
        exchange.getMessage().setBody(new JsonLines(cursor));
    }

    private ObjectNode view(AuditEvent e, boolean withOwner) {
        ObjectNode o = json.createObjectNode();
        o.put("eventId", e.eventId());
        if (withOwner) {
            o.put("reference", e.reference());
            o.put("merchant", e.merchantId());
        }
        o.put("sequence", e.sequence());
        o.put("step", e.step());
        o.put("at", e.at().toString());
        o.put("node", e.node());
        o.put("route", e.routeId());
        o.put("provider", e.provider());
        o.put("attempt", e.attempt());
        o.put("outcome", e.outcome());
        o.put("latencyMs", e.latencyMs());
        try {
            o.set("detail", e.detailJson() == null ? null : json.readTree(e.detailJson()));
        } catch (IOException ex) {
            o.put("detail", e.detailJson());
        }
        return o;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "");
            String value = decode(eq < 0 ? "" : pair.substring(eq + 1), name);
            if (!EXPORT_PARAMETERS.contains(name)) {
                throw ApiProblem.invalid(name.length() > 64 ? name.substring(0, 64) : name,
                        "unknown parameter; use from, to and merchant");
            }
            if (params.put(name, value) != null) {
                throw ApiProblem.invalid(name, "given more than once");
            }
        }
        params.values().removeIf(String::isEmpty);
        return params;
    }

    private static String decode(String text, String parameter) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalid(parameter, "is not correctly URL-encoded");
        }
    }

    private static Instant time(Map<String, String> query, String name, Instant fallback) {
        String value = query.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiProblem.invalid(name, "must be an ISO-8601 time such as 2026-01-31T00:00:00Z or a date such as 2026-01-31");
        }
    }

    /** One event per line, read from the cursor as the client reads the response. */
    private final class JsonLines extends InputStream {
        private final AuditStore.Cursor cursor;
        private byte[] line = new byte[0];
        private int position;
        private boolean done;

        JsonLines(AuditStore.Cursor cursor) {
            this.cursor = cursor;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            return line[position++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, line.length - position);
            System.arraycopy(line, position, b, off, n);
            position += n;
            return n;
        }

        private boolean fill() throws IOException {
            while (position >= line.length) {
                if (done) {
                    return false;
                }
                try {
                    AuditEvent e = cursor.next();
                    if (e == null) {
                        close();
                        return false;
                    }
                    line = (view(e, true).toString() + "\n").getBytes(StandardCharsets.UTF_8);
                    position = 0;
                } catch (SQLException ex) {
                    close();
                    throw new IOException("audit export interrupted: " + ex.getSQLState());
                }
            }
            return true;
        }

        @Override
        public void close() {
            if (!done) {
                done = true;
                cursor.close();
            }
        }
    }
}
