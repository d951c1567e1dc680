package io.paygate.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.paygate.api.ApiProblem;
import io.paygate.api.FieldError;
import io.paygate.api.HttpAnswers;
import io.paygate.api.Problems;
import io.paygate.api.SyncWait;
import io.paygate.audit.AuditNote;
import io.paygate.audit.AuditNotes;
import io.paygate.database.Database;
import io.paygate.database.TimeOrderedIds;
import io.paygate.security.CardNumbers;
import io.paygate.security.Merchant;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of {@code POST /api/orders} and {@code GET /api/orders/{orderId}} that need Java:
 * reading the body safely, idempotency, storing, and waiting for the outcome. The route in
 * routes/api.yaml says in which order they run.
 */
public class OrderIntake {

    private static final Logger LOG = LoggerFactory.getLogger(OrderIntake.class);
    private static final String CARD_MESSAGE = "looks like a card number: send a provider token, not a card number";
    private static final int MAX_KEY_LENGTH = 255;

    public static final String MERCHANT = "paygateMerchant";
    public static final String REQUEST = "paygateOrderRequest";
    /** The new order as stored: RECEIVED, or SENT when its first attempt was claimed on arrival. */
    public static final String NEW_ORDER = "paygateNewOrder";
    /** The new order as it came in (RECEIVED), also when it was stored claimed (to undo that claim). */
    public static final String RECEIVED_ORDER = "paygateReceivedOrder";
    /** The new order's watch for its final state (set by accept, awaited by respond). */
    private static final String FINAL_STATE = "paygateFinalState";
    public static final String KEY = "paygateIdempotencyKey";
    public static final String REPLAY = "paygateReplay";
    /** Waits until the new order's row is in the database's file (see {@link OrderStore#insert}). */
    public static final String WRITTEN = "paygateOrderWritten";
    private static final String RECEIVED_NOTE = "paygateReceivedNote";
    /** The request's {@link SyncWait.Request}: who answers it, the route or the deadline. */
    private static final String SYNC_WAIT = "paygateSyncWait";

    private final ObjectMapper json;
    private final ObjectMapper canonical;
    private final OrderValidator validator;
    private final OrderLifecycle lifecycle;
    private final IdempotencyKeys keys;
    private final SyncWait syncWait;
    private final Problems problems;
    private final io.paygate.observe.PaygateMetrics metrics;

    public OrderIntake(ObjectMapper json, OrderValidator validator, OrderLifecycle lifecycle, IdempotencyKeys keys,
                       SyncWait syncWait, Problems problems, io.paygate.observe.PaygateMetrics metrics) {
        this.json = json;
        this.canonical = json.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
        this.validator = validator;
        this.lifecycle = lifecycle;
        this.keys = keys;
        this.syncWait = syncWait;
        this.problems = problems;
        this.metrics = metrics;
    }

    /**
     * Decodes, screens for card numbers, parses and validates the body; 400 with every problem found.
     * A refusal is noted for the audit trail as "rejected" (field paths and messages only).
     */
    public void readOrder(Exchange exchange) {
        try {
            readValidOrder(exchange);
        } catch (ApiProblem problem) {
            Merchant merchant = exchange.getProperty(MERCHANT, Merchant.class);
            List<Map<String, Object>> errors = new ArrayList<>();
            for (FieldError e : problem.errors()) {
                errors.add(Map.of("field", e.field(), "message", e.message()));
            }
            AuditNotes.add(exchange, AuditNote.of("rejected", null, merchant == null ? null : merchant.id())
                    .outcome(problem.type()).detail(Map.of("errors", errors)));
            throw problem;
        }
    }

