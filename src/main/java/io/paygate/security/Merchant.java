package io.paygate.security;

import java.util.Set;

/** A shop that may send orders. Its API key is only known as a SHA-256 hash. */
public record Merchant(String id, byte[] apiKeyHash, Set<String> currencies, String webhookSecret) {

    @Override
    public String toString() {
        return "Merchant[" + id + "]"; // never print the hash or the webhook secret
    }
}
