package io.paygate.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.paygate.audit.AuditEventsIntoRecords;
import org.flywaydb.core.Flyway;

/** Opens the connection pool and brings the schema up to date before any route starts. */
public final class DatabaseSetup {

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