    private void readValidOrder(Exchange exchange) {
        byte[] bytes = exchange.getIn().getBody(byte[].class);
        String text = utf8(bytes);
        if (CardNumbers.containsCardNumber(text)) {
            throw ApiProblem.invalid(cardField(text), CARD_MESSAGE);
        }
        JsonNode body;
        try {
            body = json.readTree(text);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the input; say where, never what.
            var loc = e.getLocation();
            throw ApiProblem.invalid("", "the body is not valid JSON"
                    + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"));
        } catch (NumberFormatException e) {
            // A number Jackson cannot hold as BigDecimal (exponent out of int range, e.g. 1e-2147483648).
            throw ApiProblem.invalid("", "the body holds a number out of range");
        }
        if (body == null || body.isMissingNode()) {
            throw ApiProblem.invalid("", "the body is empty; send the order as a JSON object");
        }
        String hidden = findCardNumber(body, "");
        if (hidden != null) {
            throw ApiProblem.invalid(hidden, CARD_MESSAGE);
        }
        Merchant merchant = exchange.getProperty(MERCHANT, Merchant.class);
        List<FieldError> errors = validator.validate(body, merchant);
        String key = exchange.getIn().getHeader("Idempotency-Key", String.class);
        if (key != null && (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 32 && c < 127))) {
            errors = new ArrayList<>(errors);
            errors.add(new FieldError("Idempotency-Key", "header must be 1 to 255 printable ASCII characters"));
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid(errors);
        }
        OrderRequest request = validator.toRequest(body);
        exchange.setProperty(REQUEST, request);
        IdempotencyRecord record = IdempotencyRecord.forRequest(merchant.id(), key, request.orderId(),
                fingerprint(body), "pg_" + TimeOrderedIds.hex(TimeOrderedIds.secure()), OrderStore.now());
        exchange.setProperty(KEY, record);
        // Noted now (its time is when the order arrived), put on the record only if the order is stored.
        exchange.setProperty(RECEIVED_NOTE, AuditNote.of("received", record.orderReference(), merchant.id())
                .detail(receivedDetail(request, key)));
    }

