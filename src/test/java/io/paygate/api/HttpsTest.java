package io.paygate.api;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.testing.RunningPaygate;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTPS on the storefront port as the README configures it: a PKCS12 keystore (here a
 * self-signed one made with keytool at test time) named by paygate.http.tls.* keys.
 */
class HttpsTest {

    private static final String PASSWORD = "test-only-keystore-password";
    private static final Path KEYSTORE = selfSignedKeystore();

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(
            "paygate.http.tls.enabled", "true",
            "paygate.http.tls.keystore", KEYSTORE.toString(),
            "paygate.http.tls.keystore-password", PASSWORD,
            "paygate.http.tls.keystore-type", "PKCS12"));

    @Test
    void anOrderPostedOverHttpsIsApproved() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(KEYSTORE)).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(httpsUrl() + "/api/orders"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", RunningPaygate.DEMO_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(order("tls-1", "12.50", "EUR", "tok_visa")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r.body()).path("status").asText()).isEqualTo("APPROVED");
        assertThat(paygate.totalCharges("acme")).isEqualTo(1);
    }

    @Test
    void plainHttpOnThatPortIsNotServed() {
        assertThatThrownBy(() -> paygate.postOrder(order("tls-plain", "12.50", "EUR", "tok_visa")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create(httpsUrl() + "/observe/health")).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }

    @Test
    void httpsWithoutAKeystoreRefusesToStartNamingTheSetting() throws Exception {
        Path dataDir = Files.createTempDirectory("paygate-tls-missing");
        assertThatThrownBy(() -> RunningPaygate.start(dataDir, Map.of("paygate.http.tls.enabled", "true")).close())
                .hasStackTraceContaining("paygate.http.tls.keystore");
    }

    private static String httpsUrl() {
        return paygate.baseUrl().replace("http://", "https://");
    }

    /** keytool -genkeypair, as an operator would run it (README "HTTPS"). */
    private static Path selfSignedKeystore() {
        try {
            Path dir = Files.createTempDirectory("paygate-tls");
            Path keystore = dir.resolve("paygate.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "paygate",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=localhost",
                    "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD))
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            keystore.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return keystore;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An SSLContext trusting exactly the keystore's certificate. */
    private static SSLContext trusting(Path keystore) throws Exception {
        KeyStore source = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            source.load(in, PASSWORD.toCharArray());
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("paygate", source.getCertificate("paygate"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
