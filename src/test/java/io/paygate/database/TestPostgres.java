package io.paygate.database;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * The PostgreSQL a test may wipe, named by PAYGATE_TEST_PG_URL (.ci/run starts one); the test is
 * skipped without it.
 */
record TestPostgres(String url, String user, String password) {

    /** The database with an empty public schema. */
    static TestPostgres wiped() throws Exception {
        String url = System.getenv("PAYGATE_TEST_PG_URL");
        assumeTrue(url != null && !url.isBlank(), "PAYGATE_TEST_PG_URL not set: no PostgreSQL to test against");
        TestPostgres pg = new TestPostgres(url, System.getenv().getOrDefault("PAYGATE_TEST_PG_USER", "paygate"),
                System.getenv().getOrDefault("PAYGATE_TEST_PG_PASSWORD", "paygate"));
        try (Connection c = DriverManager.getConnection(url, pg.user, pg.password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA public CASCADE");
            s.execute("CREATE SCHEMA public");
        }
        return pg;
    }
}
