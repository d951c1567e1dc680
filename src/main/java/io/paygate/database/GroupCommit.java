package io.paygate.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for a database that commits one transaction at a time (the embedded H2 writes
 * every commit before it returns): units of work from many threads are run by one writer, each
 * inside its own savepoint, and committed together. Every caller still returns only after its
 * work is committed, so nothing becomes less durable; a failing unit is rolled back to its
 * savepoint and fails alone; a failing commit fails the whole group.
 */
final class GroupCommit {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private record Unit<T>(Database.Work<T> work, CompletableFuture<T> result) {
    }

    private final DataSource dataSource;
    private final int maxGroup;
    private final BlockingQueue<Unit<?>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile Connection current;

    GroupCommit(DataSource dataSource, int maxGroup) {
        this.dataSource = dataSource;
        this.maxGroup = maxGroup;
        this.writer = new Thread(this::run, "paygate-group-commit");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    <T> T submit(Database.Work<T> work) throws SQLException {
        if (Thread.currentThread() == writer) {
            return work.run(current); // a unit doing more work: part of the same transaction
        }
        Unit<T> unit = new Unit<>(work, new CompletableFuture<>());
        queue.add(unit);
        try {
            return unit.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the commit", "08000", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                throw s;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new SQLException(cause);
        }
    }

    private void run() {
        List<Unit<?>> group = new ArrayList<>(maxGroup);
        while (true) {
            try {
                group.add(queue.take());
                queue.drainTo(group, maxGroup - 1);
                commit(group);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                LOG.error("group commit failed unexpectedly", t);
                group.forEach(u -> u.result().completeExceptionally(t));
            } finally {
                group.clear();
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void commit(List<Unit<?>> group) {
        List<Object> results = new ArrayList<>(group.size());
        List<Throwable> failures = new ArrayList<>(group.size());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            current = c;
            try {
                for (Unit<?> unit : group) {
                    Savepoint savepoint = c.setSavepoint();
                    try {
                        results.add(unit.work().run(c));
                        failures.add(null);
                    } catch (SQLException | RuntimeException e) {
                        c.rollback(savepoint);
                        results.add(null);
                        failures.add(e);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; the transaction with it
                }
                throw e;
            } finally {
                current = null;
            }
        } catch (SQLException | RuntimeException e) {
            group.forEach(u -> u.result().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            CompletableFuture f = group.get(i).result();
            if (failures.get(i) != null) {
                f.completeExceptionally(failures.get(i));
            } else {
                f.complete(results.get(i));
            }
        }
    }

    void stop() {
        writer.interrupt();
    }
}
