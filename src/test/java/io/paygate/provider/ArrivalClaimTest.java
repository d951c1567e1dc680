package io.paygate.provider;

import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.database.Database;
import io.paygate.order.ArrivalClaim;
import io.paygate.order.IdempotencyRecord;
import io.paygate.order.Order;
import io.paygate.order.OrderIntake;
import io.paygate.order.OrderLifecycle;
import io.paygate.order.OrderRequest;
import io.paygate.order.OrderStore;
import io.paygate.testing.RunningPaygate;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An order whose first attempt is claimed as it is stored (Dispatcher#claimOnArrival: SENT,
 * attempt 1, in the insert's transaction) is called once; a claim no provider route took (the
 * first attempt failed before it, or the circuit refused the call) is put back, so the order is
 * neither left SENT uncalled until its lease runs out nor charged an attempt it never made.
 */
class ArrivalClaimTest {

    @TempDir
    Path dataDir;

    @Test
    void anOrderIsStoredClaimedForItsProviderAndChargedOnce() throws Exception {
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of())) {
            // the first order of a provider is claimed by its attempt (the provider's policy is read there)
            assertThat(paygate.postOrder(order("arrival-0", "5.00", "EUR", "tok_visa")).statusCode()).isEqualTo(200);

            HttpResponse<String> r = paygate.postOrder(order("arrival-1", "12.00", "EUR", "tok_visa"));

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode answer = json(r.body());
            assertThat(answer.path("status").asText()).isEqualTo("APPROVED");
            String reference = answer.path("reference").asText();
            assertThat(paygate.charges("acme").get(reference)).isEqualTo(1);
            assertThat(paygate.countRows("SELECT attempts FROM orders WHERE reference = ?", reference)).isEqualTo(1);
        }
    }

    /*
     * The moments below (a first attempt that fails before its provider route, a circuit that opens
     * between intake and call) cannot be timed from outside, so the dispatcher's steps are given the
     * first attempt's exchange as the API hands it over, against the running gateway's database.
     */

    @Test
    void aClaimNoProviderRouteTookIsPutBackWhenTheFirstAttemptFails() throws Exception {
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of())) {
            Exchange handOff = storedClaimed(paygate, "fails-1");

            dispatcher(paygate).queueNew(handOff);

            // RECEIVED with no attempt spent: the queue (or the sweeper) dispatches it, no 30 s lease to wait out
            assertThat(row(paygate, handOff)).isEqualTo("RECEIVED/0/null");
            assertThat(handOff.getMessage().getBody(String.class)).contains(reference(handOff));
        }
    }

    @Test
    void aClaimTheCircuitRefusedIsNotCountedAsAnAttempt() throws Exception {
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of())) {
            Exchange handOff = atProvider(paygate, storedClaimed(paygate, "refused-1"));
            // what the provider route leaves when its open circuit refuses the call: claim() never ran
            handOff.setProperty(ProviderCalls.RETRY_REASON, "acme circuit open (too many unprocessed calls); not called");

            dispatcher(paygate).retryLater(handOff);

            assertThat(row(paygate, handOff)).isEqualTo("RECEIVED/0/acme");
            assertThat(handOff.getProperty(Dispatcher.REQUEUE, Boolean.class)).isTrue();
        }
    }

    @Test
    void aClaimTheProviderRouteTookStaysEvenIfTheAttemptFailsAfterIt() throws Exception {
        try (RunningPaygate paygate = RunningPaygate.start(dataDir, Map.of())) {
            Exchange handOff = atProvider(paygate, storedClaimed(paygate, "taken-1"));

            dispatcher(paygate).claim(handOff);
            assertThat(handOff.getProperty(CallOutcome.PROPERTY)).isNull(); // won: the provider is called next
            dispatcher(paygate).queueNew(handOff);

            // it may have been called: it stays SENT for reconciliation to ask the provider
            assertThat(row(paygate, handOff)).isEqualTo("SENT/1/acme");
        }
    }

    /** An order stored claimed for acme, and the exchange the API hands to its first attempt. */
    private static Exchange storedClaimed(RunningPaygate paygate, String orderId) throws Exception {
        // acme's policy is read by its route at its first order
        assertThat(paygate.postOrder(order("warm-" + orderId, "5.00", "EUR", "tok_visa")).statusCode()).isEqualTo(200);
        CamelContext context = paygate.context();
        OrderLifecycle lifecycle = context.getRegistry().lookupByNameAndType("orderLifecycle", OrderLifecycle.class);
        OffsetDateTime now = OrderStore.now();
        String reference = "pg_test_" + orderId;
        Order received = Order.received(reference, "demo",
                new OrderRequest(orderId, "12.00", "EUR", "card_token", "tok_visa", null, null, null), now);
        Order claimed = lifecycle.claimedOnArrival(received, "acme", now.plusSeconds(30));
        Database.Committed<OrderStore.InsertResult> stored = lifecycle.store().insert(claimed,
                IdempotencyRecord.forRequest("demo", null, orderId, "fingerprint", reference, now));
        assertThat(stored.value()).isEqualTo(OrderStore.InsertResult.STORED);
        stored.written().await();
        assertThat(paygate.countRows("SELECT COUNT(*) FROM orders WHERE reference = ? AND status = 'SENT' AND attempts = 1",
                reference)).isEqualTo(1);

        Exchange handOff = new DefaultExchange(context);
        handOff.setProperty(OrderIntake.NEW_ORDER, claimed);
        handOff.setProperty(OrderIntake.RECEIVED_ORDER, received);
        handOff.setProperty(OrderIntake.WRITTEN, stored.written());
        handOff.setProperty(ArrivalClaim.PROPERTY, new ArrivalClaim("acme", List.of("acme"), Duration.ofSeconds(30)));
        dispatcher(paygate).takeNew(handOff);
        assertThat(handOff.getProperty(Dispatcher.DISPOSITION)).isEqualTo("CLAIMED");
        return handOff;
    }

    /** The hand-off as it reaches acme's route (its policy applied, the order being worked on). */
    private static Exchange atProvider(RunningPaygate paygate, Exchange handOff) {
        handOff.setProperty(ProviderPolicies.POLICY, policies(paygate).known("acme").orElseThrow());
        handOff.setProperty(ProviderCalls.ORDER, handOff.getProperty(OrderIntake.NEW_ORDER));
        return handOff;
    }

    private static String reference(Exchange handOff) {
        return handOff.getProperty(OrderIntake.NEW_ORDER, Order.class).reference();
    }

    /** status/attempts/provider of the exchange's order, as stored. */
    private static String row(RunningPaygate paygate, Exchange handOff) throws Exception {
        Order stored = paygate.context().getRegistry().lookupByNameAndType("orderLifecycle", OrderLifecycle.class)
                .store().find(reference(handOff)).orElseThrow();
        return stored.status() + "/" + stored.attempts() + "/" + stored.provider();
    }

    private static Dispatcher dispatcher(RunningPaygate paygate) {
        return paygate.context().getRegistry().lookupByNameAndType("dispatcher", Dispatcher.class);
    }

    private static ProviderPolicies policies(RunningPaygate paygate) {
        return paygate.context().getRegistry().lookupByNameAndType("providerPolicies", ProviderPolicies.class);
    }
}
