package io.paygate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.camel.main.Main;

/**
 * Starts paygate: Camel Main with config/application.properties (or the file named by
 * {@code --config <file>} / PAYGATE_CONFIG), routes from the routes directory, and the beans
 * wired in {@link PaygateConfiguration}.
 */
public final class Paygate {

    private Paygate() {
    }

    public static void main(String[] args) throws Exception {
        String config = System.getenv().getOrDefault("PAYGATE_CONFIG", "config/application.properties");
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--config")) {
                config = args[i + 1];
            }
        }
        if (!Files.isRegularFile(Path.of(config))) {
            System.err.println("paygate: configuration file not found: " + Path.of(config).toAbsolutePath()
                    + " (run from the repository root, or pass --config <file> / set PAYGATE_CONFIG)");
            System.exit(2);
        }
        try {
            create(config, new Properties()).run();
        } catch (Throwable e) {
            // Without this the broker's threads would keep a half-started JVM alive.
            System.err.println("paygate: start-up failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** A configured, not yet started Main; tests pass overrides (ports, data dir) here. */
    public static Main create(String configFile, Properties overrides) {
        // The configuration class is named, not found by scanning io.paygate: the scan loaded every
        // class of the package to find this one, about 0.7 s of a 3.2 s start on 2 cores.
        Main main = new Main();
        main.configure().addConfiguration(PaygateConfiguration.class);
        main.setPropertyPlaceholderLocations("file:" + configFile);
        if (!overrides.isEmpty()) {
            main.setOverrideProperties(overrides);
        }
        return main;
    }
}
