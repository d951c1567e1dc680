package io.paygate.security;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data dir holds queued orders (KahaDB), the scheduler store, the H2 database and generated
 * broker passwords: none of it is for other users of the host. Its root is made 0700 (which
 * alone stops others from reaching anything inside), and every directory under it 0700 and every
 * file 0600, once at start and again once everything is open (the broker and the database
 * create their files with the process umask). On file systems without POSIX permissions this
 * does nothing.
 */
public final class DataDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private DataDirectory() {
    }

    /** Secures {@code dataDir} now and again when the Camel context has started. */
    public static void secure(CamelContext context, File dataDir) throws Exception {
        Path root = dataDir.toPath();
        createOwnerOnlyDirectories(root);
        secureTree(root);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
                // nothing to do here: files are opened while the context is being configured
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) {
                secureTree(root);
            }
        });
    }

    /** Every directory under {@code root} (root included) 0700, every file 0600; symlinks are left alone. */
    public static void secureTree(Path root) {
        if (!posix() || !Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.forEach(path -> {
                try {
                    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                        Files.setPosixFilePermissions(path, DIRECTORY);
                    } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                        Files.setPosixFilePermissions(path, FILE);
                    }
                } catch (IOException e) {
                    // a file vanished meanwhile (a rotated journal) or is not ours: the 0700 root still guards it
                    LOG.debug("cannot restrict {}: {}", path, e.toString());
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot restrict permissions under {}: {}", root, e.toString());
        }
    }

    /** Creates missing directories as 0700 (existing ones made 0700 too). */
    public static void createOwnerOnlyDirectories(Path dir) throws IOException {
        if (!posix()) {
            Files.createDirectories(dir);
            return;
        }
        Path absolute = dir.toAbsolutePath();
        if (!Files.isDirectory(absolute)) {
            Path parent = absolute.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent);
            }
            Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(DIRECTORY));
        }
        Files.setPosixFilePermissions(absolute, DIRECTORY);
    }

    /** Creates an empty file that only its owner can read, from the first byte on. */
    public static void createOwnerOnlyFile(Path file) throws IOException {
        if (posix()) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
        } else {
            Files.createFile(file);
        }
    }

    public static void ownerOnly(Path file) throws IOException {
        if (posix() && Files.exists(file)) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
