package io.paygate.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A copy of routes/ with one more provider file in it, written the way the README tells an
 * integrator to add a provider: start paygate on it with {@code paygate.routes.dir}.
 */
public final class TestRoutes {

    private TestRoutes() {
    }

    /** Copies routes/ to {@code dir} and adds providers/{name}.yaml, an HTTP provider at {@code baseUrl}. */
    public static Path withHttpProvider(Path dir, String name, String baseUrl) throws Exception {
        try (var files = Files.walk(Path.of("routes"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = dir.resolve(Path.of("routes").relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Files.writeString(dir.resolve("providers/" + name + ".yaml"), """
                # %1$s: card payments over HTTP (reference protocol).
                - templatedRoute:
                    routeTemplateRef: http-provider
                    routeId: provider-%1$s
                    parameters:
                      - name: name
                        value: %1$s
                      - name: baseUrl
                        value: "%2$s"
                """.formatted(name, baseUrl));
        return dir;
    }
}
