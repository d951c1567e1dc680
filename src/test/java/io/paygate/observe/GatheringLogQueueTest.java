package io.paygate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The log's queue (log4j2.xml): the writer thread takes every line, in order, without being woken
 * by the threads that log; a lone line does not wait for another to be logged; a full queue makes
 * the logging thread wait rather than drop the line. (That the production configuration loads it and
 * writes each order's lines is {@link OrderLogsTest}'s.)
 */
class GatheringLogQueueTest {

    @Test
    void theWriterTakesEveryLineInOrderWhileOthersKeepLogging() throws Exception {
        BlockingQueue<Integer> queue = GatheringLogQueue.<Integer>createFactory(2).create(64);
        int lines = 5_000;
        CompletableFuture<List<Integer>> written = CompletableFuture.supplyAsync(() -> {
            List<Integer> taken = new ArrayList<>();
            try {
                while (taken.size() < lines) {
                    taken.add(queue.take());
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return taken;
        });
        for (int i = 0; i < lines; i++) {
            queue.put(i); // waits while the queue is full (64): no line is dropped
            if (i % 500 == 0) {
                Thread.sleep(5); // the writer catches up and sleeps in between
            }
        }
        List<Integer> taken = written.get(30, TimeUnit.SECONDS);
        assertEquals(lines, taken.size());
        for (int i = 0; i < lines; i++) {
            assertEquals(i, taken.get(i), "line " + i + " out of order");
        }
    }

    @Test
    void aLoneLineIsTakenWithoutWaitingForAnotherLine() throws Exception {
        BlockingQueue<String> queue = GatheringLogQueue.<String>createFactory(20).create(16);
        CompletableFuture<Long> takenAt = CompletableFuture.supplyAsync(() -> {
            try {
                queue.take();
                return System.nanoTime();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100); // the writer has found the queue empty and sleeps
        long loggedAt = System.nanoTime();
        queue.put("order pg_… received");
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(takenAt.get(10, TimeUnit.SECONDS) - loggedAt);
        // not a timing assertion on speed: a lone line must not wait for the next one to be logged
        assertTrue(waitedMillis < 5_000, "the line waited " + waitedMillis + " ms");
    }

    @Test
    void aWriterInterruptedWhileWaitingStops() throws Exception {
        BlockingQueue<String> queue = GatheringLogQueue.<String>createFactory(10).create(16);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                queue.take();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        writer.start();
        Thread.sleep(50);
        writer.interrupt();
        Throwable thrown = outcome.get(10, TimeUnit.SECONDS);
        assertThrows(InterruptedException.class, () -> {
            throw thrown;
        });
    }
}
