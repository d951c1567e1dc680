package io.paygate.audit;

import static org.apache.camel.builder.Builder.constant;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The routes' audit step: each note leaves once, redacted, named after the route that noted it. */
class AuditTapTest {

    @Test
    void eachNoteIsRecordedOnceRedactedAndStampedWithTheRouteThatNotedIt() throws Exception {
        LinkedBlockingQueue<List<AuditEvent>> recorded = new LinkedBlockingQueue<>();
        AuditTap tap = new AuditTap(new ObjectMapper(), "node-1", recorded::add);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            RouteBuilder.addRoutes(context, rb -> {
                rb.from("direct:dispatch").routeId("dispatch")
                        .process(e -> AuditNotes.add(e, AuditNote.of("routed", "pg_1", "demo").provider("acme")))
                        .bean(tap, "record")
                        .to("direct:provider-acme")
                        // nothing noted since: nothing recorded again
                        .bean(tap, "record");
                rb.from("direct:provider-acme").routeId("provider-acme")
                        .process(e -> AuditNotes.add(e, AuditNote.of("sent", "pg_1", "demo").attempt(1)
                                .detail(Map.of("token", "tok_abcdef1234", "apiKey", "k-123"))))
                        .bean(tap, "record");
            });
            context.start();
            context.createProducerTemplate().sendBody("direct:dispatch", "");

            // recorded on the route's own thread: all there when the exchange is done
            assertThat(recorded).hasSize(2);
            List<AuditEvent> all = new ArrayList<>();
            recorded.forEach(all::addAll);

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

    @Test
    void aRecordThatFailsNeverFailsTheOrdersRoute() throws Exception {
        AuditTap tap = new AuditTap(new ObjectMapper(), "node-1", events -> {
            throw new IllegalStateException("audit buffer broken");
        });
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            RouteBuilder.addRoutes(context, rb -> rb.from("direct:order").routeId("order")
                    .process(e -> AuditNotes.add(e, AuditNote.of("received", "pg_2", "demo")))
                    .bean(tap, "record")
                    .setBody(constant("answered")));
            context.start();

            Exchange done = context.createProducerTemplate().request("direct:order", e -> { });

            assertThat(done.getException()).isNull();
            assertThat(done.getMessage().getBody(String.class)).isEqualTo("answered");
        }
    }
}
