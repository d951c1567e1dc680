package io.paygate.security;

import io.paygate.Settings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The configured merchants, and the one way to tell which merchant an API key belongs to. */
public class MerchantDirectory {

    private final List<Merchant> merchants;

    public MerchantDirectory(List<Merchant> merchants) {
        this.merchants = List.copyOf(merchants);
    }

    /**
     * Reads {@code paygate.merchants} and, for each id, {@code paygate.merchant.<id>.api-key-sha256},
     * {@code .currencies} and {@code .webhook-secret}; each may instead come from the environment
     * variable {@code PAYGATE_MERCHANT_<ID>_API_KEY_SHA256} (and so on), so merchants can be added
     * without editing the file.
     */
    public static MerchantDirectory fromSettings(Settings settings) {
        return new MerchantDirectory(settings.list("paygate.merchants", "").stream().map(id -> {
            String hashHex = setting(settings, id, "api-key-sha256")
                    .orElseThrow(() -> new IllegalStateException("merchant " + id + " has no api-key-sha256"));
            if (!hashHex.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalStateException("merchant " + id + ": api-key-sha256 must be 64 hex characters");
            }
            byte[] hash = HexFormat.of().parseHex(hashHex.toLowerCase(Locale.ROOT));
            var currencies = new LinkedHashSet<String>();
            for (String c : setting(settings, id, "currencies").orElse("EUR").split(",")) {
                if (!c.isBlank()) {
                    currencies.add(c.trim().toUpperCase(Locale.ROOT));
                }
            }
            String webhookSecret = setting(settings, id, "webhook-secret")
                    .orElseThrow(() -> new IllegalStateException("merchant " + id + " has no webhook-secret"));
            return new Merchant(id, hash, currencies, webhookSecret);
        }).toList());
    }

    /** A merchant's setting from the properties, or else from PAYGATE_MERCHANT_<ID>_<NAME>. */
    static Optional<String> setting(Settings settings, String merchantId, String name) {
        String env = ("PAYGATE_MERCHANT_" + merchantId + "_" + name).toUpperCase(Locale.ROOT).replace('-', '_');
        return settings.optional("paygate.merchant." + merchantId + "." + name)
                .or(() -> Optional.ofNullable(System.getenv(env)).map(String::trim).filter(v -> !v.isEmpty()));
    }

    /** The merchant with this id (for work done on its behalf, such as signing its webhooks). */
    public Optional<Merchant> find(String id) {
        return merchants.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /**
     * Finds the merchant owning {@code apiKey}. Every configured hash is compared in constant
     * time and the loop never stops early, so timing tells nothing about which key is close.
     */
    public Optional<Merchant> authenticate(String apiKey) {
        if (apiKey == null || apiKey.isEmpty() || apiKey.length() > 256) {
            return Optional.empty();
        }
        byte[] presented = sha256(apiKey);
        Merchant found = null;
        for (Merchant m : merchants) {
            if (MessageDigest.isEqual(presented, m.apiKeyHash())) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For operators: {@code java -cp paygate.jar io.paygate.security.MerchantDirectory <key>} prints its hash. */
    public static void main(String[] args) {
        System.out.println(HexFormat.of().formatHex(sha256(args[0])));
    }
}
