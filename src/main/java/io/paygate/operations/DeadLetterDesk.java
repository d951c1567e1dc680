package io.paygate.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.api.ApiProblem;
import io.paygate.api.FieldError;
import io.paygate.api.HttpAnswers;
import io.paygate.audit.AuditNote;
import io.paygate.audit.AuditNotes;
import io.paygate.broker.DeadLetter;
import io.paygate.broker.DeadLetterQueue;
import io.paygate.security.AdminAuthenticator;
import io.paygate.security.CardNumbers;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * The operator endpoints on paygate.dlq (routes/admin.yaml): list, read one, replay it to the
 * queue it came from, discard it with a reason. Replays and discards are recorded in
 * operator_actions and noted for the audit trail.
 *
 * <p>What a dead letter may hold: paygate's own messages carry references only (a dispatch
 * message is {@code {"reference"}}), provider replies carry the provider's answer, and a message
 * the broker dead-lettered from a provider's request queue carries the payment request with its
 * provider token. So every body shown is screened: payment tokens are masked and a body that
 * looks like it holds a card number is withheld. Replays send the stored body, unmasked.
 */
public class DeadLetterDesk {

    static final int PREVIEW_CHARS = 2048;
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final ObjectMapper json;
    private final DeadLetterQueue dlq;
    private final OperatorActions actions;

    public DeadLetterDesk(ObjectMapper json, DeadLetterQueue dlq, OperatorActions actions) {
        this.json = json;
        this.dlq = dlq;
        this.actions = actions;
    }

    /** GET /api/admin/dlq?limit= — the oldest messages first, each with a body preview. */
    public void list(Exchange exchange) throws Exception {
        int limit = OperatorRequests.limit(exchange, DEFAULT_LIMIT, MAX_LIMIT);
        List<Map<String, Object>> messages = new ArrayList<>();
        for (DeadLetter letter : dlq.browse(limit)) {
            messages.add(view(letter, true));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("count", messages.size());
        answer.put("limit", limit);
        answer.put("messages", messages);
        ok(exchange, answer);
    }

    /** GET /api/admin/dlq/{id} — one message with its whole (screened) body. */
    public void show(Exchange exchange) throws Exception {
        String id = OperatorRequests.pathParameter(exchange, "id");
        DeadLetter letter = dlq.find(id).orElseThrow(() -> noSuchMessage(id));
        ok(exchange, view(letter, false));
    }

    /**
     * POST /api/admin/dlq/{id}/replay — the original body goes back to the queue it came from,
     * with only its correlation id and type, and leaves paygate.dlq in the same JMS transaction.
     */
    public void replay(Exchange exchange) throws Exception {
        String id = OperatorRequests.pathParameter(exchange, "id");
        JsonNode body = OperatorRequests.object(exchange, json, Set.of("reason"), true);
        List<FieldError> errors = new ArrayList<>();
        Optional<String> reason = OperatorRequests.reason(body, false, errors);
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid(errors);
        }
        String operator = exchange.getProperty(AdminAuthenticator.OPERATOR, String.class);
        // Checked before taking it, so a refused replay does not touch the message at all.
        replayable(dlq.find(id).orElseThrow(() -> noSuchMessage(id)));
        Optional<DeadLetter> taken = dlq.take(id, (letter, session) -> {
            String queue = replayable(letter);
            DeadLetterQueue.send(session, queue, letter.body(), letter.correlationId(), letter.type(), letter.sender());
            actions.record(new OperatorAction(OperatorAction.REPLAYED, letter.id(), operator, reason.orElse(null),
                    "to " + queue + ": " + letter.reason(), now()));
        });
        DeadLetter letter = taken.orElseThrow(() -> noSuchMessage(id));
        note(exchange, OperatorAction.REPLAYED, letter, operator, reason.orElse(null));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", letter.id());
        answer.put("replayedTo", letter.originalQueue());
        answer.put("operator", operator);
        ok(exchange, answer);
    }

