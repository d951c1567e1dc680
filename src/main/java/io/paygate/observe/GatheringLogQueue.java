package io.paygate.observe;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.core.async.BlockingQueueFactory;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;

/**
 * The queue between paygate's threads and the log's writer thread ({@code <Async>} in
 * log4j2.xml, {@code <GatheringLogQueue/>}). With Log4j's default queue the writer sleeps on the
 * queue and every line logged wakes it: two thread switches for each line, and under load paygate
 * logs two lines per order. Here the writer, once it has caught up, sleeps for {@code gatherMillis}
 * and then writes everything logged meanwhile in one go (one flush): a logging thread never wakes
 * it. A line reaches the output at most about {@code gatherMillis} after it was logged; a full
 * queue still makes the logging thread wait (no line is dropped), and a stop still writes every
 * line first.
 */
@Plugin(name = "GatheringLogQueue", category = Node.CATEGORY, elementType = BlockingQueueFactory.ELEMENT_TYPE)
public final class GatheringLogQueue<E> implements BlockingQueueFactory<E> {

    private final long gatherNanos;

    private GatheringLogQueue(long gatherNanos) {
        this.gatherNanos = gatherNanos;
    }

    @PluginFactory
    public static <E> GatheringLogQueue<E> createFactory(@PluginAttribute(value = "gatherMillis", defaultInt = 10) int gatherMillis) {
        return new GatheringLogQueue<>(TimeUnit.MILLISECONDS.toNanos(Math.max(1, gatherMillis)));
    }

    @Override
    public BlockingQueue<E> create(int capacity) {
        return new Gathering<>(capacity, gatherNanos);
    }

    /** A bounded queue whose {@link #take} polls at an interval instead of waiting to be woken. */
    static final class Gathering<E> extends ArrayBlockingQueue<E> {

        private final long gatherNanos;

        Gathering(int capacity, long gatherNanos) {
            super(capacity);
            this.gatherNanos = gatherNanos;
        }

        @Override
        public E take() throws InterruptedException {
            E next;
            while ((next = poll()) == null) {
                LockSupport.parkNanos(this, gatherNanos);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return next;
        }
    }
}
