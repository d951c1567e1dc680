package io.paygate.simulator;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.math.BigDecimal;

/** A payment request of the reference provider protocol, validated on parse. */
record PaymentRequest(String reference, BigDecimal amount, String currency, String token) {

    static PaymentRequest parse(byte[] json) throws InvalidRequestException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new InvalidRequestException("body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("body must be a JSON object");
        }
        String reference = requiredText(root, "reference");
        BigDecimal amount;
        try {
            amount = new BigDecimal(requiredText(root, "amount"));
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("amount must be a decimal string");
        }
        if (amount.signum() <= 0) {
            throw new InvalidRequestException("amount must be positive");
        }
        String currency = requiredText(root, "currency");
        if (!currency.matches("[A-Z]{3}")) {
            throw new InvalidRequestException("currency must be a 3-letter ISO 4217 code");
        }
        return new PaymentRequest(reference, amount, currency, requiredText(root, "token"));
    }

    private static String requiredText(JsonNode root, String field) throws InvalidRequestException {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw new InvalidRequestException(field + " must be a non-empty string");
        }
        return node.asText();
    }

    /** Never expose the token: it stands for card data and must not reach logs. */
    @Override
    public String toString() {
        return "PaymentRequest[reference=" + reference + ", amount=" + amount + ", currency=" + currency + "]";
    }

    /** The request breaks the protocol; answered with 400 (HTTP) or an error reply (JMS). */
    static final class InvalidRequestException extends Exception {
        InvalidRequestException(String message) {
            super(message, null, false, false);
        }
    }
}
