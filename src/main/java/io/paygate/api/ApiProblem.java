package io.paygate.api;

import java.util.List;
import java.util.Map;

/**
 * A request paygate answers with an RFC 9457 problem document instead of processing it.
 * Thrown by any step of an API route; rendered by {@link Problems}. Carries no stack trace:
 * it is an answer, not a fault.
 */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final List<FieldError> errors;
    private final Map<String, String> headers;

    public ApiProblem(int status, String type, String title, String detail, List<FieldError> errors,
                      Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    public ApiProblem(int status, String type, String title, String detail) {
        this(status, type, title, detail, List.of(), Map.of());
    }

    public static ApiProblem invalid(List<FieldError> errors) {
        return new ApiProblem(400, "invalid-request", "The request is not valid",
                errors.size() == 1 ? "1 field is not valid" : errors.size() + " fields are not valid",
                errors, Map.of());
    }

    public static ApiProblem invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ApiProblem unavailable(String detail, int retryAfterSeconds) {
        return new ApiProblem(503, "unavailable", "paygate cannot accept orders durably right now", detail,
                List.of(), Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public List<FieldError> errors() {
        return errors;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
