package io.paygate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The standalone simulator's memory across its own restarts: one JSON line per decision
 * (an answer, charged or not, and a "reset before charge" already played), on disk before the
 * caller hears of it, like a real provider's ledger. Read back on start; cleared by
 * {@code POST /sim/reset}. Without a file the simulator keeps memory only.
 */
final class ChargeJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChargeJournal.class);
    static final String ANSWER = "answer";
    static final String RESET_BEFORE_CHARGE = "reset-before-charge";

    /** One line of the journal; {@code answer} for ANSWER events, {@code reference} for the others. */
    record Entry(String event, String provider, ProviderAnswer answer, String reference) {
    }

    private final Path file;
    private final List<Entry> entries;
    private FileChannel channel; // guarded by this

    private ChargeJournal(Path file, List<Entry> entries, FileChannel channel) {
        this.file = file;
        this.entries = entries;
        this.channel = channel;
    }

    /** A journal that remembers nothing. */
    static ChargeJournal none() {
        return new ChargeJournal(null, List.of(), null);
    }

    /** Opens (or creates) the file and reads what it holds; a line torn by a crash is dropped. */
    static ChargeJournal open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        List<Entry> entries = new ArrayList<>();
        long intact = 0; // bytes up to and including the last complete line
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                    if (!line.isBlank()) {
                        entries.add(parse(line, file));
                    }
                    start = i + 1;
                    intact = start;
                }
            }
            if (intact < bytes.length) {
                LOG.warn("Dropping an incomplete last line of {} ({} bytes), written when the simulator died",
                        file, bytes.length - intact);
            }
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.DSYNC); // every write is on disk when write() returns
        channel.truncate(intact);
        channel.position(intact);
        LOG.info("Simulator state file {}: {} entries read", file, entries.size());
        return new ChargeJournal(file, List.copyOf(entries), channel);
    }

    List<Entry> entries() {
        return entries;
    }

    /** Writes the answer before it is stored or sent; throws if it cannot be written. */
    void answered(String provider, ProviderAnswer answer) {
        ObjectNode line = Json.MAPPER.createObjectNode().put("event", ANSWER).put("provider", provider);
        line.set("answer", Json.MAPPER.valueToTree(answer));
        append(line);
    }

    void resetBeforeCharge(String provider, String reference) {
        append(Json.MAPPER.createObjectNode().put("event", RESET_BEFORE_CHARGE).put("provider", provider)
                .put("reference", reference));
    }

    /** Forgets everything (the control API's reset). */
    synchronized void clear() {
        if (channel == null) {
            return;
        }
        try {
            channel.truncate(0);
            channel.position(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Ignoring error closing {}: {}", file, e.getMessage());
        }
        channel = null;
    }

    private synchronized void append(JsonNode line) {
        if (channel == null) {
            return;
        }
        ByteBuffer buffer = ByteBuffer.wrap((Json.toText(line) + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Entry parse(String line, Path file) throws IOException {
        try {
            JsonNode node = Json.MAPPER.readTree(line);
            String event = node.path("event").asText();
            String provider = node.path("provider").asText();
            return switch (event) {
                case ANSWER -> new Entry(event, provider, Json.MAPPER.treeToValue(node.get("answer"), ProviderAnswer.class),
                        node.path("answer").path("reference").asText());
                case RESET_BEFORE_CHARGE -> new Entry(event, provider, null, node.path("reference").asText());
                default -> throw new IOException("unknown event '" + event + "'");
            };
        } catch (IOException e) {
            // A complete line that does not parse is not a crash artefact: refuse to start with half a memory.
            throw new IOException("unreadable line in simulator state file " + file + ": " + e.getMessage(), e);
        }
    }
}
