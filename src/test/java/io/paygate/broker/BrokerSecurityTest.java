package io.paygate.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.testing.RunningPaygate;
import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.broker.BrokerRegistry;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.command.ActiveMQQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anyone who can reach the broker port tries their luck: no credentials, a guessed password,
 * the provider user writing orders or reading another provider's requests. The broker refuses
 * each, and the queues stay as they were; the data dir is readable by its owner only.
 */
class BrokerSecurityTest {

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of());

    @Test
    void aClientWithoutCredentialsIsRefusedOverTcpAndInTheJvm() {
        assertRefused(paygate.brokerClient(null, null));
        ActiveMQConnectionFactory inJvm = new ActiveMQConnectionFactory("vm://paygate-" + paygate.brokerPort() + "?create=false");
        assertRefused(inJvm);
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertRefused(paygate.brokerClient("paygate", "paygate"));
        assertRefused(paygate.brokerClient("globex", paygate.credentials().paygatePassword()));
    }

    @Test
    void theProviderUserCannotPutOrdersOnPaygatesQueue() throws Exception {
        long ordersBefore = enqueued("paygate.orders");
        try (Connection c = paygate.providerClient("globex").createConnection()) {
            c.start(); // logged in: the refusal below is about the destination, not the password
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(() -> s.createProducer(s.createQueue("paygate.orders"))
                    .send(s.createTextMessage("{\"reference\":\"pg_forged\"}")))
                    .isInstanceOf(JMSSecurityException.class)
                    .hasMessageContaining("paygate.orders");
            // an anonymous producer names the queue only when sending: refused all the same
            MessageProducer anonymous = s.createProducer(null);
            assertThatThrownBy(() -> anonymous.send(s.createQueue("paygate.orders"), s.createTextMessage("{}")))
                    .isInstanceOf(JMSSecurityException.class);
        }
        // sends are synchronous and were refused by the broker: nothing can still be on its way
        assertThat(enqueued("paygate.orders")).isEqualTo(ordersBefore);
    }

    @Test
    void theProviderUserReadsItsOwnRequestsAndWritesReplies() throws Exception {
        long repliesBefore = enqueued("paygate.replies");
        try (Connection c = paygate.providerClient("globex").createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer requests = s.createConsumer(s.createQueue("provider.globex.requests"));
            requests.close();
            MessageProducer replies = s.createProducer(s.createQueue("paygate.replies"));
            TextMessage reply = s.createTextMessage("{\"status\":\"APPROVED\",\"providerReference\":\"g1\"}");
            reply.setJMSCorrelationID("pg_security_test_unknown");
            replies.send(reply);
        }
        assertThat(enqueued("paygate.replies")).isEqualTo(repliesBefore + 1);
    }

    @Test
    void theProviderUserCannotReadAnotherProvidersRequestsNorPaygatesQueues() throws Exception {
        try (Connection c = paygate.providerClient("globex").createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            for (String queue : List.of("provider.otherprov.requests", "paygate.orders", "paygate.replies", "paygate.dlq")) {
                assertThatThrownBy(() -> s.createConsumer(s.createQueue(queue)))
                        .as(queue).isInstanceOf(JMSSecurityException.class);
            }
        }
    }

    @Test
    void theBrokerStampsTheSendersUserNameOverAForgedOne() throws Exception {
        try (Connection c = paygate.brokerClient().createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            var queue = s.createQueue("test.jmsxuserid");
            TextMessage m = s.createTextMessage("hello");
            m.setStringProperty("JMSXUserID", "globex");
            s.createProducer(queue).send(m);
            Message received = s.createConsumer(queue).receive(10_000);
            assertThat(received).isNotNull();
            assertThat(received.getStringProperty("JMSXUserID")).isEqualTo("paygate");
        }
    }

    @Test
    void theDataDirAndTheGeneratedPasswordsAreReadableByTheOwnerOnly() throws Exception {
        Path credentials = paygate.dataDir().resolve("broker").resolve(BrokerCredentials.FILE_NAME);
        assertThat(credentials).exists();
        Properties stored = new Properties();
        try (var in = Files.newBufferedReader(credentials)) {
            stored.load(in);
        }
        assertThat(stored.getProperty("paygate.broker.password")).isEqualTo(paygate.credentials().paygatePassword());
        assertThat(stored.getProperty("paygate.broker.provider.globex.password")).isNotBlank();
        assertThat(Files.getPosixFilePermissions(credentials)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertOwnerOnly(paygate.dataDir());
    }

    @Test
    void generatedPasswordsAreKeptAcrossRestartsAndOldFilesAreClosedUp(@TempDir Path dataDir) throws Exception {
        Path leftOver = Files.createDirectories(dataDir.resolve("db")).resolve("left-over.trace.db");
        Files.writeString(leftOver, "written by an older version");
        Files.setPosixFilePermissions(leftOver, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> quiet = Map.of("paygate.sim.enabled", "false");
        String first;
        try (RunningPaygate app = RunningPaygate.start(dataDir, quiet)) {
            first = app.credentials().paygatePassword();
            assertOwnerOnly(dataDir);
        }
        try (RunningPaygate app = RunningPaygate.start(dataDir, quiet)) {
            assertThat(app.credentials().paygatePassword()).isEqualTo(first);
            try (Connection c = app.brokerClient().createConnection()) {
                c.start();
            }
        }
    }

    private static void assertOwnerOnly(Path root) throws Exception {
        Set<PosixFilePermission> others = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE);
        List<String> open = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(root)) {
            paths.filter(p -> !Files.isSymbolicLink(p)).forEach(p -> {
                try {
                    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(p);
                    if (permissions.stream().anyMatch(others::contains)) {
                        open.add(root.relativize(p) + " " + PosixFilePermissions.toString(permissions));
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // rotated away while walking
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        assertThat(open).as("paths readable or writable by group/others").isEmpty();
        assertThat(Files.getPosixFilePermissions(root)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    /**
     * Every attempt is refused, and the refusal names the credentials. Now and then the transport
     * is torn down before the broker's reason reaches the client ("Disposed due to prior
     * exception" with no cause); such an attempt was still refused, and the next one is asked why.
     */
    private static void assertRefused(ActiveMQConnectionFactory factory) {
        List<Throwable> refusals = new ArrayList<>();
        for (int attempt = 0; attempt < 5 && refusals.stream().noneMatch(BrokerSecurityTest::isSecurityRefusal); attempt++) {
            assertThatThrownBy(() -> {
                try (Connection c = factory.createConnection()) {
                    c.start();
                    c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                }
            }).satisfies(refusals::add);
        }
        assertThat(refusals).as("refused for its credentials").anySatisfy(thrown ->
                assertThat(isSecurityRefusal(thrown)).as("%s", thrown).isTrue());
    }

    /**
     * The broker's refusal arrives asynchronously: the client sees it as a JMSSecurityException, or,
     * when the transport was torn down first, as "Disposed due to prior exception" carrying it.
     */
    private static boolean isSecurityRefusal(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() != null ? t.getCause()
                : t instanceof jakarta.jms.JMSException j ? j.getLinkedException() : null) {
            if (t instanceof JMSSecurityException || t instanceof SecurityException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static long enqueued(String queue) throws Exception {
        BrokerService broker = BrokerRegistry.getInstance().lookup("paygate-" + paygate.brokerPort());
        var destination = broker.getDestination(new ActiveMQQueue(queue));
        return destination == null ? 0 : destination.getDestinationStatistics().getEnqueues().getCount();
    }
}
