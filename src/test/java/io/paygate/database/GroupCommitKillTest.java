package io.paygate.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.paygate.testing.ExternalProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} during group commit never leaves a row that no transaction can write again.
 *
 * <p>H2 writes its maps one after the other (h2database#2080): a write of the store that runs
 * while transactions change or commit rows can hold a row still marked by a transaction whose
 * undo log it does not hold. If the process then dies, that mark outlives every transaction, and
 * H2 retries a write of that row for ever (a thread spinning in {@code TransactionMap.set}): the
 * order in it can never be settled. {@link GroupCommit} therefore writes the store only when no
 * transaction is between its first change and the end of its commit.
 *
 * <p>A child JVM runs many small transactions through group commit (two tables, an index) and is
 * killed at a random moment; another child then opens the file and writes every row. It must
 * finish: a hang is the spin.
 */
class GroupCommitKillTest {

    private static final int ACCOUNTS = 64;
    private static final int KILLS = Integer.getInteger("paygate.test.group-commit-kills", 15);

    @TempDir
    Path dir;

    @Test
    void afterAKillEveryRowCanBeWrittenAgain() throws Exception {
        Path data = dir.resolve("db");
        List<String> hangs = new ArrayList<>();
        long updatesBefore = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            ExternalProcess load = child("load", data);
            Path ready = data.resolve("ready");
            Files.deleteIfExists(ready);
            load.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(ready)) {
                assertThat(load.isAlive()).as("load child alive; see %s", load.log()).isTrue();
                assertThat(System.nanoTime()).as("load child ready in time").isLessThan(deadline);
                Thread.sleep(50);
            }
            Thread.sleep(ThreadLocalRandom.current().nextLong(200, 1_200));
            load.kill9();

            ExternalProcess check = child("check", data);
            check.start();
            Integer exit = check.awaitExit(Duration.ofSeconds(30));
            if (exit == null) {
                hangs.add("kill " + kill + ": writing every row did not finish in 30 s; its main thread:\n"
                        + mainThreadOf(check.pid()));
                check.kill9();
                break;
            }
            assertThat(exit).as("check after kill %d exits cleanly; see %s", kill, check.log()).isZero();
            long updates = Long.parseLong(Files.readString(data.resolve("updates")));
            assertThat(updates).as("transactions committed before kill %d", kill).isGreaterThan(updatesBefore);
            updatesBefore = updates;
        }
        assertThat(hangs).isEmpty();
    }

    /** The stack of the child's main thread (jcmd from the running JDK), to tell the spin from any other hang. */
    private static String mainThreadOf(long pid) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
        String dump = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        jcmd.waitFor();
        int main = dump.indexOf("\"main\"");
        if (main < 0) {
            return dump;
        }
        int end = dump.indexOf("\n\n", main);
        return dump.substring(main, end < 0 ? dump.length() : end);
    }

    private ExternalProcess child(String mode, Path data) {
        return new ExternalProcess("group-commit-" + mode, Workload.class.getName(), List.of(mode, data.toString()),
                Map.of(), dir.resolve(mode + ".log"));
    }

    /** The child: {@code load DIR} runs transactions until killed; {@code check DIR} writes every row once. */
    public static final class Workload {

        public static void main(String[] args) throws Exception {
            Path data = Path.of(args[1]);
            String url = "jdbc:h2:file:" + data.resolve("crash") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY="
                    + (args[0].equals("load") ? 1000 : 0);
            HikariDataSource dataSource = DatabaseSetup.open(url, "sa", "", 20);
            if (args[0].equals("check")) {
                try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                    // writes every row (and takes it back, so the sum still counts the load's updates)
                    s.executeUpdate("UPDATE account SET n = n + 1");
                    s.executeUpdate("UPDATE account SET n = n - 1");
                    s.executeUpdate("DELETE FROM entry");
                    try (java.sql.ResultSet rs = s.executeQuery("SELECT SUM(n) FROM account")) {
                        rs.next();
                        Files.writeString(data.resolve("updates"), Long.toString(rs.getLong(1)));
                    }
                }
                dataSource.close();
                System.exit(0);
            }
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS account (id INT PRIMARY KEY, n BIGINT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS entry (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
                        + " account INT NOT NULL, amount INT NOT NULL)");
                s.execute("CREATE INDEX IF NOT EXISTS ix_entry_account ON entry (account)");
                s.execute("CREATE INDEX IF NOT EXISTS ix_entry_amount ON entry (amount, account)");
                s.execute("INSERT INTO account (id, n) SELECT x, 0 FROM SYSTEM_RANGE(1, " + ACCOUNTS + ")"
                        + " WHERE NOT EXISTS (SELECT 1 FROM account)");
            }
            Database database = new Database(dataSource, Duration.ZERO, false);
            for (int t = 0; t < 16; t++) {
                Thread worker = new Thread(() -> work(database), "worker-" + t);
                worker.start();
            }
            Files.createFile(data.resolve("ready"));
            Thread.sleep(Long.MAX_VALUE);
        }

        private static void work(Database database) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (true) {
                try {
                    database.inTransaction(c -> {
                        try (PreparedStatement update = c.prepareStatement("UPDATE account SET n = n + 1 WHERE id = ?");
                                PreparedStatement insert = c.prepareStatement(
                                        "INSERT INTO entry (account, amount) VALUES (?, ?)")) {
                            // several rows in several maps: a commit that takes a while to rewrite them
                            for (int i = 0; i < 3; i++) {
                                int account = random.nextInt(1, ACCOUNTS + 1);
                                update.setInt(1, account);
                                update.executeUpdate();
                                insert.setInt(1, account);
                                insert.setInt(2, random.nextInt(1, 1000));
                                insert.executeUpdate();
                            }
                        }
                        return null;
                    });
                } catch (Exception e) {
                    // a lock timeout between workers: try again, the load is all that matters here
                }
            }
        }
    }
}
