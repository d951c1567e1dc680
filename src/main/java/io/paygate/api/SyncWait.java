package io.paygate.api;

import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync wait of {@code POST /api/orders}: the storefront gets its answer within it, whatever
 * the provider does. The order's first attempt runs on the request's own thread (no hand-off to
 * another thread and back), so two can answer, and exactly one does:
 * <ul>
 *   <li>the route, once the attempt is over in time (200 with the final state, or 202);</li>
 *   <li>the deadline, when the sync wait runs out first (a slow provider): it writes 202 with the
 *       status URL on the connection itself while the attempt goes on, and camel-platform-http
 *       writes nothing more to a response already ended.</li>
 * </ul>
 * Deadlines are kept by a small scheduler: every request's falls {@code wait} after it started,
 * so under load the earliest is seconds away and a new one never wakes the scheduler.
 */
public final class SyncWait implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyncWait.class);
    /** How long the route waits for a late answer being written before it goes on regardless. */
    private static final long LATE_ANSWER_GRACE_SECONDS = 30;

    /** An answer to write: by the route on its exchange, or by the deadline on the connection. */
    public record Answer(int status, String contentType, String body, Map<String, String> headers) {

        public void writeTo(Exchange exchange) {
            HttpAnswers.write(exchange, status, contentType, body, headers);
        }

        void writeTo(HttpServerResponse response) {
            response.setStatusCode(status);
            response.putHeader("Content-Type", contentType);
            headers.forEach(response::putHeader);
            response.end(body);
        }
    }

    private final Duration wait;
    private final ScheduledThreadPoolExecutor deadlines;

    public SyncWait(Duration wait, int threads) {
        this.wait = wait;
        AtomicInteger n = new AtomicInteger();
        this.deadlines = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, "sync-wait-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // answered requests leave the queue at once, instead of each waking a thread at its deadline
        deadlines.setRemoveOnCancelPolicy(true);
    }

    public Duration duration() {
        return wait;
    }

    /**
     * Starts one request's sync wait. If it runs out before the route answers, {@code late}
     * composes the answer (on a scheduler thread; it may read and write the database) and it is
     * written on the request's connection; if {@code late} fails, {@code failed} answers instead.
     * An exchange that did not come in over HTTP has no connection: only its route answers it.
     */
    public Request start(Exchange exchange, Callable<Answer> late, Function<Exception, Answer> failed) {
        HttpServerResponse response = exchange.getIn() instanceof HttpMessage m ? m.getResponse() : null;
        Request request = new Request(System.nanoTime() + wait.toNanos());
        if (response != null) {
            request.timer = deadlines.schedule(() -> request.answerLate(response, late, failed),
                    wait.toNanos(), TimeUnit.NANOSECONDS);
        }
        return request;
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
    }

    /** One request's sync wait. */
    public static final class Request {
        private static final int WAITING = 0;
        private static final int BY_ROUTE = 1;
        private static final int BY_DEADLINE = 2;

        private final AtomicInteger answerer = new AtomicInteger(WAITING);
        private final CountDownLatch lateAnswerWritten = new CountDownLatch(1);
        private final long deadlineNanos;
        private volatile ScheduledFuture<?> timer;

        private Request(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        /** What is left of the sync wait (zero once it has run out). */
        public Duration left() {
            return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
        }

        /**
         * For the route, when it is ready to answer: true if it does (the deadline will not), false
         * if the deadline has answered already. Then this returns only once that answer is written,
         * so that the route's end finds the response ended and writes nothing.
         */
        public boolean answeredByRoute() throws InterruptedException {
            if (answerer.compareAndSet(WAITING, BY_ROUTE)) {
                ScheduledFuture<?> t = timer;
                if (t != null) {
                    t.cancel(false);
                }
                return true;
            }
            if (!lateAnswerWritten.await(LATE_ANSWER_GRACE_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("the sync wait's late answer was not written within {} s", LATE_ANSWER_GRACE_SECONDS);
            }
            return false;
        }

        private void answerLate(HttpServerResponse response, Callable<Answer> late,
                                Function<Exception, Answer> failed) {
            if (!answerer.compareAndSet(WAITING, BY_DEADLINE)) {
                return;
            }
            try {
                Answer answer;
                try {
                    answer = late.call();
                } catch (Exception e) {
                    answer = failed.apply(e);
                }
                if (!response.ended() && !response.closed()) {
                    answer.writeTo(response);
                }
            } catch (RuntimeException e) {
                LOG.warn("the sync wait's late answer could not be written: {}", e.toString());
            } finally {
                lateAnswerWritten.countDown();
            }
        }
    }
}
