package io.paygate.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.function.LongConsumer;
import javax.sql.DataSource;

/** Runs units of work in one JDBC transaction. The only place that commits or rolls back. */
public final class Database {

    /** SQLState of a unique-constraint violation, the same on H2 and PostgreSQL. */
    public static final String UNIQUE_VIOLATION = "23505";

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Waits until a commit is in the database's file (it survives {@code kill -9}). */
    @FunctionalInterface
    public interface Written {
        /** A commit that is in the file already (or whose database writes every commit itself). */
        Written ALREADY = () -> { };

        void await() throws SQLException;
    }

    /** The result of a committed unit of work, and how to wait until that commit is in the file. */
    public record Committed<T>(T value, Written written) {
    }

    private final DataSource dataSource;
    private final GroupCommit group;

    public Database(DataSource dataSource) {
        this(dataSource, null, false);
    }

    /**
     * @param groupCommitInterval null, or write the commits of concurrent callers to the file
     *                            together, at most one write per interval (the embedded H2, see
     *                            {@link GroupCommit})
     * @param forceToDisk         with group commit: force each write to the disk before its
     *                            callers return (survives a power cut, not only {@code kill -9})
     */
    public Database(DataSource dataSource, Duration groupCommitInterval, boolean forceToDisk) {
        this.dataSource = dataSource;
        this.group = groupCommitInterval == null ? null : new GroupCommit(dataSource, groupCommitInterval, forceToDisk);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public void close() {
        if (group != null) {
            group.stop();
        }
    }

    public <T> T inTransaction(Work<T> work) throws SQLException {
        if (group != null) {
            return group.submit(work);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Like {@link #inTransaction}, but returns once the commit is made, before it is written to the
     * file: {@code written().await()} of the result before anyone outside paygate is told of it (an
     * answer, a provider call, a message). Meanwhile the caller can go on, and a later commit's
     * write holds this one too (the store is written whole). Without group commit (PostgreSQL, or
     * a remote H2) the commit is durable at once.
     */
    public <T> Committed<T> inTransactionWrittenLater(Work<T> work) throws SQLException {
        if (group != null) {
            return group.submitWrittenLater(work);
        }
        return new Committed<>(inTransaction(work), Written.ALREADY);
    }

    /**
     * Tells {@code nanos} how long each group write of the embedded H2 file took, its force to the
     * disk included (every order waits for such writes), before the write's callers return;
     * nothing without group commit.
     */
    public void onGroupWrite(LongConsumer nanos) {
        if (group != null) {
            group.onWrite(nanos);
        }
    }

    /** Rows one purge transaction deletes at most: a long transaction would hold off group writes (see {@link GroupCommit}). */
    static final int PURGE_BATCH = 1_000;

    /**
     * Deletes the rows of {@code table} whose {@code column} is before {@code before}, in
     * transactions of about {@value #PURGE_BATCH} rows, so that no purge holds every other commit
     * back; returns how many. {@code column} must lead an index. A batch ends at the
     * {@value #PURGE_BATCH}th row's time (and takes the few rows that share it): a range over that
     * index on H2 and PostgreSQL alike, where a row-value {@code IN} over the key is a table scan on
     * H2 and PostgreSQL has no {@code DELETE ... LIMIT}.
     */
    public int deleteOlderThan(String table, String column, OffsetDateTime before) throws SQLException {
        return deleteOlderThan(table, column, before, null);
    }

    /**
     * As {@link #deleteOlderThan(String, String, OffsetDateTime)}, and only rows whose
     * {@code untilColumn} (a time at or after {@code column}, not indexed) is before it too.
     */
    public int deleteOlderThan(String table, String column, OffsetDateTime before, String untilColumn)
            throws SQLException {
        String batchEnd = "SELECT " + column + " FROM " + table + " WHERE " + column + " < ? ORDER BY " + column
                + " OFFSET " + (PURGE_BATCH - 1) + " ROWS FETCH NEXT 1 ROWS ONLY";
        String delete = "DELETE FROM " + table + " WHERE " + column + " <= ? AND " + column + " < ?"
                + (untilColumn == null ? "" : " AND " + untilColumn + " < ?");
        int total = 0;
        while (true) {
            int deleted = inTransaction(c -> {
                OffsetDateTime upTo = before;
                try (PreparedStatement ps = c.prepareStatement(batchEnd)) {
                    ps.setObject(1, before);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            upTo = rs.getObject(1, OffsetDateTime.class);
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(delete)) {
                    ps.setObject(1, upTo);
                    ps.setObject(2, before);
                    if (untilColumn != null) {
                        ps.setObject(3, before);
                    }
                    return ps.executeUpdate();
                }
            });
            total += deleted;
            if (deleted < PURGE_BATCH) {
                return total;
            }
        }
    }

    public <T> T read(Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            return work.run(c);
        }
    }

    public static boolean isUniqueViolation(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if (UNIQUE_VIOLATION.equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
