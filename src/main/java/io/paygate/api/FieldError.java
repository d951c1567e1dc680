package io.paygate.api;

/** One problem with one field of a request, the field named by a JSON pointer ("/paymentMethod/token"). */
public record FieldError(String field, String message) {
}
