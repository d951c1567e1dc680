package io.paygate.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Audit JSON written straight to text, without a tree of nodes per event first. */
final class Json {

    interface Writing {
        void to(JsonGenerator g) throws IOException;
    }

    private Json() {
    }

    static String write(ObjectMapper json, Writing writing) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            writing.to(g);
        } catch (IOException e) {
            // a StringWriter does not fail; Jackson declares it anyway
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
