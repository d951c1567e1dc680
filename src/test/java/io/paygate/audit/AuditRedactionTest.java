package io.paygate.audit;

import static io.paygate.testing.RunningPaygate.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paygate.testing.RunningPaygate;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a run that sent payment tokens, e-mail addresses, phone numbers, a credential and a card
 * number into the audit trail, none of them is in clear in the audit table, the broker's files
 * or the log; tokens are there only masked.
 */
class AuditRedactionTest {

    private static final Path TEST_LOG = Path.of("target/paygate-test.log");
    /** A Luhn-valid test card number; it never reaches an order (refused at the door), only a noted detail. */
    private static final String PAN = "4012888888881881";

    @TempDir
    Path dataDir;

    @Test
    void noTokenEmailPhoneSecretOrCardNumberIsKeptInClear() throws Exception {
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        List<String> tokens = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        List<String> phones = new ArrayList<>();
        List<String> references = new ArrayList<>();
        String secret = "s3cr3t-" + run;

        RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of());
        try {
            // with the writer stopped the events take the broker's way (the way they take when the
            // table refuses them): so the broker's files are checked below too, not only the table
            paygate.context().getRouteController().stopRoute(AuditTrail.WRITER_ROUTE);
            for (int i = 0; i < 3; i++) {
                String token = "tok_redact_" + run + "_" + (7390 + i);
                String email = "jane." + run + i + "@example.com";
                String phone = "+49 170 4" + (100000 + i * 1111) + "7";
                tokens.add(token);
                emails.add(email);
                phones.add(phone);
                HttpResponse<String> r = paygate.postOrder("{\"orderId\":\"redact-" + i + "\",\"amount\":\"7.00\","
                        + "\"currency\":\"EUR\",\"paymentMethod\":{\"type\":\"card_token\",\"token\":\"" + token + "\"},"
                        + "\"customer\":{\"name\":\"Jane\",\"email\":\"" + email + "\",\"phone\":\"" + phone + "\"}}");
                assertThat(r.statusCode()).isEqualTo(200);
                references.add(json(r.body()).path("reference").asText());
            }
            // a step noted with a credential, a card number and an e-mail in its detail, recorded like any route's
            AuditTap tap = paygate.context().getRegistry().lookupByNameAndType("auditTap", AuditTap.class);
            // (a lambda, not a RouteBuilder class: camel-main would pick a class up in io.paygate at start)
            RouteBuilder.addRoutes(paygate.context(), rb -> rb.from("direct:noted-with-secrets").routeId("noted-with-secrets")
                    .process(e -> AuditNotes.add(e, AuditNote.of("webhook-attempt", references.get(0), "demo")
                            .outcome("card " + PAN + " refused for " + emails.get(0))
                            .detail(Map.of("clientSecret", secret, "Authorization", "Bearer " + secret,
                                    "headers", Map.of("X-Api-Key", secret, "Paygate-Signature", "v1=" + secret),
                                    "note", "card " + PAN.substring(0, 4) + " " + PAN.substring(4, 8) + " "
                                            + PAN.substring(8, 12) + " " + PAN.substring(12) + " on file",
                                    "phone", phones.get(0)))))
                    .bean(tap, "record"));
            paygate.context().createProducerTemplate().sendBody("direct:noted-with-secrets", "");
            AuditTrail trail = paygate.context().getRegistry().lookupByNameAndType("auditTrail", AuditTrail.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> trail.queuedCount() >= 4 && trail.pending() == 0);
            paygate.context().getRouteController().startRoute(AuditTrail.WRITER_ROUTE);

            await().atMost(Duration.ofSeconds(15)).until(() -> paygate.auditEvents(null).stream()
                    .filter(e -> e.step().equals("stored") || e.step().equals("webhook-attempt")).count() == 4);
            String table = dump(paygate, "SELECT * FROM audit_record");
            assertNoneInClear("audit_record", table, tokens, emails, phones, secret);
            assertThat(table).contains("****7390", "****7391", "****7392", "j***@example.com", "***07", "***17");
        } finally {
            paygate.stop();
        }

        // Every file the broker wrote (KahaDB journal, scheduler): the audit events passed through it, redacted.
        StringBuilder brokerFiles = new StringBuilder();
        try (var files = Files.walk(dataDir.resolve("broker"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                brokerFiles.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(brokerFiles).as("audit events went through KahaDB").contains("****7391");
        assertNoneInClear("broker data", brokerFiles.toString(), tokens, emails, phones, secret);

        // The database file holds the order rows (the token is needed to charge, the customer as sent);
        // what the audit trail added to it is checked above. A credential or card number is nowhere.
        try (var files = Files.walk(dataDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(bytes).as(f.toString()).doesNotContain(secret).doesNotContain(PAN);
            }
        }

        String log = Files.readString(TEST_LOG, StandardCharsets.UTF_8);
        assertNoneInClear("test log", log, tokens, emails, phones, secret);
    }

    private static void assertNoneInClear(String where, String text, List<String> tokens, List<String> emails,
                                          List<String> phones, String secret) {
        for (String token : tokens) {
            assertThat(text).as(where).doesNotContain(token).doesNotContain(token.substring(0, token.length() - 4));
        }
        for (String email : emails) {
            assertThat(text).as(where).doesNotContain(email).doesNotContain(email.substring(0, email.indexOf('@')));
        }
        for (String phone : phones) {
            assertThat(text).as(where).doesNotContain(phone).doesNotContain(phone.replaceAll("[^0-9]", ""));
        }
        assertThat(text).as(where).doesNotContain(secret).doesNotContain(PAN)
                .doesNotContain(PAN.substring(0, 4) + " " + PAN.substring(4, 8));
    }

    private static String dump(RunningPaygate paygate, String sql) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = paygate.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    out.append(rs.getString(i)).append('|');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }
}
