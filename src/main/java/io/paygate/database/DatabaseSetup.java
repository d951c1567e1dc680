package io.paygate.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.paygate.audit.AuditEventsIntoRecords;
import org.flywaydb.core.Flyway;

/** Opens the connection pool and brings the schema up to date before any route starts. */
public final class DatabaseSetup {

    static {
        // H2 looks every string and time a statement is given up in one small table shared by all
        // threads, to hand back an equal value it made before: a hash, a compare and a write to
        // memory both cores keep touching, for each of an order's twenty-odd parameters. The cache
        // is optional in H2 and saves paygate nothing, so it goes without (README "Performance",
        // item 23; read by H2 when it first loads; a -Dh2.objectCache on the command line wins).
        if (System.getProperty("h2.objectCache") == null) {
            System.setProperty("h2.objectCache", "false");
        }
    }

    private DatabaseSetup() {
    }

    public static HikariDataSource open(String url, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("paygate-db");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        // Fail fast when the database is down: ingress must answer 503 quickly, not hang.
        config.setConnectionTimeout(3000);
        config.setValidationTimeout(2000);
        config.setInitializationFailTimeout(30000);
        HikariDataSource dataSource = new HikariDataSource(config);
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .javaMigrations(new AuditEventsIntoRecords())
                .load()
                .migrate();
        return dataSource;
    }
}
