package io.paygate.bench;

import org.apache.camel.main.Main;

/**
 * Baseline for the benchmark: what an integrator might write instead of paygate, a bare Camel
 * proxy route. {@code POST /proxy} is forwarded to the provider as it is; nothing is validated,
 * stored or queued. Camel's defaults otherwise (platform-http on Vert.x, camel-http).
 * <p>
 * {@code java -cp <test classpath> io.paygate.bench.BareProxy <port> <provider payments URL>}
 */
public final class BareProxy {

    private BareProxy() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String providerUrl = args[1];
        Main main = new Main();
        // A lambda, not a RouteBuilder class: paygate's Main scans io.paygate for RouteBuilder
        // classes and would start this route inside every in-process test gateway.
        main.configure().addLambdaRouteBuilder(routes -> routes
                .from("platform-http:/proxy?httpMethodRestrict=POST")
                // the request's own URI and path headers would otherwise steer the call
                .removeHeaders("CamelHttp*")
                .to(providerUrl + "?bridgeEndpoint=true&throwExceptionOnFailure=false"));
        main.addInitialProperty("camel.main.name", "bare-proxy");
        main.addInitialProperty("camel.server.enabled", "true");
        main.addInitialProperty("camel.server.host", "127.0.0.1");
        main.addInitialProperty("camel.server.port", Integer.toString(port));
        main.run();
    }
}
