package io.paygate.bench;

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * The load generator: a Vert.x HTTP client on a fixed number of keep-alive connections,
 * recording every answer's latency into HdrHistogram.
 * <ul>
 *   <li>{@link #fullSpeed}: closed loop, one request in flight per connection, each sent as
 *       soon as the previous one was answered (what wrk does).</li>
 *   <li>{@link #fixedRate}: open loop, request i is due at start + i/rate whatever the target
 *       does; its latency is measured from when it was due, not from when the client got to
 *       send it, so a stalled target shows up as latency instead of as fewer requests
 *       (no coordinated omission). Requests wait for a free connection in the client's queue.</li>
 * </ul>
 */
final class LoadClient implements AutoCloseable {

    /** One request: where it goes and the id it makes (orderId or reference). */
    record Request(String path, MultiMap headers, Buffer body, String id) {
    }

    /** Makes the n-th request of a run. */
    interface Requests {
        Request next(long n);
    }

    /** What one phase (warm-up or measured run) saw. */
    static final class Phase {
        final Recorder latencyMicros = new Recorder(3);
        final AtomicLong ok200 = new AtomicLong();
        final AtomicLong accepted202 = new AtomicLong();
        final AtomicLong otherStatus = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        /** requests still unanswered when the phase gave up waiting (counted as errors, not as accepted). */
        final AtomicLong unanswered = new AtomicLong();
        volatile boolean closed;
        /** what went wrong, e.g. "status 500" or "VertxException: Connection was closed", with counts */
        final java.util.concurrent.ConcurrentHashMap<String, Long> errorKinds = new java.util.concurrent.ConcurrentHashMap<>();
        volatile long startNanos;
        volatile long endNanos;

        long successes() {
            return ok200.get() + accepted202.get();
        }

        long errors() {
            return otherStatus.get() + failures.get() + unanswered.get();
        }

        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    /** A request not answered within this time after it was due counts as an error (a storefront gives up too). */
    private static final long TIMEOUT_MS = 30_000;

    private final Vertx vertx;
    private final HttpClient client;
    private final String host;
    private final int port;
    private final Requests requests;
    private final AtomicLong sequence = new AtomicLong();
    /** ids the target answered 2xx: the orders it accepted and must finish. */
    final Queue<String> acceptedIds = new ConcurrentLinkedQueue<>();
    final AtomicLong lastCompletionNanos = new AtomicLong();

    LoadClient(String host, int port, int connections, Requests requests) {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        this.client = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        // close idle connections before the server does (the JDK server used by the
                        // simulator closes them after 30 s), so no request races a closing connection
                        .setKeepAliveTimeout(10)
                        .setPipelining(false)
                        .setConnectTimeout(5_000)
                        .setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
        this.host = host;
        this.port = port;
        this.requests = requests;
    }

    /** Closed loop on {@code connections} connections for {@code seconds}. */
    Phase fullSpeed(int connections, double seconds) throws InterruptedException {
        Phase phase = new Phase();
        CountDownLatch done = new CountDownLatch(connections);
        Context context = vertx.getOrCreateContext(); // as in fixedRate: never issued from this thread
        phase.startNanos = System.nanoTime();
        long end = phase.startNanos + (long) (seconds * 1e9);
        for (int i = 0; i < connections; i++) {
            context.runOnContext(v -> loop(phase, end, done));
        }
        done.await(TIMEOUT_MS + (long) (seconds * 1000), TimeUnit.MILLISECONDS);
        // The phase ends with its last answer, not when this wait gave up: one request never
        // answered once held it 30 s longer and halved the proxy's orders/s and CPU.
        phase.endNanos = Math.max(lastCompletionNanos.get(), end);
        close(phase, done.getCount());
        return phase;
    }

    private void loop(Phase phase, long end, CountDownLatch done) {
        long start = System.nanoTime();
        if (start >= end) {
            done.countDown();
            return;
        }
        send(phase, start, () -> loop(phase, end, done));
    }

    /** Open loop: {@code rate} requests per second for {@code seconds}, then waits for the last answers. */
    Phase fixedRate(double rate, double seconds) throws InterruptedException {
        Phase phase = new Phase();
        // Requests are issued on a Vert.x context, not on this pacing thread: issued from here,
        // some of 30,000 (a few to several hundred) never completed, neither answered nor failed
        // by their timeouts.
        Context context = vertx.getOrCreateContext();
        AtomicLong inFlight = new AtomicLong();
        long count = (long) (rate * seconds);
        double interval = 1e9 / rate;
        phase.startNanos = System.nanoTime();
        for (long i = 0; i < count; i++) {
            long due = phase.startNanos + (long) (i * interval);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlight.incrementAndGet();
            context.runOnContext(v -> send(phase, due, inFlight::decrementAndGet));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        phase.endNanos = Math.max(lastCompletionNanos.get(), phase.startNanos + (long) (seconds * 1e9));
        close(phase, inFlight.get());
        return phase;
    }

    /** Answers after this are ignored: the phase's numbers and accepted ids are final. */
    private static void close(Phase phase, long stillOpen) {
        synchronized (phase) {
            phase.closed = true;
            phase.unanswered.set(stillOpen);
        }
    }

    private void send(Phase phase, long dueNanos, Runnable then) {
        Request r = requests.next(sequence.incrementAndGet());
        phase.sent.incrementAndGet();
        client.request(new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setHost(host)
                        .setPort(port)
                        .setURI(r.path())
                        .setHeaders(r.headers())
                        // waiting for a free connection counts: an open-loop request is due when it is due
                        .setConnectTimeout(TIMEOUT_MS)
                        .setTimeout(TIMEOUT_MS))
                .compose(req -> req.send(r.body()))
                .compose(resp -> resp.body().map(b -> resp.statusCode()))
                .onComplete(result -> {
                    synchronized (phase) {
                        if (!phase.closed) {
                            complete(phase, r, dueNanos, result);
                        }
                    }
                    then.run();
                });
    }

    private void complete(Phase phase, Request r, long dueNanos, io.vertx.core.AsyncResult<Integer> result) {
        long now = System.nanoTime();
        lastCompletionNanos.accumulateAndGet(now, Math::max);
        if (result.succeeded()) {
            int status = result.result();
            phase.latencyMicros.recordValue(Math.max(1, (now - dueNanos) / 1000));
            if (status == 200) {
                phase.ok200.incrementAndGet();
            } else if (status == 202) {
                phase.accepted202.incrementAndGet();
            } else {
                phase.otherStatus.incrementAndGet();
                phase.errorKinds.merge("status " + status, 1L, Long::sum);
            }
            if (status == 200 || status == 202) {
                acceptedIds.add(r.id());
            }
        } else {
            phase.failures.incrementAndGet();
            Throwable t = result.cause();
            phase.errorKinds.merge(t.getClass().getSimpleName() + ": " + t.getMessage(), 1L, Long::sum);
        }
    }

    @Override
    public void close() {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
}
