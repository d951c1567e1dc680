package io.paygate.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.api.FieldError;
import io.paygate.security.Merchant;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The storefront contract's field rules, all checked at once so a shop sees every mistake in
 * one answer. Field paths are JSON pointers.
 */
public class OrderValidator {

    private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern DECIMAL = Pattern.compile("(0|[1-9][0-9]{0,17})(\\.[0-9]{1,6})?");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s\"<>]+@[^@\\s\"<>.]+(\\.[^@\\s\"<>.]+)+");
    private static final Pattern CURRENCY_CODE = Pattern.compile("[A-Z]{3}");
    private static final Set<String> TOP_LEVEL = Set.of(
            "orderId", "amount", "currency", "paymentMethod", "customer", "callbackUrl", "provider");
    private static final Set<String> PAYMENT_METHOD = Set.of("type", "token");
    private static final Set<String> CUSTOMER = Set.of("id", "name", "email", "phone", "country");
    private static final int MAX_CUSTOMER_JSON = 4000;

    private final BigDecimal maxAmount;
    private final Map<String, BigDecimal> maxAmountByCurrency;
    private final Set<String> paymentTypes;
    private final Predicate<String> providerExists;
    private final CallbackUrls callbackUrls;

    /** Where a merchant's webhooks may go: the reason a callbackUrl is refused, or empty. */
    @FunctionalInterface
    public interface CallbackUrls {
        Optional<String> refusal(String merchantId, String url);
    }

    public OrderValidator(BigDecimal maxAmount, Map<String, BigDecimal> maxAmountByCurrency, Set<String> paymentTypes,
                          Predicate<String> providerExists, CallbackUrls callbackUrls) {
        this.maxAmount = maxAmount;
        this.maxAmountByCurrency = Map.copyOf(maxAmountByCurrency);
        this.paymentTypes = Set.copyOf(paymentTypes);
        this.providerExists = providerExists;
        this.callbackUrls = callbackUrls;
    }

    /** Returns the problems found; an empty list means {@link #toRequest} may be called. */
    public List<FieldError> validate(JsonNode body, Merchant merchant) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            errors.add(new FieldError("", "the body must be a JSON object"));
            return errors;
        }
        unknownFields(body, "", TOP_LEVEL, errors);

        String orderId = text(body, "/orderId", errors, true);
        if (orderId != null && !ORDER_ID.matcher(orderId).matches()) {
            errors.add(new FieldError("/orderId", "must be 1 to 64 characters of A-Z a-z 0-9 . _ : -"));
        }

        String currencyCode = text(body, "/currency", errors, true);
        Currency currency = null;
        if (currencyCode != null) {
            currency = isoCurrency(currencyCode);
            if (currency == null) {
                errors.add(new FieldError("/currency", "must be an ISO 4217 currency code such as EUR"));
            } else if (!merchant.currencies().contains(currencyCode)) {
                errors.add(new FieldError("/currency", "is not accepted for this merchant (accepted: "
                        + String.join(", ", merchant.currencies()) + ")"));
            }
        }

        String amount = text(body, "/amount", errors, true);
        if (amount != null) {
            checkAmount(amount, currency, errors);
        }

        JsonNode method = object(body, "/paymentMethod", errors, true);
        if (method != null) {
            unknownFields(method, "/paymentMethod", PAYMENT_METHOD, errors);
            String type = text(method, "/paymentMethod/type", errors, true);
            if (type != null && !paymentTypes.contains(type)) {
                errors.add(new FieldError("/paymentMethod/type", "must be one of " + String.join(", ", sorted(paymentTypes))));
            }
            String token = text(method, "/paymentMethod/token", errors, true);
            if (token != null && (token.isBlank() || token.length() > 256 || !token.chars().allMatch(c -> c > 32 && c < 127))) {
                errors.add(new FieldError("/paymentMethod/token", "must be 1 to 256 printable ASCII characters without spaces"));
            }
        }

        JsonNode customer = object(body, "/customer", errors, false);
        if (customer != null) {
            unknownFields(customer, "/customer", CUSTOMER, errors);
            for (String field : CUSTOMER) {
                String value = text(customer, "/customer/" + field, errors, false);
                if (value != null && value.length() > 256) {
                    errors.add(new FieldError("/customer/" + field, "must be at most 256 characters"));
                }
            }
            String email = customer.path("email").isTextual() ? customer.get("email").asText() : null;
            if (email != null && (email.length() > 254 || !EMAIL.matcher(email).matches())) {
                errors.add(new FieldError("/customer/email", "must be an e-mail address such as buyer@example.com"));
            }
            // Stored as JSON text in orders.customer_json (VARCHAR 4000); escaped control characters
            // can make five 256-character fields longer than that.
            if (customer.toString().length() > MAX_CUSTOMER_JSON) {
                errors.add(new FieldError("/customer", "must be at most " + MAX_CUSTOMER_JSON + " characters as JSON"));
            }
        }

        String callbackUrl = text(body, "/callbackUrl", errors, false);
        if (callbackUrl != null && !isHttpUrl(callbackUrl)) {
            errors.add(new FieldError("/callbackUrl", "must be an absolute http or https URL of at most 2048 characters"));
        } else if (callbackUrl != null) {
            callbackUrls.refusal(merchant.id(), callbackUrl)
                    .ifPresent(reason -> errors.add(new FieldError("/callbackUrl", reason)));
        }

        String provider = text(body, "/provider", errors, false);
        if (provider != null && !providerExists.test(provider)) {
            errors.add(new FieldError("/provider", "is not a provider paygate knows"));
        }
        return errors;
    }

    /** Builds the request from a body that {@link #validate} accepted. */
    public OrderRequest toRequest(JsonNode body) {
        JsonNode customer = body.get("customer");
        return new OrderRequest(
                body.get("orderId").asText(),
                body.get("amount").asText(),
                body.get("currency").asText(),
                body.get("paymentMethod").get("type").asText(),
                body.get("paymentMethod").get("token").asText(),
                customer == null || customer.isNull() ? null : customer.toString(),
                textOrNull(body, "callbackUrl"),
                textOrNull(body, "provider"));
    }

    private void checkAmount(String amount, Currency currency, List<FieldError> errors) {
        if (!DECIMAL.matcher(amount).matches()) {
            errors.add(new FieldError("/amount", "must be a decimal string such as \"12.50\""));
            return;
        }
        BigDecimal value = new BigDecimal(amount);
        if (value.signum() <= 0) {
            errors.add(new FieldError("/amount", "must be greater than zero"));
            return;
        }
        if (currency == null) {
            return;
        }
        int digits = currency.getDefaultFractionDigits();
        if (value.scale() != digits) {
            errors.add(new FieldError("/amount", digits == 0
                    ? "must have no decimal places for " + currency.getCurrencyCode()
                    : "must have exactly " + digits + " decimal places for " + currency.getCurrencyCode()));
            return;
        }
        BigDecimal max = maxAmountByCurrency.getOrDefault(currency.getCurrencyCode(), maxAmount);
        if (value.compareTo(max) > 0) {
            errors.add(new FieldError("/amount", "must not exceed " + max.toPlainString() + " " + currency.getCurrencyCode()));
        }
    }

    private static Currency isoCurrency(String code) {
        if (!CURRENCY_CODE.matcher(code).matches()) {
            return null;
        }
        try {
            Currency c = Currency.getInstance(code);
            // Funds, metals and testing codes (XAU, XTS, XXX) have no minor units: not payable.
            return c.getDefaultFractionDigits() < 0 ? null : c;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isHttpUrl(String value) {
        if (value.length() > 2048) {
            return false;
        }
        try {
            URI uri = new URI(value);
            return uri.isAbsolute()
                    && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null && !uri.getHost().isBlank();
        } catch (Exception e) {
            return false;
        }
    }

    private static void unknownFields(JsonNode node, String path, Set<String> known, List<FieldError> errors) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
                errors.add(new FieldError(path + "/" + shown.replace("~", "~0").replace("/", "~1"),
                        "is not a known field (allowed: " + String.join(", ", sorted(known)) + ")"));
            }
        }
    }

    /** The field's text, or null (with an error when required or of the wrong type). */
    private static String text(JsonNode parent, String path, List<FieldError> errors, boolean required) {
        JsonNode node = parent.get(lastSegment(path));
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(new FieldError(path, "is required"));
            }
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError(path, "must be a string"));
            return null;
        }
        return node.asText();
    }

    private static JsonNode object(JsonNode parent, String path, List<FieldError> errors, boolean required) {
        JsonNode node = parent.get(lastSegment(path));
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(new FieldError(path, "is required"));
            }
            return null;
        }
        if (!(node instanceof ObjectNode)) {
            errors.add(new FieldError(path, "must be an object"));
            return null;
        }
        return node;
    }

    private static String textOrNull(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String lastSegment(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
