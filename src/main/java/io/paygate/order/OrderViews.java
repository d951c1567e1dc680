package io.paygate.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** The storefront's view of an order: the JSON of every answer that carries one. */
public final class OrderViews {

    private OrderViews() {
    }

    public static Map<String, Object> view(Order order) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("orderId", order.orderId());
        v.put("status", order.status().name());
        v.put("provider", order.provider());
        v.put("reference", order.reference());
        v.put("providerReference", order.providerReference());
        v.put("reason", order.reason());
        v.put("amount", order.amount());
        v.put("currency", order.currency());
        v.put("createdAt", order.createdAt() == null ? null : order.createdAt().toString());
        v.put("updatedAt", order.updatedAt() == null ? null : order.updatedAt().toString());
        return v;
    }

    public static String json(ObjectMapper mapper, Order order) {
        try {
            return mapper.writeValueAsString(view(order));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
