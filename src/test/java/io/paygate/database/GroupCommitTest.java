package io.paygate.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit on a real H2 file: a caller returns only once its commit is in the file (a copy of
 * the file taken at that moment, as a crash would leave it, holds it) and forced to the disk (no
 * byte written is still waiting for an fsync), commits made while a write is pending share the
 * next write, and a lone commit after a quiet spell is not held back.
 */
class GroupCommitTest {

    @TempDir
    Path dir;

    private HikariDataSource dataSource;
    private Database database;
    private final AtomicLong groupWrites = new AtomicLong();

    private void open(Duration interval) throws Exception {
        open("jdbc:h2:file:" + dir.resolve("db/paygate") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=1000", interval, true);
    }

    private void open(String url, Duration interval, boolean forceToDisk) throws Exception {
        dataSource = DatabaseSetup.open(url, "sa", "", 20);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
        }
        database = new Database(dataSource, interval, forceToDisk);
        database.onGroupWrite(nanos -> groupWrites.incrementAndGet());
    }

    /** On the counting file system; H2's own background write (WRITE_DELAY) is a minute away. */
    private void openCountingUnforcedBytes(boolean forceToDisk) throws Exception {
        open(UnforcedBytes.url(dir.resolve("db/paygate")) + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=60000",
                Duration.ofMillis(5), forceToDisk);
        UnforcedBytes.reset();
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
    }

    private void insert(int id) throws Exception {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id) VALUES (?)")) {
                ps.setInt(1, id);
                return ps.executeUpdate();
            }
        });
    }

    /** The rows a crash at this instant would leave: read from a copy of the file as it is now. */
    private List<Integer> rowsInTheFile() throws Exception {
        Path copy = dir.resolve("copy-" + System.nanoTime());
        Files.createDirectories(copy);
        Files.copy(dir.resolve("db/paygate.mv.db"), copy.resolve("paygate.mv.db"));
        List<Integer> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + copy.resolve("paygate"), "sa", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM t ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }

    private void insertConcurrently(int firstId, int callers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int id = firstId + i;
                done.add(pool.submit(() -> {
                    start.await();
                    insert(id);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void commitsMadeWhileAWriteIsPendingShareItAndAreInTheFileWhenTheirCallersReturn() throws Exception {
        open(Duration.ofSeconds(1));
        insert(0); // a write begins at once; the next may not begin before a second has passed
        long writesBefore = groupWrites.get();

        insertConcurrently(1, 8);

        assertThat(groupWrites.get() - writesBefore).as("writes for 8 concurrent commits").isEqualTo(1);
        assertThat(rowsInTheFile()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void aCommitWrittenLaterReturnsBeforeItsWriteAndTheNextCommitsWriteHoldsIt() throws Exception {
        // H2's own background write a minute away: only group writes put commits in the file
        open("jdbc:h2:file:" + dir.resolve("db/paygate") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=60000",
                Duration.ofSeconds(3), true);
        insert(0); // a write begins at once; the next may not begin before 3 s have passed

        Database.Committed<Integer> later = database.inTransactionWrittenLater(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id) VALUES (1)")) {
                return ps.executeUpdate();
            }
        });
        // committed (another connection sees it) but not in the file yet: nobody may be told of it
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM t WHERE id = 1")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        assertThat(rowsInTheFile()).containsExactly(0);

        // a later commit (an order's claim) returns only once its write is done, and that write holds both
        insert(2);
        assertThat(rowsInTheFile()).containsExactly(0, 1, 2);
        later.written().await();
        assertThat(later.value()).isEqualTo(1);
    }

    @Test
    void aLoneCommitAfterAQuietSpellIsWrittenAtOnce() throws Exception {
        open(Duration.ofSeconds(20));
        Thread.sleep(100);
        long started = System.nanoTime();
        insert(1);
        // not held back for the interval (20 s): the first write after a quiet spell begins at once
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(rowsInTheFile()).containsExactly(1);
    }

    @Test
    void anAnsweredCommitIsOnTheDiskNotOnlyInTheOperatingSystemsCache() throws Exception {
        openCountingUnforcedBytes(true);
        for (int id = 1; id <= 3; id++) {
            insert(id);
            assertThat(UnforcedBytes.now()).as("bytes a power cut could take once commit %d was answered", id).isZero();
        }
        insertConcurrently(10, 8);
        assertThat(UnforcedBytes.now()).as("bytes a power cut could take once 8 concurrent commits were answered").isZero();
    }

    @Test
    void withoutForcingAnAnsweredCommitCanStillBeOnlyInTheOperatingSystemsCache() throws Exception {
        // paygate.db.sync=false, and proof that the counting file system sees H2's writes at all
        openCountingUnforcedBytes(false);
        insert(1);
        assertThat(UnforcedBytes.now()).isPositive();
        assertThat(rowsInTheFile()).containsExactly(1); // still survives a killed process
    }
}