    /** The order as received, for the audit trail (the Redactor masks token, e-mail and phone). */
    private Map<String, Object> receivedDetail(OrderRequest r, String idempotencyKey) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("orderId", r.orderId());
        detail.put("amount", r.amount());
        detail.put("currency", r.currency());
        detail.put("paymentMethod", Map.of("type", r.paymentType(), "token", r.paymentToken()));
        if (r.customerJson() != null) {
            try {
                detail.put("customer", json.readValue(r.customerJson(), Map.class));
            } catch (JsonProcessingException e) {
                detail.put("customer", "unreadable");
            }
        }
        if (r.callbackUrl() != null) {
            detail.put("callbackUrl", r.callbackUrl());
        }
        if (r.preferredProvider() != null) {
            detail.put("provider", r.preferredProvider());
        }
        if (idempotencyKey != null) {
            detail.put("idempotencyKey", idempotencyKey);
        }
        return detail;
    }

    /**
     * Stores the order as RECEIVED together with its idempotency key. If the key is known, sets
     * {@link #REPLAY} and answers from it instead (replay, 409 or 422).
     */
    public void accept(Exchange exchange) throws Exception {
        Merchant merchant = exchange.getProperty(MERCHANT, Merchant.class);
        OrderRequest r = exchange.getProperty(REQUEST, OrderRequest.class);
        IdempotencyRecord key = exchange.getProperty(KEY, IdempotencyRecord.class);
        var now = key.createdAt();
        Order received = Order.received(key.orderReference(), merchant.id(), r, now);
        // the first attempt's claim rides with the insert when dispatch allowed it (Dispatcher#claimOnArrival)
        ArrivalClaim claim = exchange.getProperty(ArrivalClaim.PROPERTY, ArrivalClaim.class);
        Order order = claim == null ? received
                : lifecycle.claimedOnArrival(received, claim.provider(), now.plus(claim.replyDeadline()));
        Database.Committed<OrderStore.InsertResult> stored = lifecycle.store().insert(order, key);
        if (stored.value() != OrderStore.InsertResult.STORED) {
            exchange.removeProperty(ArrivalClaim.PROPERTY);
        }
        switch (stored.value()) {
            case STORED -> {
                exchange.setProperty(NEW_ORDER, order);
                exchange.setProperty(RECEIVED_ORDER, received);
                exchange.setProperty(WRITTEN, stored.written());
                // before the first attempt starts, so that its settlement cannot slip past respond()
                exchange.setProperty(FINAL_STATE, lifecycle.watch(order.reference()));
                exchange.getIn().setBody(DispatchMessage.of(order.reference()));
                AuditNote receivedNote = exchange.getProperty(RECEIVED_NOTE, AuditNote.class);
                if (receivedNote != null) {
                    AuditNotes.add(exchange, receivedNote);
                }
                AuditNotes.add(exchange, AuditNote.of("stored", order.reference(), merchant.id())
                        .outcome(OrderStatus.RECEIVED.name()));
                // stored and claimed in one transaction: one event, one line (each line costs every order)
                LOG.info("order {} received from merchant {} as {}{}", r.orderId(), merchant.id(), order.reference(),
                        claim == null ? "" : ": RECEIVED -> SENT");
            }
            case KEY_EXISTS -> {
                exchange.setProperty(REPLAY, true);
                answerKnownKey(exchange, key, r.orderId());
            }
            case ORDER_ID_EXISTS -> throw new ApiProblem(409, "order-exists", "Order already exists",
                    "orderId " + r.orderId() + " was already submitted with another Idempotency-Key; read it at /api/orders/"
                            + r.orderId());
        }
    }

    /**
     * The sync wait starts: the storefront is answered within it, by {@link #respond} or, if the
     * first attempt (made next, on this thread) is still going when it runs out, with 202 and the
     * status URL on the connection while the attempt goes on ({@link SyncWait}).
     */
    public void startSyncWait(Exchange exchange) {
        Order order = exchange.getProperty(NEW_ORDER, Order.class);
        IdempotencyRecord key = exchange.getProperty(KEY, IdempotencyRecord.class);
        Database.Written written = exchange.getProperty(WRITTEN, Database.Written.class);
        exchange.setProperty(SYNC_WAIT, syncWait.start(exchange,
                () -> answer(order, key, lifecycle.store().find(order.reference()).orElse(order), written),
                failure -> problems.answer(failure, exchange.getFromRouteId(), "/api/orders")));
    }

    /**
     * Waits for what is left of the sync wait for a final state: 200 with it, else 202 with the
     * status URL. Nothing if the sync wait ran out during the first attempt: 202 was answered then.
     */
    public void respond(Exchange exchange) throws Exception {
        SyncWait.Request wait = exchange.getProperty(SYNC_WAIT, SyncWait.Request.class);
        if (!wait.answeredByRoute()) {
            return;
        }
        Order order = exchange.getProperty(NEW_ORDER, Order.class);
        Order latest;
        try {
            @SuppressWarnings("unchecked")
            CompletableFuture<Order> settled = exchange.getProperty(FINAL_STATE, CompletableFuture.class);
            latest = lifecycle.awaitFinal(order, wait.left(), settled);
        } catch (SQLException e) {
            latest = order; // accepted and queued: the answer is 202, whatever the database does now
        }
        answer(order, exchange.getProperty(KEY, IdempotencyRecord.class), latest,
                exchange.getProperty(WRITTEN, Database.Written.class)).writeTo(exchange);
    }

    /** The answer to a new order's POST, once the sync wait is over: 200 if final, else 202 (recorded for replay). */
    private SyncWait.Answer answer(Order order, IdempotencyRecord key, Order latest, Database.Written written)
            throws SQLException {
        // no answer before the order is in the file (by now a later write has nearly always held it:
        // the claim's or the settlement's); if the file cannot be written the answer is 503, as for
        // any database outage
        written.await();
        int status = latest.status().isFinal() ? 200 : 202;
        metrics.syncWait(status);
        String body = OrderViews.json(json, latest);
        if (status == 202) {
            // A 202 is replayed as it was (its state moves on); a 200's order is final and never
            // changes again, so a replay renders the same bytes from the row: no write needed.
            try {
                keys.answer(key, status, body);
            } catch (SQLException e) {
                LOG.warn("answer for order {} not recorded for replay: {}", order.reference(), e.getMessage());
            }
        }
        return new SyncWait.Answer(status, HttpAnswers.JSON, body, answerHeaders(status, latest.orderId(), false));
    }

    /** {@code GET /api/orders/{orderId}}: the merchant's own orders only; others' are 404. */
    public void read(Exchange exchange) throws Exception {
        Merchant merchant = exchange.getProperty(MERCHANT, Merchant.class);
        String orderId = exchange.getIn().getHeader("orderId", String.class);
        Optional<Order> order = orderId == null ? Optional.empty() : lifecycle.store().findByOrderId(merchant.id(), orderId);
        if (order.isEmpty()) {
            throw new ApiProblem(404, "not-found", "Order not found", "no order with this orderId");
        }
        HttpAnswers.write(exchange, 200, HttpAnswers.JSON, OrderViews.json(json, order.get()), Map.of());
    }

    /** Same key seen before: replay its answer, or 409 / 422. Same fingerprint means same orderId. */
    private void answerKnownKey(Exchange exchange, IdempotencyRecord attempt, String orderId) throws Exception {
        IdempotencyRecord known = keys.find(attempt)
                .orElseThrow(() -> new ApiProblem(409, "request-in-progress", "Request in progress",
                        "a request with this Idempotency-Key is being processed; retry shortly"));
        if (!known.fingerprint().equals(attempt.fingerprint())) {
            throw new ApiProblem(422, "idempotency-key-reused", "Idempotency-Key reused",
                    "this Idempotency-Key was used for a different request body; use a new key for a new order");
        }
        if (known.answered()) {
            HttpAnswers.write(exchange, known.responseStatus(), HttpAnswers.JSON, known.responseBody(),
                    answerHeaders(known.responseStatus(), orderId, true));
            return;
        }
        // Final within the first request's sync wait: that answer was a 200 of exactly this row.
        Optional<Order> settled = lifecycle.store().find(known.orderReference()).filter(o -> o.status().isFinal());
        if (settled.isPresent()) {
            HttpAnswers.write(exchange, 200, HttpAnswers.JSON, OrderViews.json(json, settled.get()),
                    answerHeaders(200, orderId, true));
            return;
        }
        boolean firstStillWaiting = known.createdAt().plus(syncWait.duration()).plusSeconds(10).isAfter(OrderStore.now());
        if (firstStillWaiting) {
            throw new ApiProblem(409, "request-in-progress", "Request in progress",
                    "a request with this Idempotency-Key is still being processed; retry after it was answered",
                    List.of(), Map.of("Retry-After", "1"));
        }
        // The first request never recorded its answer (its node died): answer from the order's state.
        Order order = lifecycle.store().find(known.orderReference())
                .orElseThrow(() -> new ApiProblem(409, "request-in-progress", "Request in progress", "retry shortly"));
        int status = order.status().isFinal() ? 200 : 202;
        String body = OrderViews.json(json, order);
        keys.answer(known, status, body);
        HttpAnswers.write(exchange, status, HttpAnswers.JSON, body, answerHeaders(status, order.orderId(), true));
    }

    private static Map<String, String> answerHeaders(int status, String orderId, boolean replayed) {
        Map<String, String> headers = new HashMap<>();
        if (status == 202) {
            headers.put("Location", "/api/orders/" + orderId);
        }
        if (replayed) {
            headers.put("Idempotent-Replayed", "true");
        }
        return headers;
    }

    private String fingerprint(JsonNode body) {
        try {
            Object plain = canonical.treeToValue(body, Object.class);
            byte[] bytes = canonical.writeValueAsBytes(plain);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException("cannot fingerprint request", e);
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes == null ? new byte[0] : bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ApiProblem.invalid("", "the body is not valid UTF-8");
        }
    }

    /** Best effort to name the field holding a card number in a body that may not even parse. */
    private String cardField(String text) {
        try {
            String field = findCardNumber(json.readTree(text), "");
            return field == null ? "" : field;
        } catch (Exception e) {
            return "";
        }
    }

    /** JSON pointer of the first field name or value holding a card number, or null. */
    private static String findCardNumber(JsonNode node, String path) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (CardNumbers.containsCardNumber(e.getKey())) {
                    return path; // the name itself must not be echoed
                }
                String found = findCardNumber(e.getValue(), path + "/" + e.getKey().replace("~", "~0").replace("/", "~1"));
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = findCardNumber(node.get(i), path + "/" + i);
                if (found != null) {
                    return found;
                }
            }
        } else if ((node.isTextual() || node.isNumber()) && CardNumbers.containsCardNumber(node.asText())) {
            return path;
        }
        return null;
    }
}
