package io.paygate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The wire tap's onPrepare: each note leaves once, redacted, named after the route that noted it. */
class AuditTapTest {

    @Test
    void eachNoteIsTappedOnceRedactedAndStampedWithTheRouteThatNotedIt() throws Exception {
        LinkedBlockingQueue<List<AuditEvent>> tapped = new LinkedBlockingQueue<>();
        AuditTap tap = new AuditTap(new ObjectMapper(), "node-1");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            RouteBuilder.addRoutes(context, rb -> {
                rb.from("direct:dispatch").routeId("dispatch")
                        .process(e -> AuditNotes.add(e, AuditNote.of("routed", "pg_1", "demo").provider("acme")))
                        .wireTap("direct:audit").onPrepare(tap)
                        .to("direct:provider-acme");
                rb.from("direct:provider-acme").routeId("provider-acme")
                        .process(e -> AuditNotes.add(e, AuditNote.of("sent", "pg_1", "demo").attempt(1)
                                .detail(Map.of("token", "tok_abcdef1234", "apiKey", "k-123"))))
                        .wireTap("direct:audit").onPrepare(tap);
                rb.from("direct:audit").routeId("audit-tap").process(e -> {
                    @SuppressWarnings("unchecked")
                    List<AuditEvent> events = e.getProperty(AuditTap.EVENTS, List.class);
                    tapped.add(events);
                });
            });
            context.start();
            context.createProducerTemplate().sendBody("direct:dispatch", "");

            List<AuditEvent> all = new ArrayList<>();
            all.addAll(tapped.poll(5, TimeUnit.SECONDS));
            all.addAll(tapped.poll(5, TimeUnit.SECONDS));

            assertThat(all).extracting(AuditEvent::step).containsExactlyInAnyOrder("routed", "sent");
            AuditEvent routed = all.stream().filter(e -> e.step().equals("routed")).findFirst().orElseThrow();
            AuditEvent sent = all.stream().filter(e -> e.step().equals("sent")).findFirst().orElseThrow();
            assertThat(routed.routeId()).isEqualTo("dispatch");
            assertThat(sent.routeId()).isEqualTo("provider-acme");
            assertThat(sent.sequence()).isGreaterThan(routed.sequence());
            assertThat(sent.node()).isEqualTo("node-1");
            assertThat(sent.detailJson()).isEqualTo("{\"token\":\"****1234\"}");
        }
    }
}
