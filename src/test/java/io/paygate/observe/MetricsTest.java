package io.paygate.observe;

import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.testing.RunningPaygate;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** After real orders, /observe/metrics tells their story in paygate's own metric names. */
class MetricsTest {

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of());

    @Test
    void ordersProviderCallsAndBacklogsShowInThePrometheusScrape() throws Exception {
        assertThat(paygate.postOrder(order("m-1", "10.00", "EUR", "tok_visa")).statusCode()).isEqualTo(200);
        assertThat(paygate.postOrder(order("m-2", "10.00", "EUR", "tok_decline")).statusCode()).isEqualTo(200);

        String scrape = paygate.get("/observe/metrics", null).body();

        assertThat(scrape).containsPattern("paygate_orders_final_total\\{provider=\"acme\",status=\"APPROVED\"} 1\\.0");
        assertThat(scrape).containsPattern("paygate_orders_final_total\\{provider=\"acme\",status=\"DECLINED\"} 1\\.0");
        assertThat(scrape).containsPattern("paygate_provider_call_seconds_count\\{call=\"payment\",outcome=\"BUSINESS_ANSWER\",provider=\"acme\"} 2");
        assertThat(scrape).containsPattern("paygate_sync_wait_total\\{outcome=\"200\"} 2\\.0");
        assertThat(scrape).contains("paygate_orders_open{status=\"UNKNOWN\"}");
        assertThat(scrape).contains("paygate_orders_sent_past_deadline");
        assertThat(scrape).contains("paygate_circuit_state{provider=\"acme\"} 0.0");
        assertThat(scrape).contains("paygate_dlq_depth 0.0");
        assertThat(scrape).contains("paygate_webhook_backlog");
        assertThat(scrape).contains("paygate_audit_backlog");
        // the embedded H2's group writes, each forced to the disk, which every order waited for
        assertThat(scrape).containsPattern("paygate_db_group_write_seconds_count\\{forced=\"true\"} [1-9]");
        assertThat(scrape).contains("jvm_memory_used_bytes");
        // Camel's route metrics: every route that moved the orders
        assertThat(scrape).containsPattern("camel_exchanges_total\\{[^}]*routeId=\"api-submit-order\"} 2\\.0");
        assertThat(scrape).containsPattern("camel_exchanges_total\\{[^}]*routeId=\"provider-acme\"} 2\\.0");
        assertThat(scrape).containsPattern("camel_exchanges_succeeded_total\\{[^}]*routeId=\"api-submit-order\"} 2\\.0");
        assertThat(scrape).containsPattern("camel_exchanges_failed_total\\{[^}]*routeId=\"api-submit-order\"} 0\\.0");
        assertThat(scrape).containsPattern("camel_route_policy_seconds_count\\{[^}]*routeId=\"api-submit-order\"} 2");
        assertThat(scrape).containsPattern("camel_route_policy_seconds_count\\{[^}]*routeId=\"provider-acme\"} 2");
        // both orders answered: none in flight (the dashboard's in-flight panel)
        assertThat(scrape).containsPattern("camel_exchanges_inflight\\{[^}]*routeId=\"api-submit-order\"} 0\\.0");

        // an order whose provider takes 1.5 s is in flight on its routes meanwhile, and then no more
        CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return paygate.postOrder(order("m-3", "10.00", "EUR", "tok_slow_1500")).statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Pattern submitInFlight = Pattern.compile("camel_exchanges_inflight\\{[^}]*routeId=\"api-submit-order\"} 1\\.0");
        Pattern providerInFlight = Pattern.compile("camel_exchanges_inflight\\{[^}]*routeId=\"provider-acme\"} 1\\.0");
        boolean seen = false;
        for (int i = 0; i < 100 && !seen; i++) {
            String during = paygate.get("/observe/metrics", null).body();
            seen = submitInFlight.matcher(during).find() && providerInFlight.matcher(during).find();
            if (!seen) {
                Thread.sleep(10);
            }
        }
        assertThat(seen).as("the slow order in flight on api-submit-order and provider-acme").isTrue();
        assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(paygate.get("/observe/metrics", null).body())
                .containsPattern("camel_exchanges_inflight\\{[^}]*routeId=\"api-submit-order\"} 0\\.0")
                .containsPattern("camel_route_policy_seconds_count\\{[^}]*routeId=\"api-submit-order\"} 3");
    }
}
