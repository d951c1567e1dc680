package io.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where webhooks may go, decided by one class; names are resolved by a stand-in DNS here. */
class CallbackUrlGuardTest {

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static CallbackUrlGuard guard(boolean allowPrivate, CallbackUrlGuard.Resolver resolver) {
        return new CallbackUrlGuard(Map.of("shop", new CallbackUrlGuard.Policy(
                Set.of("shop.test", "pay.shop.test", "multi.shop.test"), allowPrivate, null)), resolver);
    }

    /** shop.test is public, pay.shop.test points at the cloud metadata service, multi.shop.test at both. */
    static final CallbackUrlGuard.Resolver DNS = host -> switch (host) {
        case "shop.test" -> new InetAddress[] {ip("93.184.216.34")};
        case "pay.shop.test" -> new InetAddress[] {ip("169.254.169.254")};
        case "multi.shop.test" -> new InetAddress[] {ip("93.184.216.34"), ip("10.1.2.3")};
        default -> throw new UnknownHostException(host);
    };

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.255.0.1", "::1", "169.254.169.254", "fe80::1", "10.0.0.1", "172.16.0.1",
            "172.31.255.255", "192.168.0.1", "fc00::1", "fd12:3456::1", "0.0.0.0", "0.1.2.3", "::", "100.64.0.1",
            "224.0.0.1", "255.255.255.255", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe"})
    void nonPublicAddressesAreForbidden(String address) {
        assertThat(CallbackUrlGuard.forbiddenKind(ip(address))).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1"})
    void publicAddressesAreAllowed(String address) {
        assertThat(CallbackUrlGuard.forbiddenKind(ip(address))).isNull();
    }

    @Test
    void aListedHostWithPublicAddressesIsAllowed() throws Exception {
        CallbackUrlGuard guard = guard(false, DNS);
        assertThat(guard.refusal("shop", "https://shop.test/hooks")).isEmpty();
        assertThat(guard.refusal("shop", "https://SHOP.test./hooks")).isEmpty();
        assertThat(guard.addressesToConnect("shop", "https://shop.test/hooks")).containsExactly(ip("93.184.216.34"));
    }

    @Test
    void aListedNameResolvingToAnInternalAddressIsRefused() {
        CallbackUrlGuard guard = guard(false, DNS);
        assertThat(guard.refusal("shop", "https://pay.shop.test/hooks")).hasValueSatisfying(r -> assertThat(r).contains("link-local"));
        // every address counts, not just the first
        assertThat(guard.refusal("shop", "https://multi.shop.test/hooks")).hasValueSatisfying(r -> assertThat(r).contains("private"));
        assertThatThrownBy(() -> guard.addressesToConnect("shop", "https://multi.shop.test/hooks"))
                .isInstanceOf(CallbackUrlGuard.Refused.class);
    }

    @Test
    void aNameThatRebindsToLoopbackAfterSubmissionIsRefusedAtSendTime() {
        AtomicInteger lookups = new AtomicInteger();
        CallbackUrlGuard guard = guard(false, host -> lookups.getAndIncrement() == 0
                ? new InetAddress[] {ip("93.184.216.34")} : new InetAddress[] {ip("127.0.0.1")});
        assertThat(guard.refusal("shop", "https://shop.test/hooks")).isEmpty();
        assertThatThrownBy(() -> guard.addressesToConnect("shop", "https://shop.test/hooks"))
                .isInstanceOf(CallbackUrlGuard.Refused.class).hasMessageContaining("loopback");
    }

    @Test
    void hostsOffTheListOtherSchemesCredentialsAndUnknownMerchantsAreRefused() {
        CallbackUrlGuard guard = guard(true, DNS);
        assertThat(guard.refusal("shop", "https://evil.test/hooks")).hasValueSatisfying(r -> assertThat(r).contains("allow-list"));
        assertThat(guard.refusal("shop", "https://shop.test.evil.test/hooks")).isPresent();
        assertThat(guard.refusal("shop", "https://shop.test@evil.test/hooks")).isPresent();
        assertThat(guard.refusal("shop", "ftp://shop.test/hooks")).isPresent();
        assertThat(guard.refusal("shop", "file:///etc/passwd")).isPresent();
        assertThat(guard.refusal("nobody", "https://shop.test/hooks")).isPresent();
    }

    @Test
    void aMerchantAllowedPrivateAddressesMayUseThem() throws Exception {
        CallbackUrlGuard guard = guard(true, DNS);
        assertThat(guard.refusal("shop", "http://pay.shop.test/hooks")).isEmpty();
        assertThat(guard.addressesToConnect("shop", "http://pay.shop.test/hooks")).containsExactly(ip("169.254.169.254"));
    }

    @Test
    void anUnresolvableListedHostIsAcceptedAtSubmissionAndFailsAtSendTime() {
        CallbackUrlGuard guard = new CallbackUrlGuard(Map.of("shop", new CallbackUrlGuard.Policy(
                Set.of("later.test"), false, null)), DNS);
        assertThat(guard.refusal("shop", "https://later.test/hooks")).isEmpty();
        assertThatThrownBy(() -> guard.addressesToConnect("shop", "https://later.test/hooks"))
                .isInstanceOf(UnknownHostException.class);
    }

    @Test
    void aDefaultWebhookUrlOffTheListStopsStartUp() {
        assertThatThrownBy(() -> new CallbackUrlGuard(Map.of("shop", new CallbackUrlGuard.Policy(
                Set.of("shop.test"), false, "https://elsewhere.test/hooks")), DNS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("allow-list");
        assertThat(List.of(new CallbackUrlGuard(Map.of("shop", new CallbackUrlGuard.Policy(
                Set.of("shop.test"), false, "https://shop.test/hooks")), DNS).defaultUrl("shop").orElseThrow()))
                .containsExactly("https://shop.test/hooks");
    }
}
