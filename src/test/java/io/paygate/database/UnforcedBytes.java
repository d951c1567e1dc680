package io.paygate.database;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.store.fs.FileBaseDefault;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * An H2 file system for tests, {@code jdbc:h2:unforced:<path>}: the plain disk, counting the bytes
 * written to its files that no {@code force} (fsync) has reached yet. What it counts is what a
 * power cut at that instant could take from the file.
 */
public final class UnforcedBytes extends FilePathWrapper {

    private static final AtomicLong UNFORCED = new AtomicLong();

    static {
        FilePath.register(new UnforcedBytes());
    }

    /** The JDBC URL of an H2 file under this file system (loading this class registered it). */
    static String url(Path file) {
        return "jdbc:h2:unforced:" + file;
    }

    static long now() {
        return UNFORCED.get();
    }

    /** Forgets what earlier files left unforced (the count is for every file under the scheme). */
    static void reset() {
        UNFORCED.set(0);
    }

    /** For H2, which makes one per path by reflection. */
    public UnforcedBytes() {
    }

    @Override
    public String getScheme() {
        return "unforced";
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        return new Counting(getBase().open(mode));
    }

    /** The file's channel, counting what it writes; positioned reads and writes come here (FileBaseDefault). */
    private static final class Counting extends FileBaseDefault {
        private final FileChannel file;

        Counting(FileChannel file) {
            this.file = file;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            int n = file.write(src, position);
            UNFORCED.addAndGet(n);
            return n;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            long before = UNFORCED.get(); // bytes written meanwhile may not be covered: not counted as forced
            file.force(metaData);
            UNFORCED.addAndGet(-before);
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        protected void implTruncate(long size) throws IOException {
            file.truncate(size);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
