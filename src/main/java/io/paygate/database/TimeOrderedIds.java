package io.paygate.database;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers that begin with the time they were made (the UUID version 7 layout: 48 bits of Unix
 * milliseconds, then 74 random bits). Used as database keys they sort by age, so a new row goes to
 * the right-hand edge of each B-tree index instead of a random page: the pages being written stay
 * in the cache however large the table grows (random keys made every insert of the audit trail
 * read an old page back from the file).
 */
public final class TimeOrderedIds {

    private static final SecureRandom SECURE = new SecureRandom();

    private TimeOrderedIds() {
    }

    /** Unguessable random part: for identifiers handed to clients and providers. */
    public static UUID secure() {
        return make(System.currentTimeMillis(), SECURE.nextLong(), SECURE.nextLong());
    }

    /** Unique, not secret: no queueing on the SecureRandom lock (audit event ids). */
    public static UUID fast() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return make(System.currentTimeMillis(), random.nextLong(), random.nextLong());
    }

    /** 32 lower-case hex digits, sorting as the UUID does. */
    public static String hex(UUID id) {
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(id.getMostSignificantBits()) + hex.toHexDigits(id.getLeastSignificantBits());
    }

    static UUID make(long millis, long random1, long random2) {
        long high = (millis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (random1 & 0x0FFFL);
        long low = random2 & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }
}
