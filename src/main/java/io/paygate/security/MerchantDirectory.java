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

    /** Reads {@code paygate.merchants} and each {@code paygate.merchant.<id>.*} block. */
    public static MerchantDirectory fromSettings(Settings settings) {
        return new MerchantDirectory(settings.list("paygate.merchants", "").stream().map(id -> {
            String prefix = "paygate.merchant." + id + ".";
            byte[] hash = HexFormat.of().parseHex(settings.string(prefix + "api-key-sha256").toLowerCase(Locale.ROOT));
            if (hash.length != 32) {
                throw new IllegalStateException(prefix + "api-key-sha256 must be 64 hex characters");
            }
            var currencies = new LinkedHashSet<>(settings.list(prefix + "currencies", "EUR"));
            return new Merchant(id, hash, currencies, settings.string(prefix + "webhook-secret"));
        }).toList());
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

    public Optional<Merchant> byId(String id) {
        return merchants.stream().filter(m -> m.id().equals(id)).findFirst();
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
