package io.paygate.provider;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.paygate.testing.RunningPaygate;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The integrator's promise: a new provider is one YAML file in routes/providers/, as the README
 * shows it; no Java, no rebuild. Routes are read from the configured directory at start.
 */
class AddProviderTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path routesDir;

    @Test
    void aProviderFileInTheRoutesDirectoryIsAProviderStorefrontsCanChoose() throws Exception {
        WireMockServer initech = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        initech.start();
        try {
            initech.stubFor(post(urlEqualTo("/payments")).willReturn(aResponse().withStatus(200)
                    .withBody("{\"status\":\"APPROVED\",\"providerReference\":\"ini-42\",\"reason\":null}")));
            io.paygate.testing.TestRoutes.withHttpProvider(routesDir, "initech", initech.baseUrl());

            try (RunningPaygate paygate = RunningPaygate.start(dataDir,
                    Map.of("paygate.routes.dir", routesDir.toString()))) {
                String body = order("to-initech", "12.00", "EUR", "tok_visa").replace("}}", "},\"provider\":\"initech\"}");
                JsonNode answer = json(paygate.postOrder(body).body());

                assertThat(answer.path("status").asText()).isEqualTo("APPROVED");
                assertThat(answer.path("provider").asText()).isEqualTo("initech");
                assertThat(answer.path("providerReference").asText()).isEqualTo("ini-42");
                initech.verify(1, postRequestedFor(urlEqualTo("/payments")));

                // a provider that has no file is still refused at the door
                String unknown = order("to-nobody", "12.00", "EUR", "tok_visa").replace("}}", "},\"provider\":\"nobody\"}");
                assertThat(paygate.postOrder(unknown).statusCode()).isEqualTo(400);
            }
        } finally {
            initech.stop();
        }
    }

}
