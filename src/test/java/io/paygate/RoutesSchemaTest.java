package io.paygate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every YAML file under {@code routes/} (recursively, {@code *.yaml} / {@code *.yml}) must validate against the
 * Camel YAML DSL JSON schema shipped in camel-yaml-dsl ({@code schema/camelYamlDsl.json}, draft-04).
 *
 * <p>The routes directory is resolved against the working directory, which is the Maven basedir under surefire.
 * It can be pointed elsewhere with {@code -Dpaygate.routes.dir=/some/dir} (handy to check a scratch copy).
 *
 * <p>How the schema is applied, and why:
 * <ul>
 *   <li>The YAML DSL reads every scalar as text and converts it to the target type, so {@code constant: 5},
 *       {@code redeliveryDelay: 1000} and {@code streamCache: "{{paygate.streamCache}}"} are all fine for Camel,
 *       while the schema types many numeric options as {@code string} (and typed number/boolean options cannot
 *       hold a property placeholder). In an in-memory copy of the schema every scalar {@code type}
 *       (string/number/integer/boolean) is therefore widened to "any scalar". Everything structural is still
 *       checked: unknown / misspelt / kebab-case keys, objects vs lists, required properties, enums.</li>
 *   <li>Duplicate keys in a mapping are reported (YAML forbids them; the parser would silently keep the last).</li>
 *   <li>A file may hold several YAML documents separated by {@code ---}; each is validated.</li>
 *   <li>The schema is full of {@code oneOf}/{@code anyOf} (string shorthand vs. object, "one expression
 *       language"...), which makes a validator emit a pile of noise next to the real problem. The report puts
 *       the most specific messages first (not about oneOf/anyOf/not, deepest location in the document, with the
 *       line number) and lists the raw messages after them.</li>
 * </ul>
 */
class RoutesSchemaTest {

    static final String SCHEMA_RESOURCE = "schema/camelYamlDsl.json";
    static final Path ROUTES_DIR = Path.of(System.getProperty("paygate.routes.dir", "routes"));

    private static final int MAX_RAW_MESSAGES = 25;
    private static final Set<String> COMBINATOR_TYPES = Set.of("oneOf", "anyOf", "allOf", "not");
    private static final Set<String> SCALAR_TYPES = Set.of("string", "number", "integer", "boolean");
    private static final YAMLMapper YAML = new YAMLMapper();

    // ------------------------------------------------------------------------------------------------------------
    // Tests
    // ------------------------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> everyRoutesYamlFileMatchesTheCamelYamlDslSchema() throws IOException {
        Path dir = ROUTES_DIR.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            fail("routes directory not found: " + dir);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString().toLowerCase();
                        return n.endsWith(".yaml") || n.endsWith(".yml");
                    })
                    .sorted()
                    .collect(Collectors.toList());
        }
        if (files.isEmpty()) {
            fail("no *.yaml / *.yml files found under " + dir + " -- the routes must live there");
        }
        return files.stream().map(file -> {
            String name = "routes/" + dir.relativize(file).toString().replace('\\', '/');
            return DynamicTest.dynamicTest(name, file.toUri(), () -> {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                Result result = validateYaml(text);
                if (!result.problems().isEmpty()) {
                    fail(result.report(name));
                }
            });
        });
    }

    /** Proves the check can fail: known-bad snippets are rejected with a useful message, a good one passes. */
    @Test
    void schemaCheckRejectsInvalidRoutesAndAcceptsValidOnes() {
        // valid: the plain shape, plus scalars the DSL converts (numbers / booleans / placeholders)
        assertEquals(List.of(), problemsIn(
                "- route: {id: x, from: {uri: \"direct:x\", steps: [{log: {message: hi}}]}}"));
        assertEquals(List.of(), problemsIn(String.join("\n",
                "- route:",
                "    id: typed-scalars",
                "    streamCache: \"{{paygate.streamCache:true}}\"",
                "    from:",
                "      uri: direct:y",
                "      steps:",
                "        - throttle: {constant: 5, timePeriodMillis: 1000}",
                "        - delay: {constant: 10}",
                "        - to: {uri: log:out}")));

        // kebab-case key: only camelCase is valid in the Camel 4 YAML DSL
        List<String> kebab = problemsIn(
                "- route: {from: {uri: \"direct:x\", steps: [{set-header: {name: a, constant: b}}]}}");
        assertFalse(kebab.isEmpty(), "kebab-case set-header must be rejected");
        assertTrue(kebab.get(0).contains("set-header") && kebab.get(0).contains("/0/route/from/steps/0"),
                () -> "first problem should name the bad key and where it is:\n" + String.join("\n", kebab));

        // a top-level mapping instead of a list
        List<String> notAList = problemsIn(
                "route: {from: {uri: \"direct:x\", steps: [{log: {message: hi}}]}}");
        assertFalse(notAList.isEmpty(), "a top-level mapping must be rejected (the DSL wants a list)");

        // misspelt option inside a oneOf (string-or-object) node: the real problem must come first, not the oneOf noise
        List<String> typo = problemsIn(String.join("\n",
                "- route:",
                "    from:",
                "      uri: direct:x",
                "      steps:",
                "        - filter:",
                "            simple: \"${header.a} == 'b'\"",
                "            steps:",
                "              - log:",
                "                  mesage: hi"));
        assertFalse(typo.isEmpty(), "misspelt 'mesage' must be rejected");
        assertTrue(typo.get(0).contains("mesage") && typo.get(0).startsWith("line 8"),
                () -> "first problem should be the misspelt key, with its line:\n" + String.join("\n", typo));
        assertFalse(typo.get(0).contains("oneOf") || typo.get(0).contains("only one schema"),
                () -> "first problem should not be oneOf noise:\n" + String.join("\n", typo));

        // an EIP that is not allowed as a step, and a duplicated key
        assertFalse(problemsIn(
                "- route: {from: {uri: \"direct:x\", steps: [{onException: {exception: [java.lang.Exception]}}]}}")
                .isEmpty(), "onException as a route step must be rejected");
        List<String> dup = problemsIn(String.join("\n",
                "- route:",
                "    id: a",
                "    id: b",
                "    from: {uri: direct:x, steps: [{log: {message: hi}}]}"));
        assertTrue(dup.stream().anyMatch(p -> p.contains("duplicate key 'id'")), () -> String.join("\n", dup));

        // broken YAML is reported, not thrown
        assertFalse(problemsIn("- route: {from: {uri: direct:x\n").isEmpty(), "broken YAML must be rejected");
        assertFalse(problemsIn("# nothing here\n").isEmpty(), "a file with no YAML document must be rejected");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Validation
    // ------------------------------------------------------------------------------------------------------------

    /** Outcome of validating one YAML text: the readable problems (most relevant first) and the raw output. */
    record Result(List<String> problems, List<String> raw) {
        String report(String name) {
            StringBuilder sb = new StringBuilder()
                    .append(name).append(" does not match the Camel YAML DSL schema (").append(SCHEMA_RESOURCE)
                    .append(" in camel-yaml-dsl): ").append(problems.size()).append(" problem(s), most specific first:");
            problems.forEach(p -> sb.append("\n  ").append(p));
            if (!raw.isEmpty()) {
                sb.append("\n  raw validator output (oneOf/anyOf alternatives included):");
                raw.stream().limit(MAX_RAW_MESSAGES).forEach(r -> sb.append("\n    ").append(r));
                if (raw.size() > MAX_RAW_MESSAGES) {
                    sb.append("\n    ... ").append(raw.size() - MAX_RAW_MESSAGES).append(" more");
                }
            }
            return sb.toString();
        }
    }

    static List<String> problemsIn(String yamlText) {
        return validateYaml(yamlText).problems();
    }

    /** Validates a whole YAML text (one or more documents). */
    static Result validateYaml(String yamlText) {
        List<ParsedDoc> docs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        try {
            parseDocuments(yamlText, docs, problems);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            problems.add((loc != null ? "line " + loc.getLineNr() + ": " : "") + "not valid YAML: " + e.getOriginalMessage());
            return new Result(problems, raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ParsedDoc> nonEmpty = docs.stream().filter(d -> !d.node.isNull()).collect(Collectors.toList());
        if (nonEmpty.isEmpty()) {
            problems.add("no YAML document found (empty file?)");
            return new Result(problems, raw);
        }
        for (ParsedDoc doc : nonEmpty) {
            String docPrefix = docs.size() > 1 ? "document " + (doc.index + 1) + ", " : "";
            Set<ValidationMessage> messages = SchemaHolder.SCHEMA.validate(doc.node);
            List<ValidationMessage> sorted = new ArrayList<>(messages);
            sorted.sort(Comparator.comparingInt((ValidationMessage m) -> -depth(location(m)))
                    .thenComparing(RoutesSchemaTest::location)
                    .thenComparing(ValidationMessage::getMessage));
            List<String> explained = explain(sorted, doc.lines);
            explained.forEach(p -> problems.add(docPrefix + p));
            if (sorted.size() > explained.size()) { // something was filtered or merged: show the raw output too
                for (ValidationMessage m : sorted) {
                    raw.add(docPrefix + line(location(m), doc.lines) + m.getMessage()
                            + "  [schema " + m.getEvaluationPath() + "]");
                }
            }
        }
        return new Result(problems, raw);
    }

    /**
     * Picks the messages an integrator needs from the (sorted, deepest first) validator output: not about
     * oneOf/anyOf/not, at the deepest locations, the string-shorthand "type" mismatches of oneOf alternatives
     * dropped and "required" messages of alternatives merged into one line.
     */
    static List<String> explain(List<ValidationMessage> all, Map<String, Integer> lines) {
        if (all.isEmpty()) {
            return List.of();
        }
        List<ValidationMessage> specific = all.stream()
                .filter(m -> !COMBINATOR_TYPES.contains(m.getType()))
                .collect(Collectors.toList());
        if (specific.isEmpty()) {
            specific = all;
        }
        // keep the leaves: drop messages at a location that has a more specific message further down
        List<ValidationMessage> candidates = specific;
        List<ValidationMessage> leaves = specific.stream()
                .filter(m -> candidates.stream().noneMatch(o -> isAncestor(location(m), location(o))))
                .collect(Collectors.toList());
        Map<String, List<ValidationMessage>> byLocation = new LinkedHashMap<>();
        for (ValidationMessage m : leaves) {
            byLocation.computeIfAbsent(location(m), k -> new ArrayList<>()).add(m);
        }
        List<String> result = new ArrayList<>();
        for (Map.Entry<String, List<ValidationMessage>> e : byLocation.entrySet()) {
            String loc = e.getKey();
            String where = line(loc, lines) + displayLocation(loc) + ": ";
            List<ValidationMessage> here = e.getValue();
            // a "type" mismatch from a oneOf/anyOf alternative (e.g. "object found, string expected" for the
            // string shorthand of an EIP) is noise when something else is reported at the same place
            boolean hasNonType = here.stream().anyMatch(m -> !"type".equals(m.getType()));
            List<String> alternativesRequired = new ArrayList<>();
            for (ValidationMessage m : here) {
                if (hasNonType && "type".equals(m.getType()) && inAlternative(m)) {
                    continue;
                }
                if ("required".equals(m.getType()) && inAlternative(m) && m.getProperty() != null) {
                    alternativesRequired.add(m.getProperty());
                    continue;
                }
                result.add(where + text(m));
            }
            List<String> distinct = alternativesRequired.stream().distinct().collect(Collectors.toList());
            if (distinct.size() == 1) {
                result.add(where + "required property '" + distinct.get(0) + "' not found");
            } else if (!distinct.isEmpty()) {
                result.add(where + "needs one of the properties " + String.join(", ", distinct));
            }
        }
        if (result.isEmpty()) { // never hide a failure
            result.add(line(location(all.get(0)), lines) + all.get(0).getMessage());
        }
        return result;
    }

    private static boolean inAlternative(ValidationMessage m) {
        String path = String.valueOf(m.getEvaluationPath());
        return path.contains("/oneOf/") || path.contains("/anyOf/");
    }

    private static String text(ValidationMessage m) {
        String msg = m.getMessage();
        String prefix = location(m) + ": ";
        return msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
    }

    private static String location(ValidationMessage m) {
        return m.getInstanceLocation() == null ? "" : m.getInstanceLocation().toString();
    }

    private static String displayLocation(String pointer) {
        return pointer.isEmpty() ? "/" : pointer;
    }

    private static int depth(String pointer) {
        return pointer.isEmpty() ? 0 : (int) pointer.chars().filter(c -> c == '/').count();
    }

    private static boolean isAncestor(String ancestor, String descendant) {
        return !ancestor.equals(descendant) && (ancestor.isEmpty() || descendant.startsWith(ancestor + "/"));
    }

    private static String line(String pointer, Map<String, Integer> lines) {
        String p = pointer;
        while (true) {
            Integer l = lines.get(p);
            if (l != null) {
                return "line " + l + ": ";
            }
            if (p.isEmpty()) {
                return "";
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // YAML parsing with line numbers and duplicate-key detection
    // ------------------------------------------------------------------------------------------------------------

    private record ParsedDoc(int index, JsonNode node, Map<String, Integer> lines) {
    }

    private static void parseDocuments(String yamlText, List<ParsedDoc> docs, List<String> problems)
            throws IOException {
        try (JsonParser p = YAML.createParser(yamlText)) {
            while (p.nextToken() != null) {
                Map<String, Integer> lines = new HashMap<>();
                JsonNode node = readValue(p, "", lines, problems);
                docs.add(new ParsedDoc(docs.size(), node, lines));
            }
        }
    }

    /** Reads the value at the parser's current token into a tree, recording the line of every JSON pointer. */
    private static JsonNode readValue(JsonParser p, String pointer, Map<String, Integer> lines, List<String> problems)
            throws IOException {
        lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            ObjectNode obj = JsonNodeFactory.instance.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                int keyLine = p.currentTokenLocation().getLineNr();
                String child = pointer + "/" + name.replace("~", "~0").replace("/", "~1");
                lines.put(child, keyLine);
                p.nextToken();
                JsonNode value = readValue(p, child, lines, problems);
                if (obj.has(name)) {
                    problems.add("line " + keyLine + ": " + displayLocation(pointer) + ": duplicate key '" + name + "'");
                }
                obj.set(name, value);
            }
            return obj;
        }
        if (t == JsonToken.START_ARRAY) {
            ArrayNode arr = JsonNodeFactory.instance.arrayNode();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                arr.add(readValue(p, pointer + "/" + i++, lines, problems));
            }
            return arr;
        }
        if (t == JsonToken.VALUE_STRING) {
            return TextNode.valueOf(p.getText());
        }
        JsonNode scalar = YAML.readTree(p); // numbers, booleans, null, embedded values
        return scalar == null ? JsonNodeFactory.instance.nullNode() : scalar;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Schema
    // ------------------------------------------------------------------------------------------------------------

    /** Loaded once per JVM (the schema is ~800 KB); lazily, so a failure shows up in the tests that need it. */
    private static final class SchemaHolder {
        static final JsonSchema SCHEMA = load();

        private static JsonSchema load() {
            JsonNode schemaNode;
            try (InputStream in = RoutesSchemaTest.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(SCHEMA_RESOURCE + " not on the test classpath (camel-yaml-dsl missing?)");
                }
                schemaNode = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            widenScalarTypes(schemaNode);
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                    .pathType(PathType.JSON_POINTER)
                    .build();
            // $refs are "#/items/definitions/..." and resolve within this same document
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schemaNode, config);
            schema.initializeValidators(); // resolve every $ref now: a broken schema fails here, not mid-test
            return schema;
        }

        /** {"type": "string"|"number"|"integer"|"boolean"} becomes {"type": [all four]}: the DSL converts scalars. */
        private static void widenScalarTypes(JsonNode node) {
            if (node.isObject()) {
                ObjectNode obj = (ObjectNode) node;
                JsonNode type = obj.get("type");
                if (type != null && type.isTextual() && SCALAR_TYPES.contains(type.asText())) {
                    ArrayNode any = obj.putArray("type");
                    SCALAR_TYPES.stream().sorted().forEach(any::add);
                }
                for (Iterator<JsonNode> it = obj.elements(); it.hasNext(); ) {
                    widenScalarTypes(it.next());
                }
            } else if (node.isArray()) {
                node.forEach(SchemaHolder::widenScalarTypes);
            }
        }
    }
}
