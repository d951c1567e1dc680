package io.paygate.api;

import static io.paygate.api.HttpServerTest.connect;
import static io.paygate.api.HttpServerTest.readAnswerHead;
import static io.paygate.api.HttpServerTest.send;
import static io.paygate.api.HttpServerTest.since;
import static io.paygate.api.HttpServerTest.waitForClose;
import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.testing.RunningPaygate;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** paygate.http.idle-timeout: silent connections are closed, before and between requests. */
class IdleConnectionTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration MARGIN = Duration.ofSeconds(3);

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of(
            "paygate.http.idle-timeout", IDLE_TIMEOUT.toSeconds() + "s",
            "paygate.sync-wait", "1s",
            // longer than the test waits: only the idle timeout can close these connections
            "paygate.http.header-timeout", "60s"));

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws Exception {
        try (Socket socket = connect(paygate)) {
            long started = System.nanoTime();
            assertThat(waitForClose(socket, IDLE_TIMEOUT.plus(MARGIN).plus(MARGIN))).as("closed by paygate").isTrue();
            assertThat(since(started)).isLessThan(IDLE_TIMEOUT.plus(MARGIN));
        }
    }

    @Test
    void aKeptAliveConnectionIsAnsweredThenClosedAfterTheIdleTimeout() throws Exception {
        try (Socket socket = connect(paygate)) {
            send(socket, "GET /api/orders/nope HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + RunningPaygate.DEMO_KEY + "\r\n\r\n");
            assertThat(readAnswerHead(socket)).startsWith("HTTP/1.1 404");
            long answered = System.nanoTime();
            assertThat(waitForClose(socket, IDLE_TIMEOUT.plus(MARGIN).plus(MARGIN))).as("closed by paygate").isTrue();
            assertThat(since(answered)).isLessThan(IDLE_TIMEOUT.plus(MARGIN));
        }
    }
}
