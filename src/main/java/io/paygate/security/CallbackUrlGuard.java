package io.paygate.security;

import io.paygate.Settings;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides where paygate may send a merchant's webhooks, so that a callbackUrl can never make
 * paygate call into its own network (SSRF). A URL is allowed only if it is http(s), carries no
 * credentials, its host is on the merchant's allow-list ({@code paygate.merchant.<id>.webhook-hosts})
 * and, unless the merchant may use private addresses ({@code .webhook-allow-private}), every
 * address the host resolves to is public: no loopback, link-local (169.254/16, cloud metadata),
 * private (10/8, 172.16/12, 192.168/16, fc00::/7), unspecified, shared (100.64/10) or multicast.
 * Checked at submission ({@link #refusal}) and again at send time against the addresses the
 * connection will use ({@link #addressesToConnect}), so a name that re-resolves elsewhere
 * (DNS rebinding) is caught.
 */
public class CallbackUrlGuard {

    /** One merchant's rules. {@code defaultUrl} is used when an order has no callbackUrl (may be null). */
    public record Policy(Set<String> hosts, boolean allowPrivate, String defaultUrl) {
    }

    /** Name resolution, replaceable in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A URL paygate will not send to, with the reason (safe to show to the merchant). */
    public static class Refused extends Exception {
        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private final Map<String, Policy> policies;
    private final Resolver resolver;

    public CallbackUrlGuard(Map<String, Policy> policies, Resolver resolver) {
        this.policies = Map.copyOf(policies);
        this.resolver = resolver;
        this.policies.forEach((merchant, policy) -> {
            if (policy.defaultUrl() != null) {
                try {
                    checkShape(policy, policy.defaultUrl());
                } catch (Refused e) {
                    throw new IllegalStateException("merchant " + merchant + ": webhook-url " + e.getMessage());
                }
            }
        });
    }

    /**
     * Reads, for each of {@code paygate.merchants}: {@code paygate.merchant.<id>.webhook-hosts}
     * (comma list), {@code .webhook-allow-private} (default false) and {@code .webhook-url}
     * (optional), each also from {@code PAYGATE_MERCHANT_<ID>_WEBHOOK_HOSTS} and so on.
     */
    public static CallbackUrlGuard fromSettings(Settings settings) {
        Map<String, Policy> policies = new HashMap<>();
        for (String id : settings.list("paygate.merchants", "")) {
            Set<String> hosts = Arrays.stream(MerchantDirectory.setting(settings, id, "webhook-hosts").orElse("").split(","))
                    .map(String::trim)
                    .filter(h -> !h.isEmpty())
                    .map(CallbackUrlGuard::canonicalHost)
                    .collect(Collectors.toUnmodifiableSet());
            boolean allowPrivate = MerchantDirectory.setting(settings, id, "webhook-allow-private")
                    .map(v -> v.equalsIgnoreCase("true")).orElse(false);
            String defaultUrl = MerchantDirectory.setting(settings, id, "webhook-url").orElse(null);
            policies.put(id, new Policy(hosts, allowPrivate, defaultUrl));
        }
        return new CallbackUrlGuard(policies, InetAddress::getAllByName);
    }

    /** The merchant's default webhook URL, if configured. */
    public Optional<String> defaultUrl(String merchantId) {
        Policy policy = policies.get(merchantId);
        return policy == null ? Optional.empty() : Optional.ofNullable(policy.defaultUrl());
    }

    /**
     * At submission: why {@code url} is refused for this merchant, or empty when it is allowed.
     * A host that does not resolve now is allowed; it is checked again when sending.
     */
    public Optional<String> refusal(String merchantId, String url) {
        try {
            Policy policy = policy(merchantId);
            URI uri = checkShape(policy, url);
            if (!policy.allowPrivate()) {
                try {
                    checkAddresses(uri.getHost(), resolver.resolve(canonicalHost(uri.getHost())));
                } catch (UnknownHostException e) {
                    // not resolvable right now: the send-time check decides
                }
            }
            return Optional.empty();
        } catch (Refused e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * At send time: resolves the host and checks every address; the caller must connect to
     * these addresses only (never resolve the name again).
     */
    public List<InetAddress> addressesToConnect(String merchantId, String url) throws Refused, UnknownHostException {
        Policy policy = policy(merchantId);
        URI uri = checkShape(policy, url);
        InetAddress[] addresses = resolver.resolve(canonicalHost(uri.getHost()));
        if (!policy.allowPrivate()) {
            checkAddresses(uri.getHost(), addresses);
        }
        return List.of(addresses);
    }

    private Policy policy(String merchantId) throws Refused {
        Policy policy = policies.get(merchantId);
        if (policy == null) {
            throw new Refused("is not allowed: no webhook hosts are configured for this merchant");
        }
        return policy;
    }

    private static URI checkShape(Policy policy, String url) throws Refused {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            throw new Refused("must be an absolute http or https URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new Refused("must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("must not carry user credentials");
        }
        String host = canonicalHost(uri.getHost());
        if (!policy.hosts().contains(host)) {
            throw new Refused("host " + host + " is not on this merchant's webhook allow-list");
        }
        return uri;
    }

    private static void checkAddresses(String host, InetAddress[] addresses) throws Refused {
        for (InetAddress address : addresses) {
            String kind = forbiddenKind(address);
            if (kind != null) {
                throw new Refused("host " + canonicalHost(host) + " resolves to a " + kind
                        + " address; webhooks go to public addresses only");
            }
        }
    }

    /** The kind of non-public address this is, or null for a public one. */
    static String forbiddenKind(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) {
                return "unspecified"; // 0.0.0.0/8 reaches the local host on some systems
            }
            if (first == 100 && second >= 64 && second < 128) {
                return "private"; // shared address space (carrier-grade NAT)
            }
            if (first == 255) {
                return "broadcast";
            }
            return null;
        }
        if (address instanceof Inet6Address v6) {
            if ((b[0] & 0xfe) == 0xfc) {
                return "private"; // unique local fc00::/7
            }
            if (v6.isIPv4CompatibleAddress() || isNat64(b)) {
                try {
                    return forbiddenKind(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException e) {
                    return "unspecified";
                }
            }
        }
        return null;
    }

    /** 64:ff9b::/96 carries an IPv4 address in its last four bytes. */
    private static boolean isNat64(byte[] b) {
        byte[] prefix = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
        return Arrays.equals(Arrays.copyOfRange(b, 0, 12), prefix);
    }

    /** Lower case, without IPv6 brackets or a trailing dot; IPv6 literals in one spelling. */
    static String canonicalHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.contains(":")) {
            try {
                h = InetAddress.getByName(h).getHostAddress(); // a literal: no lookup
            } catch (UnknownHostException e) {
                // not a valid IPv6 literal: compared as written, and never resolvable
            }
        }
        return h;
    }
}
