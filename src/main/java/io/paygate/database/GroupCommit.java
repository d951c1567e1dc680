package io.paygate.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the embedded H2. Each caller runs its unit of work in its own transaction on
 * its own connection, in parallel with the others, and commits it; H2 (opened with a write delay)
 * commits in memory. The caller then waits at a barrier: one writer thread writes the store to
 * its file (one chunk holding every commit made since the last write) and releases every caller
 * whose commit came before that write began. So no caller returns before its work is in the file
 * (it survives {@code kill -9}), and the store is written once per group instead of once per
 * transaction, by one thread, while the SQL of all callers runs concurrently.
 *
 * <p>With {@code forceToDisk} each write is also forced to the disk (fsync) before its callers
 * are released, so an answered commit survives a power cut too, not only a killed process; one
 * force per group, not one per transaction. Without it the operating system writes the file
 * back when it chooses (H2's own assumption, see its {@code RETENTION_TIME}).
 *
 * <p>Writes begin at most once per {@code interval}: each write costs about the same however few
 * commits it holds (H2 rewrites every touched page and its chunk bookkeeping), so under load a
 * short pause between writes lets more commits share one. After a quiet spell the first write
 * begins at once, so a lone caller does not wait for the interval.
 *
 * <p>H2 writes its maps one after the other, not at one instant (h2database#2080): a write made
 * while a transaction changes or commits rows can hold a row still marked by that transaction
 * without the undo log that explains the mark. After a crash nothing clears that mark, and every
 * later write of the row loops in H2 for ever (an order that can never be settled, a core burnt).
 * So a write takes place only at a quiet moment: every transaction holds {@link #quiet} shared
 * from its first statement to the end of its commit or rollback, and the writer holds it alone
 * while H2 takes and writes its snapshot (the force to the disk comes after, with no one held).
 *
 * <p>A unit of work that calls {@link Database#inTransaction} again joins the caller's transaction.
 */
final class GroupCommit {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    private static final long QUIET_ATTEMPT_MILLIS = 50;

    /** The callers released by one write of the store. */
    private static final class Group {
        private final CountDownLatch done = new CountDownLatch(1);
        private int members;
        private volatile RuntimeException failure;
    }

    private final DataSource dataSource;
    private final long intervalNanos;
    private final boolean forceToDisk;
    /** Told how long each finished write took, force included, in nanoseconds (a metric; tests count writes with it). */
    private volatile LongConsumer writeTimes = nanos -> { };
    private final ThreadLocal<Connection> current = new ThreadLocal<>();
    /** Shared by transactions in progress, held alone by a write of the store (see the class comment). */
    private final ReentrantReadWriteLock quiet = new ReentrantReadWriteLock();
    private final Object lock = new Object();
    private final Thread writer;
    private volatile MVStore store;
    /** Whether the first connection was asked for its store (a remote H2 has none: asked once, not per transaction). */
    private volatile boolean storeLookedUp;
    private Group open = new Group();
    private volatile boolean running = true;

    GroupCommit(DataSource dataSource, Duration interval, boolean forceToDisk) {
        this.dataSource = dataSource;
        this.intervalNanos = interval.toNanos();
        this.forceToDisk = forceToDisk;
        this.writer = new Thread(this::run, "paygate-group-commit");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    <T> T submit(Database.Work<T> work) throws SQLException {
        Database.Committed<T> committed = submitWrittenLater(work);
        committed.written().await();
        return committed.value();
    }

    /**
     * Runs and commits {@code work} like {@link #submit}, but returns as soon as the commit is made
     * in memory: the result's {@link Database.Written} waits for the group write that holds it.
     */
    <T> Database.Committed<T> submitWrittenLater(Database.Work<T> work) throws SQLException {
        Connection joined = current.get();
        if (joined != null) {
            // the caller's own transaction: its caller waits for the write that holds it
            return new Database.Committed<>(work.run(joined), Database.Written.ALREADY);
        }
        T result;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            current.set(c);
            quiet.readLock().lock();
            try {
                result = work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                quiet.readLock().unlock();
                current.remove();
            }
            if (!storeLookedUp) {
                store = storeOf(c);
                storeLookedUp = true;
            }
        }
        Group group = join();
        return new Database.Committed<>(result, group == null ? Database.Written.ALREADY : () -> awaitWritten(group));
    }

    /**
     * Joins the group of the next write of the store, which begins after this call and so holds
     * the caller's commit; null when there is no embedded file store (its own write policy applies).
     */
    private Group join() throws SQLException {
        if (store == null) {
            return null;
        }
        synchronized (lock) {
            if (!running) {
                throw new SQLException("the database is closing", "08000");
            }
            Group group = open;
            group.members++;
            lock.notifyAll();
            return group;
        }
    }

    /** Waits until {@code group} is written (at once if it already is). */
    private static void awaitWritten(Group group) throws SQLException {
        try {
            group.done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the commit", "08000", e);
        }
        if (group.failure != null) {
            throw new SQLException("the database could not write its file", "08000", group.failure);
        }
    }

    private void run() {
        long lastWrite = System.nanoTime() - intervalNanos;
        while (true) {
            Group group;
            synchronized (lock) {
                while (running && open.members == 0) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            // the callers who commit meanwhile join this group (see the class comment)
            long pause = lastWrite + intervalNanos - System.nanoTime();
            if (pause > 0 && running) {
                LockSupport.parkNanos(pause);
            }
            lastWrite = System.nanoTime();
            synchronized (lock) {
                group = open;
                open = new Group();
            }
            if (group.members > 0) {
                long began = System.nanoTime();
                try {
                    awaitQuiet();
                    try {
                        store.commit(); // holds every commit made before its callers joined the group
                    } finally {
                        quiet.writeLock().unlock();
                    }
                    if (forceToDisk) {
                        store.sync();
                    }
                } catch (RuntimeException e) {
                    LOG.error("the database file could not be written: {}", e.toString());
                    group.failure = e;
                }
                if (group.failure == null) {
                    // before the release, so that a returning caller's write is already counted
                    try {
                        writeTimes.accept(System.nanoTime() - began);
                    } catch (RuntimeException e) {
                        // a metric must never stop the writer: every commit waits for it
                        LOG.debug("group write time not recorded: {}", e.toString());
                    }
                }
                group.done.countDown();
            }
            if (!running) {
                return;
            }
        }
    }

    /**
     * Waits until no transaction is in progress and holds them off. The wait is given up now and
     * then and begun again, so that a transaction waiting for another one (that would wait behind
     * this writer to begin) gets through; the write is never made without the quiet moment.
     */
    private void awaitQuiet() {
        boolean interrupted = false;
        while (true) {
            try {
                if (quiet.writeLock().tryLock(QUIET_ATTEMPT_MILLIS, TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true; // the write first: its callers wait for it; the loop sees the interrupt after
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The MVStore behind an embedded H2 connection, or null (a remote H2: nothing to group). */
    private static MVStore storeOf(Connection c) {
        try {
            if (c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session
                    && session.getDatabase().getStore() != null) {
                return session.getDatabase().getStore().getMvStore();
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("H2 store not reachable for group commit ({}); its own write delay applies", e.toString());
        }
        return null;
    }

    void onWrite(LongConsumer nanos) {
        writeTimes = nanos;
    }

    void stop() {
        synchronized (lock) {
            running = false;
            lock.notifyAll();
        }
    }
}
