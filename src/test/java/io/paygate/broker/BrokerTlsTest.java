package io.paygate.broker;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.testing.RunningPaygate;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import org.apache.activemq.ActiveMQSslConnectionFactory;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.SslContext;
import org.apache.activemq.security.AuthenticationUser;
import org.apache.activemq.security.SimpleAuthenticationPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "TLS to the broker" configuration, end to end: an external broker that only
 * speaks TLS and requires a login, a trust store holding its self-signed certificate, and an
 * order queued through it for the JMS provider.
 */
class BrokerTlsTest {

    private static final String STORE_PASSWORD = "changeit-test-only";

    @TempDir
    Path dir;

    @Test
    void ordersReachAnExternalBrokerOverTlsWithCredentials() throws Exception {
        Path keystore = dir.resolve("broker.p12");
        Path truststore = dir.resolve("truststore.p12");
        Path certificate = dir.resolve("broker.crt");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD,
                "-rfc", "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", truststore.toString(), "-storepass", STORE_PASSWORD);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        BrokerService external = tlsBroker(keystore, port);
        try (RunningPaygate paygate = RunningPaygate.start(dir.resolve("data"), Map.of(
                "paygate.broker.embedded", "false",
                "paygate.broker.url", "ssl://127.0.0.1:" + port,
                "paygate.broker.user", "paygate",
                "paygate.broker.password", "s3cret-broker-password",
                "paygate.broker.truststore", truststore.toString(),
                "paygate.broker.truststore-password", STORE_PASSWORD,
                "paygate.sim.enabled", "false",
                "paygate.sync-wait", "1s"))) {
            HttpResponse<String> answer = paygate.postOrder(order("tls-1", "2500", "JPY", "tok_visa"));
            assertThat(answer.statusCode()).isEqualTo(202);
            String reference = json(answer.body()).path("reference").asText();

            ActiveMQSslConnectionFactory client = new ActiveMQSslConnectionFactory("ssl://127.0.0.1:" + port);
            client.setTrustStore(truststore.toString());
            client.setTrustStorePassword(STORE_PASSWORD);
            client.setTrustStoreType("PKCS12");
            client.setUserName("paygate");
            client.setPassword("s3cret-broker-password");
            try (Connection c = client.createConnection()) {
                c.start();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                TextMessage request = (TextMessage) s.createConsumer(s.createQueue("provider.globex.requests")).receive(15_000);
                assertThat(request).isNotNull();
                assertThat(request.getJMSCorrelationID()).isEqualTo(reference);
                assertThat(json(request.getText()).path("amount").asText()).isEqualTo("2500");
            }
        } finally {
            external.stop();
            external.waitUntilStopped();
        }
    }

    private static BrokerService tlsBroker(Path keystore, int port) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(ks, STORE_PASSWORD.toCharArray());
        BrokerService broker = new BrokerService();
        broker.setBrokerName("external-tls-" + port);
        broker.setPersistent(false);
        broker.setUseJmx(false);
        broker.setUseShutdownHook(false);
        broker.setSchedulerSupport(false);
        broker.setSslContext(new SslContext(keys.getKeyManagers(), null, new SecureRandom()));
        broker.setPlugins(new BrokerPlugin[] {new SimpleAuthenticationPlugin(
                List.of(new AuthenticationUser("paygate", "s3cret-broker-password", "paygate")))});
        broker.addConnector("ssl://127.0.0.1:" + port);
        broker.start();
        broker.waitUntilStarted();
        return broker;
    }

    private static void keytool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }
}
