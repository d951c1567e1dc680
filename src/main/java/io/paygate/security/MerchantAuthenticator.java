package io.paygate.security;

import io.paygate.api.ApiProblem;
import io.paygate.order.OrderIntake;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/** First step of every merchant API route: who is calling? 401 when nobody we know. */
public class MerchantAuthenticator {

    private final MerchantDirectory merchants;

    public MerchantAuthenticator(MerchantDirectory merchants) {
        this.merchants = merchants;
    }

    public void authenticate(Exchange exchange) {
        String apiKey = exchange.getIn().getHeader("X-Api-Key", String.class);
        Merchant merchant = merchants.authenticate(apiKey).orElseThrow(() -> new ApiProblem(401, "unauthorized",
                "Unauthorized", apiKey == null ? "send your API key in the X-Api-Key header" : "the API key is not valid",
                List.of(), Map.of("WWW-Authenticate", "ApiKey header=\"X-Api-Key\"")));
        exchange.setProperty(OrderIntake.MERCHANT, merchant);
    }
}