    /** POST /api/admin/dlq/{id}/discard {"reason"} — removes the message; who and why are recorded. */
    public void discard(Exchange exchange) throws Exception {
        String id = OperatorRequests.pathParameter(exchange, "id");
        JsonNode body = OperatorRequests.object(exchange, json, Set.of("reason"), false);
        List<FieldError> errors = new ArrayList<>();
        Optional<String> reason = OperatorRequests.reason(body, true, errors);
        if (!errors.isEmpty()) {
            throw ApiProblem.invalid(errors);
        }
        String operator = exchange.getProperty(AdminAuthenticator.OPERATOR, String.class);
        dlq.find(id).orElseThrow(() -> noSuchMessage(id)); // a quick 404, without waiting to receive
        Optional<DeadLetter> taken = dlq.take(id, (letter, session) ->
                actions.record(new OperatorAction(OperatorAction.DISCARDED, letter.id(), operator, reason.get(),
                        (letter.originalQueue() == null ? "" : "from " + letter.originalQueue() + ": ")
                                + letter.reason(), now())));
        DeadLetter letter = taken.orElseThrow(() -> noSuchMessage(id));
        note(exchange, OperatorAction.DISCARDED, letter, operator, reason.get());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", letter.id());
        answer.put("discarded", true);
        answer.put("operator", operator);
        answer.put("reason", reason.get());
        ok(exchange, answer);
    }

    /**
     * Only paygate's own queues take replays. A provider's request queue is not one: a replayed
     * payment request would be a second charge request; discard it and let reconciliation ask.
     */
    private static String replayable(DeadLetter letter) {
        String queue = letter.originalQueue();
        if (queue == null || !queue.startsWith("paygate.") || queue.equals(DeadLetterQueue.NAME)) {
            throw new ApiProblem(409, "not-replayable", "This message cannot be replayed",
                    queue == null ? "the queue it came from is not known; discard it instead"
                            : "it came from " + queue + ", which is not one of paygate's own queues; discard it instead");
        }
        if (letter.body() == null) {
            throw new ApiProblem(409, "not-replayable", "This message cannot be replayed",
                    "its body is not text (paygate never opens an ObjectMessage); discard it instead");
        }
        return queue;
    }

    private Map<String, Object> view(DeadLetter letter, boolean preview) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", letter.id());
        v.put("reason", letter.reason());
        v.put("route", letter.route());
        v.put("at", letter.at());
        v.put("originalQueue", letter.originalQueue());
        v.put("correlationId", letter.correlationId());
        String body = screened(letter.body());
        if (preview && body != null && body.length() > PREVIEW_CHARS) {
            v.put("bodyPreview", body.substring(0, PREVIEW_CHARS));
            v.put("bodyTruncated", true);
        } else {
            v.put(preview ? "bodyPreview" : "body", body);
        }
        return v;
    }

    /** Provider tokens masked; a body that looks like it holds a card number is not shown at all. */
    String screened(String body) {
        if (body == null) {
            return null;
        }
        if (CardNumbers.containsCardNumber(body)) {
            return "(withheld: the body looks like it contains a card number)";
        }
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.isContainerNode()) {
                mask(node);
                return json.writeValueAsString(node);
            }
        } catch (Exception e) {
            // not JSON: shown as it is
        }
        return body;
    }

    private static void mask(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (name.equalsIgnoreCase("token") && object.get(name).isValueNode()) {
                    object.put(name, "(masked)");
                } else {
                    mask(object.get(name));
                }
            }
        } else if (node.isArray()) {
            node.forEach(DeadLetterDesk::mask);
        }
    }

    private void note(Exchange exchange, String step, DeadLetter letter, String operator, String reason) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("messageId", letter.id());
        detail.put("operator", operator);
        if (reason != null) {
            detail.put("reason", reason);
        }
        if (letter.originalQueue() != null) {
            detail.put("queue", letter.originalQueue());
        }
        AuditNotes.add(exchange, AuditNote.of(step, reference(letter), null).outcome(letter.reason()).detail(detail));
    }

    /** The order a dead letter is about: a reply's correlation id, or the reference in a dispatch message. */
    private String reference(DeadLetter letter) {
        if (letter.correlationId() != null) {
            return letter.correlationId();
        }
        try {
            JsonNode node = letter.body() == null ? null : json.readTree(letter.body());
            return node == null ? null : node.path("reference").asText(null);
        } catch (Exception e) {
            return null;
        }
    }

    private static ApiProblem noSuchMessage(String id) {
        return new ApiProblem(404, "not-found", "No such dead letter",
                "paygate.dlq holds no message with this id (replayed or discarded already?)");
    }

    private void ok(Exchange exchange, Object answer) throws Exception {
        HttpAnswers.write(exchange, 200, HttpAnswers.JSON, json.writeValueAsString(answer), Map.of());
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
