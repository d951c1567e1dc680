package io.paygate.order;

import static io.paygate.testing.RunningPaygate.DEMO_KEY;
import static io.paygate.testing.RunningPaygate.json;
import static io.paygate.testing.RunningPaygate.order;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.testing.RunningPaygate;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generated and mutated order bodies against the real gateway: 10,000 over several fixed seeds
 * (printed; rerun one with -Dpaygate.fuzz.seed=N, change the count with
 * -Dpaygate.fuzz.iterations=N), sent by a few client threads. Every answer is a client answer
 * (never 5xx); a body carrying a card number, written with any separators in any field, is
 * refused and stores nothing; no card number ever reaches the database or the log.
 */
class GeneratedBodiesTest {

    private static final List<Long> SEEDS = Long.getLong("paygate.fuzz.seed") != null
            ? List.of(Long.getLong("paygate.fuzz.seed")) : List.of(20261125L, 7L, 42L, 1999L, 31337L);
    private static final int ITERATIONS = Integer.getInteger("paygate.fuzz.iterations", 10_000);
    private static final int CLIENTS = Integer.getInteger("paygate.fuzz.clients", 4);
    private static final Path LOG = Path.of("target/paygate-test.log");
    private static final long MAX_BODY = 65536;
    private static final Pattern STORED_ORDER_REFERENCE = Pattern.compile("\\bpg_[0-9a-f]{32}\\b");
    private static final String CARD_MESSAGE = "send a provider token, not a card number";
    /** Stands for invalid UTF-8 bytes until the body is encoded. */
    private static final char BAD_BYTES = '\uE000';
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern STRING_LITERAL = Pattern.compile("\"[^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+\"");

    @RegisterExtension
    static final RunningPaygate paygate = RunningPaygate.perClass(Map.of("paygate.sync-wait", "1s"));

    /** One generated request: the body, how it was made, its orderId before mutations, and the card number hidden in it (or null). */
    record Generated(long seed, int iteration, byte[] body, List<String> steps, String orderId, Card card) {

        String describe() {
            String text = new String(body, StandardCharsets.UTF_8);
            return "seed " + seed + " #" + iteration + " " + steps + " body(" + body.length + " bytes)="
                    + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
    }

    /** A generated answer. */
    record Answer(Generated request, int status, String body, String contentType, String headers, long millis) {
    }

    /**
     * A card number: its digits, as written (decoded text, e.g. "4111.1111_1111 -- 1111"), and
     * whether that writing needs JSON escapes (tab, line break, quote, backslash): such a card is
     * only a card once the JSON is decoded, so it is placed inside strings only.
     */
    record Card(String digits, String formatted, boolean needsEscapes) {
        List<String> forms() {
            return digits.equals(formatted) ? List.of(digits) : List.of(digits, formatted);
        }
    }

    @Test
    void noBodyGetsA5xxOrLeaksACardNumber() throws Exception {
        System.out.println("GeneratedBodiesTest seeds=" + SEEDS + " iterations=" + ITERATIONS + " clients=" + CLIENTS
                + " (rerun one with -Dpaygate.fuzz.seed=N)");
        List<Generated> bodies = new ArrayList<>();
        int perSeed = Math.max(1, ITERATIONS / SEEDS.size());
        for (long seed : SEEDS) {
            Random rnd = new Random(seed);
            for (int k = 0; k < perSeed; k++) {
                bodies.add(generate(rnd, seed, bodies.size()));
            }
        }
        Set<String> cardForms = new LinkedHashSet<>();
        bodies.stream().filter(g -> g.card() != null).forEach(g -> cardForms.addAll(g.card().forms()));
        long withCard = bodies.stream().filter(g -> g.card() != null).count();
        long logStart = Files.size(LOG);
        long started = System.nanoTime();

        List<Answer> answers = postAll(bodies);

        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Answer a : answers) {
            statuses.merge(a.status(), 1, Integer::sum);
            check(a, failures);
        }
        // A refused body stores nothing: its orderId is not in the database (unless an accepted body had it too).
        Set<String> stored = storedOrderIds();
        Set<String> acceptedIds = new java.util.HashSet<>();
        answers.stream().filter(a -> a.status() < 400).forEach(a -> acceptedIds.add(a.request().orderId()));
        for (Answer a : answers) {
            if (a.status() >= 400 && stored.contains(a.request().orderId()) && !acceptedIds.contains(a.request().orderId())) {
                failures.add("refused " + a.status() + " but stored, request " + a.request().describe());
            }
        }

        System.out.printf("GeneratedBodiesTest: %d bodies (%d with a card number) in %d ms, statuses %s%n", answers.size(),
                withCard, (System.nanoTime() - started) / 1_000_000, statuses);
        failures.stream().limit(40).forEach(f -> System.out.println("FAILURE " + f));
        System.out.println("client time (ms) by status " + answers.stream().collect(java.util.stream.Collectors.groupingBy(Answer::status,
                TreeMap::new, java.util.stream.Collectors.summingLong(Answer::millis))));

        // No card number, digits only or as written, anywhere in the database or the log.
        String database = databaseText();
        String log = logSince(logStart);
        List<String> inDatabase = cardForms.stream().filter(database::contains).toList();
        List<String> inLog = cardForms.stream().filter(log::contains).toList();

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(failures).as("seeds %s: %d of %d bodies answered against the contract, first: %s", SEEDS,
                failures.size(), answers.size(), failures.stream().limit(5).toList()).isEmpty();
        soft.assertThat(withCard).as("bodies with a card number").isGreaterThan(answers.size() / 5);
        soft.assertThat(statuses.getOrDefault(200, 0)).as("accepted bodies (the generator also makes valid ones)")
                .isGreaterThan(answers.size() / 20);
        soft.assertThat(inDatabase).as("card numbers stored in the database").isEmpty();
        soft.assertThat(inLog).as("card numbers in target/paygate-test.log").isEmpty();

        // And the gateway is still well.
        HttpResponse<String> health = paygate.get("/observe/health", null);
        soft.assertThat(health.statusCode()).as("health %s", health.body()).isEqualTo(200);
        HttpResponse<String> valid = paygate.postOrder(order("gen-after-fuzz", "10.00", "EUR", "tok_visa"));
        soft.assertThat(valid.statusCode()).as("valid order after the fuzz: %s", valid.body()).isEqualTo(200);
        soft.assertThat(json(valid.body()).path("status").asText()).isEqualTo("APPROVED");
        soft.assertAll();
    }

    /** The issue's reproduction: a card written with dots in orderId and underscores in the token. */
    @Test
    void aCardNumberWrittenWithDotsOrUnderscoresIsRefusedNamingTheField() throws Exception {
        long ordersBefore = paygate.orderCount();
        long logStart = Files.size(LOG);
        HttpResponse<String> r = paygate.postOrder(order("4111.1111.1111.1111", "10.00", "EUR", "4111_1111_1111_1111"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(r.body()).path("errors").get(0).path("field").asText()).isEqualTo("/orderId");
        assertThat(r.body()).contains(CARD_MESSAGE).doesNotContain("4111");
        assertThat(paygate.orderCount()).isEqualTo(ordersBefore);
        assertThat(paygate.countRows("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key LIKE ?", "4111%")).isZero();
        String log = logSince(logStart);
        assertThat(log).doesNotContain("4111.1111.1111.1111").doesNotContain("4111_1111_1111_1111")
                .doesNotContain("4111111111111111");
        assertThat(linesNotAboutStoredOrders(log)).as("log lines written for the request").isLessThanOrEqualTo(3);
    }

    /** 64 KiB of "1 1 1 …" in orderId: a linear card screen answers 400 (a backtracking one overflowed its stack: 500). */
    @Test
    void sixtyFourKilobytesOfDigitGroupsInOrderIdAre400() throws Exception {
        String ones = "1 ".repeat(32_000).trim();
        String body = order(ones, "10.00", "EUR", "tok_visa");
        assertThat(body.length()).isLessThanOrEqualTo((int) MAX_BODY);
        long ordersBefore = paygate.orderCount();
        long logStart = Files.size(LOG);
        for (int k = 0; k < 5; k++) {
            long started = System.nanoTime();
            HttpResponse<String> r = paygate.postOrder(body);
            System.out.printf("64 KiB digit groups: %d in %d ms%n", r.statusCode(), (System.nanoTime() - started) / 1_000_000);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json(r.body()).path("errors").get(0).path("field").asText()).isEqualTo("/orderId");
        }
        assertThat(paygate.orderCount()).isEqualTo(ordersBefore);
        assertThat(linesNotAboutStoredOrders(logSince(logStart))).as("log lines written for 5 requests").isLessThanOrEqualTo(5);
    }

    /**
     * Lines that do not name a stored order's reference. Orders posted by earlier tests of this class are still being
     * settled in the background (JMS replies, first attempts) and log their own lines; a refused request has no
     * reference, so whatever it logs (a stack trace included) is counted.
     */
    private static long linesNotAboutStoredOrders(String log) {
        return log.lines().filter(line -> !STORED_ORDER_REFERENCE.matcher(line).find()).count();
    }

    /** What was logged since {@code offset}: the log file is appended to across runs, a run judges its own lines. */
    private static String logSince(long offset) throws Exception {
        byte[] all = Files.readAllBytes(LOG);
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset), StandardCharsets.UTF_8);
    }

    private static List<Answer> postAll(List<Generated> bodies) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Answer>> futures = new ArrayList<>();
            for (Generated g : bodies) {
                futures.add(clients.submit(() -> {
                    long started = System.nanoTime();
                    HttpResponse<String> r = post(g.body());
                    return new Answer(g, r.statusCode(), r.body() == null ? "" : r.body(),
                            r.headers().firstValue("Content-Type").orElse(""), r.headers().map().toString(),
                            (System.nanoTime() - started) / 1_000_000);
                }));
            }
            List<Answer> answers = new ArrayList<>();
            for (Future<Answer> f : futures) {
                answers.add(f.get(2, TimeUnit.MINUTES));
            }
            return answers;
        } finally {
            clients.shutdownNow();
        }
    }

    private static Set<String> storedOrderIds() throws Exception {
        Set<String> ids = new java.util.HashSet<>();
        try (Connection c = paygate.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT order_id FROM orders")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static void check(Answer a, List<String> failures) {
        Generated g = a.request();
        int status = a.status();
        String answer = a.body();
        String contentType = a.contentType();
        List<String> wrong = new ArrayList<>();
        if (status >= 500 || status < 200) {
            wrong.add("status " + status);
        }
        if (status >= 400 && !contentType.equals("application/problem+json")) {
            wrong.add("Content-Type " + contentType);
        }
        if (answer.contains("Exception") || answer.contains("at io.") || answer.contains("\tat ")) {
            wrong.add("internals in the answer");
        }
        if (g.card() != null) {
            if (status != 400 && status != 401 && status != 413 && status != 415) {
                wrong.add("card number answered " + status);
            }
            // a card written with JSON escapes is one only where the JSON decodes
            boolean screenable = g.body().length <= MAX_BODY && isUtf8(g.body()) && (!g.card().needsEscapes()
                    || parses(g.body()));
            if (screenable && status == 400 && !answer.contains(CARD_MESSAGE)) {
                wrong.add("card number not named as such");
            }
            for (String form : g.card().forms()) {
                if (answer.contains(form) || a.headers().contains(form)) {
                    wrong.add("card number repeated in the answer");
                }
            }
        }
        if (!wrong.isEmpty()) {
            failures.add(wrong + " answer " + status + " " + (answer.length() > 300 ? answer.substring(0, 300) : answer)
                    + " request " + g.describe());
        }
    }

    /** Reads JSON as paygate does (strict duplicates, no trailing tokens, bounded sizes). */
    private static final ObjectMapper STRICT = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxNestingDepth(32).maxNumberLength(64).maxStringLength(65536).build())
            .build())
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static boolean parses(byte[] body) {
        try {
            return STRICT.readTree(body) != null;
        } catch (Exception e) {
            return false;
        }
    }

    // --- generating ---------------------------------------------------------------------------

    private static final String[][] CURRENCIES = {
        {"EUR", "12.50"}, {"USD", "0.99"}, {"GBP", "100.00"}, {"CHF", "5.05"}, {"JPY", "1500"}, {"KWD", "12.345"}};
    private static final String[] TOKENS = {"tok_visa", "tok_mastercard", "tok_decline_insufficient_funds", "wal_abc"};
    private static final String[] TYPES = {"card_token", "wallet_token", "bank_token"};
    private static final String[] HUGE_NUMBERS = {
        "1e999999", "-1e999999", "1" + "0".repeat(400), "-" + "9".repeat(400), "1e-2147483648", "1E+2147483648",
        "1e99999999999", "0." + "0".repeat(300) + "1", "-0", "1.7976931348623157e309", "123456789012345678901234567890",
        "NaN", "Infinity", "-Infinity", "0x1F", "01", "+1", ".5", "1.", "9".repeat(65)};
    private static final String[] ODD_CHARS = {
        "\u0000", "\u0001", "\u001f", "\u007f", "\u202e", "\u200f", "\ufeff", "\uD83D\uDE00", "\uD83C\uDDE9\uD83C\uDDEA",
        "\uD800", "\uDC00", "\u0301", "\u4e2d", "\u0627\u0644", "\uffff", "\ufffe", "\"", "\\", "/", "<script>", "'", "%00",
        "${jndi:ldap://x}", "\r\n", "\t", "é", "ß", "\u2028"};
    private static final String[] ODD_ESCAPES = {
        "\\u0000", "\\ud800", "\\udfff", "\\ud83d\\ude00", "\\u202e", "\\uffff", "\\u0022", "\\\\", "\\/", "\\x41", "\\u12",
        "\\q", "\\"};

    static Generated generate(Random rnd, long seed, int i) {
        List<String> steps = new ArrayList<>();
        ObjectNode o = validOrder(rnd, i);
        String orderId = o.path("orderId").asText();
        Card card = rnd.nextInt(100) < 35 ? newCard(rnd) : null;
        boolean inField = card != null && (card.needsEscapes() || rnd.nextBoolean());
        if (inField) {
            putCardInField(o, card, rnd, steps);
        }

        int structural = rnd.nextInt(3);
        for (int k = 0; k < structural; k++) {
            mutateNode(o, rnd, steps);
        }
        String text = o.toString();
        int textual = rnd.nextInt(3);
        for (int k = 0; k < textual; k++) {
            text = mutateText(text, rnd, steps);
        }
        if (card != null && !(inField && standalone(text, jsonEscaped(card.formatted())))) {
            // not placed yet, or a mutation took it apart: hide it in the text as it is now
            if (card.needsEscapes()) {
                card = new Card(card.digits(), card.digits(), false);
            }
            text = hideCard(text, card, rnd, steps);
        }
        return new Generated(seed, i, encode(text), steps, orderId, card);
    }

    private static final String[] CARD_FIELDS = {
        "orderId", "amount", "currency", "provider", "callbackUrl", "paymentMethod/type", "paymentMethod/token",
        "customer/id", "customer/name", "customer/email", "customer/phone", "customer/country", "field name"};
    private static final String[] AROUND = {"", "", "x", "ref ", "tok_", "+", "-", "(", "card: ", "no."};

    /** Puts the card into one field's value (or makes it a field name), with something around it. */
    static void putCardInField(ObjectNode o, Card card, Random rnd, List<String> steps) {
        String field = CARD_FIELDS[rnd.nextInt(CARD_FIELDS.length)];
        String value = AROUND[rnd.nextInt(AROUND.length)] + card.formatted()
                + new StringBuilder(AROUND[rnd.nextInt(AROUND.length)]).reverse();
        steps.add("card " + escapeForReport(card.formatted()) + " in " + field);
        if (field.equals("field name")) {
            o.put(value, "x");
            return;
        }
        String[] path = field.split("/");
        ObjectNode target = o;
        if (path.length == 2) {
            target = o.get(path[0]) instanceof ObjectNode n ? n : o.putObject(path[0]);
        }
        target.put(path[path.length - 1], value);
    }

    static String jsonEscaped(String text) {
        try {
            String quoted = MAPPER.writeValueAsString(text);
            return quoted.substring(1, quoted.length() - 1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode validOrder(Random rnd, int i) {
        ObjectNode o = MAPPER.createObjectNode();
        // letters only: a UUID orderId sometimes holds a Luhn-valid digit run and would be refused
        o.put("orderId", "gen" + letters(i) + "-" + randomLetters(rnd, 6));
        String[] currency = CURRENCIES[rnd.nextInt(CURRENCIES.length)];
        o.put("amount", currency[1]);
        o.put("currency", currency[0]);
        ObjectNode pm = o.putObject("paymentMethod");
        pm.put("type", TYPES[rnd.nextInt(TYPES.length)]);
        pm.put("token", TOKENS[rnd.nextInt(TOKENS.length)]);
        if (rnd.nextBoolean()) {
            ObjectNode c = o.putObject("customer");
            c.put("name", "Jane Doe");
            c.put("email", "jane@shop.example");
            if (rnd.nextBoolean()) {
                c.put("country", "DE");
                c.put("phone", "+49 30 1234567");
                c.put("id", "cust-" + randomLetters(rnd, 4));
            }
        }
        if (rnd.nextBoolean()) {
            o.put("callbackUrl", "https://shop.example/payments/callback");
        }
        if (rnd.nextInt(4) == 0) {
            o.put("provider", rnd.nextBoolean() ? "acme" : "globex");
        }
        return o;
    }

    static void mutateNode(ObjectNode root, Random rnd, List<String> steps) {
        List<ObjectNode> objects = new ArrayList<>();
        objects.add(root);
        root.forEach(v -> {
            if (v instanceof ObjectNode n) {
                objects.add(n);
            }
        });
        ObjectNode target = objects.get(rnd.nextInt(objects.size()));
        List<String> names = new ArrayList<>();
        target.fieldNames().forEachRemaining(names::add);
        String name = names.isEmpty() ? "x" : names.get(rnd.nextInt(names.size()));
        switch (rnd.nextInt(10)) {
            case 0 -> {
                target.putNull(name);
                steps.add("null " + name);
            }
            case 1 -> {
                switch (rnd.nextInt(5)) {
                    case 0 -> target.put(name, rnd.nextInt());
                    case 1 -> target.put(name, rnd.nextBoolean());
                    case 2 -> target.putArray(name).add("x").add(1);
                    case 3 -> target.putObject(name).put("nested", "x");
                    default -> target.put(name, rnd.nextDouble() * 1000);
                }
                steps.add("wrong type " + name);
            }
            case 2 -> {
                target.put(name, oddString(rnd, 1 + rnd.nextInt(40)));
                steps.add("odd unicode value " + name);
            }
            case 3 -> {
                target.put(oddString(rnd, 1 + rnd.nextInt(10)), "x");
                steps.add("odd unicode field name");
            }
            case 4 -> {
                int length = rnd.nextInt(4) == 0 ? 60_000 + rnd.nextInt(20_000) : 200 + rnd.nextInt(5000);
                target.put(name, String.valueOf((char) ('a' + rnd.nextInt(26))).repeat(length));
                steps.add("long string " + length + " " + name);
            }
            case 5 -> {
                target.remove(name);
                steps.add("remove " + name);
            }
            case 6 -> {
                target.put("extra" + randomLetters(rnd, 3), "x");
                steps.add("unknown field");
            }
            case 7 -> {
                // the longest customer the field rules allow, made of characters JSON escapes
                ObjectNode c = root.putObject("customer");
                for (String f : List.of("id", "name", "phone", "country")) {
                    c.put(f, String.valueOf((char) rnd.nextInt(0x20)).repeat(256));
                }
                steps.add("customer of escaped control characters");
            }
            case 8 -> {
                target.set(name, MAPPER.createArrayNode());
                steps.add("empty array " + name);
            }
            default -> {
                target.put(name, "");
                steps.add("empty string " + name);
            }
        }
    }

    static String mutateText(String text, Random rnd, List<String> steps) {
        int at = text.isEmpty() ? 0 : rnd.nextInt(text.length());
        switch (rnd.nextInt(11)) {
            case 0 -> {
                steps.add("truncate at " + at);
                return text.substring(0, at);
            }
            case 1 -> {
                int n = 1 + rnd.nextInt(5);
                steps.add("delete " + n + " at " + at);
                return text.substring(0, at) + text.substring(Math.min(text.length(), at + n));
            }
            case 2 -> {
                int n = 1 + rnd.nextInt(20);
                String segment = text.substring(at, Math.min(text.length(), at + n));
                steps.add("duplicate " + segment.length() + " at " + at);
                return text.substring(0, at) + segment + text.substring(at);
            }
            case 3 -> {
                if (text.length() < 2) {
                    return text;
                }
                int a = Math.min(at, text.length() - 2);
                steps.add("swap at " + a);
                return text.substring(0, a) + text.charAt(a + 1) + text.charAt(a) + text.substring(a + 2);
            }
            case 4 -> {
                String number = HUGE_NUMBERS[rnd.nextInt(HUGE_NUMBERS.length)];
                steps.add("number " + (number.length() > 20 ? number.length() + " chars" : number));
                return replaceStringValue(text, number, rnd);
            }
            case 5 -> {
                int depth = rnd.nextBoolean() ? 10_000 : 33 + rnd.nextInt(100);
                boolean objects = rnd.nextBoolean();
                boolean closed = rnd.nextBoolean();
                String open = objects ? "{\"a\":" : "[";
                String nest = open.repeat(depth) + (closed ? (objects ? "1" + "}".repeat(depth) : "]".repeat(depth)) : "");
                steps.add("nesting " + depth + (objects ? " objects" : " arrays") + (closed ? " closed" : " open"));
                return replaceStringValue(text, nest, rnd);
            }
            case 6 -> {
                String[] dup = {"\"currency\":\"EUR\",", "\"orderId\":\"dup\",", "\"amount\":\"1.00\",", "\"paymentMethod\":{},"};
                String d = dup[rnd.nextInt(dup.length)];
                int brace = text.indexOf('{');
                steps.add("duplicate key " + d);
                return brace < 0 ? d + text : text.substring(0, brace + 1) + d + text.substring(brace + 1);
            }
            case 7 -> {
                String odd = ODD_CHARS[rnd.nextInt(ODD_CHARS.length)];
                steps.add("insert raw " + escapeForReport(odd) + " at " + at);
                return text.substring(0, at) + odd + text.substring(at);
            }
            case 8 -> {
                String esc = ODD_ESCAPES[rnd.nextInt(ODD_ESCAPES.length)];
                steps.add("insert escape " + esc + " into a string");
                return insertIntoString(text, esc, rnd);
            }
            case 9 -> {
                steps.add("invalid UTF-8 at " + at);
                return text.substring(0, at) + BAD_BYTES + text.substring(at);
            }
            default -> {
                String[] wholes = {"", "null", "[]", "\"order\"", "{}", "[" + text + "]", text + text, " ", "{" , "}"};
                String w = wholes[rnd.nextInt(wholes.length)];
                steps.add("whole body " + (w.length() > 10 ? w.length() + " chars" : "'" + w + "'"));
                return w;
            }
        }
    }

    /** Replaces a random string literal (a value or a name) with {@code replacement}. */
    static String replaceStringValue(String text, String replacement, Random rnd) {
        List<int[]> literals = literals(text);
        if (literals.isEmpty()) {
            return text + replacement;
        }
        int[] l = literals.get(rnd.nextInt(literals.size()));
        return text.substring(0, l[0]) + replacement + text.substring(l[1]);
    }

    /** Inserts {@code insert} right after the opening quote of a random string literal. */
    static String insertIntoString(String text, String insert, Random rnd) {
        List<int[]> literals = literals(text);
        if (literals.isEmpty()) {
            return text + "\"" + insert + "\"";
        }
        int[] l = literals.get(rnd.nextInt(literals.size()));
        return text.substring(0, l[0] + 1) + insert + text.substring(l[0] + 1);
    }

    static List<int[]> literals(String text) {
        List<int[]> found = new ArrayList<>();
        Matcher m = STRING_LITERAL.matcher(text);
        while (m.find() && found.size() < 200) {
            found.add(new int[] {m.start(), m.end()});
        }
        return found;
    }

    // --- card numbers ---------------------------------------------------------------------

    static Card newCard(Random rnd) {
        int length = 13 + rnd.nextInt(7);
        StringBuilder b = new StringBuilder();
        b.append((char) ('1' + rnd.nextInt(9)));
        while (b.length() < length - 1) {
            b.append((char) ('0' + rnd.nextInt(10)));
        }
        int sum = 0;
        boolean doubleIt = true; // the check digit is appended to the right
        for (int k = b.length() - 1; k >= 0; k--) {
            int d = b.charAt(k) - '0';
            if (doubleIt) {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        b.append((char) ('0' + (10 - sum % 10) % 10));
        String digits = b.toString();
        assertThat(luhn(digits)).as("generated %s", digits).isTrue();
        String formatted = switch (rnd.nextInt(6)) {
            case 0 -> digits;
            case 1 -> group(digits, " ");
            case 2 -> group(digits, "-");
            case 3 -> group(digits, rnd.nextBoolean() ? "." : "_");
            default -> separatorTricks(digits, rnd);
        };
        boolean needsEscapes = !jsonEscaped(formatted).equals(formatted);
        return new Card(digits, formatted, needsEscapes);
    }

    /** Separators a reader skips without thinking; the last ones need JSON escapes. */
    private static final String[] SEPARATORS = {
        " ", "-", ".", "_", "/", " -- ", "//", ", ", "|", "+", "*", "~", "\u00a0", "\u2013", "#", "(", ")", "=", ":", ";",
        "'", "<>", "...", " / ", "\t", "\n", "\r\n", "\\", "\""};

    /** Groups of 3 to 6 digits joined by runs of 1 to 3 random separators. */
    static String separatorTricks(String digits, Random rnd) {
        StringBuilder b = new StringBuilder();
        int k = 0;
        while (k < digits.length()) {
            if (k > 0) {
                int run = 1 + rnd.nextInt(3);
                for (int r = 0; r < run; r++) {
                    b.append(SEPARATORS[rnd.nextInt(SEPARATORS.length)]);
                }
            }
            int size = Math.min(digits.length() - k, 3 + rnd.nextInt(4));
            b.append(digits, k, k + size);
            k += size;
        }
        return b.toString();
    }

    static String group(String digits, String separator) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < digits.length(); k++) {
            if (k > 0 && k % 4 == 0) {
                b.append(separator);
            }
            b.append(digits.charAt(k));
        }
        return b.toString();
    }

    static boolean luhn(String digits) {
        int sum = 0;
        for (int k = 0; k < digits.length(); k++) {
            int d = digits.charAt(digits.length() - 1 - k) - '0';
            if (k % 2 == 1) {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    /** Hides the card in the (possibly broken) body; never next to another digit, so it stays a 13–19 digit number. */
    static String hideCard(String text, Card card, Random rnd, List<String> steps) {
        String hidden = tryToHideCard(text, card, rnd, steps);
        if (standalone(hidden, card.formatted()) || standalone(hidden, card.digits())) {
            return hidden;
        }
        // a broken body can put the card next to other digits, making a longer number: insert it raw
        int at = text.isEmpty() ? 0 : rnd.nextInt(text.length() + 1);
        steps.add("card raw at " + at + " instead");
        return text.substring(0, at) + "x" + card.formatted() + "x" + text.substring(at);
    }

    /**
     * The card appears with no digit directly next to it. Digits across separators do not hide
     * it (the screen tries every run of groups); a digit touching it would make its first or last
     * group longer.
     */
    static boolean standalone(String text, String card) {
        int at = text.indexOf(card);
        if (at < 0) {
            return false;
        }
        int end = at + card.length();
        boolean before = at > 0 && Character.isDigit(text.codePointBefore(at));
        boolean after = end < text.length() && Character.isDigit(text.codePointAt(end));
        return !before && !after;
    }

    static String tryToHideCard(String text, Card card, Random rnd, List<String> steps) {
        String c = card.formatted();
        switch (rnd.nextInt(5)) {
            case 0 -> {
                steps.add("card " + c.length() + " chars inside a string");
                if (!literals(text).isEmpty()) {
                    return insertIntoString(text, "ref " + c + " end", rnd);
                }
            }
            case 1 -> {
                steps.add("card " + c.length() + " chars as a field name");
                return insertMember(text, "\"" + c + "\":\"x\",");
            }
            case 2 -> {
                steps.add("card " + c.length() + " chars in an unknown field");
                return insertMember(text, "\"note\":\"" + c + "\",");
            }
            case 3 -> {
                steps.add("card " + card.digits().length() + " digits as a JSON number");
                if (!literals(text).isEmpty()) {
                    return replaceStringValue(text, card.digits(), rnd);
                }
            }
            default -> {
                // below
            }
        }
        int at = text.isEmpty() ? 0 : rnd.nextInt(text.length() + 1);
        steps.add("card " + c.length() + " chars raw at " + at);
        return text.substring(0, at) + "x" + c + "x" + text.substring(at);
    }

    static String insertMember(String text, String member) {
        int brace = text.indexOf('{');
        return brace < 0 ? "{" + member + text : text.substring(0, brace + 1) + member + text.substring(brace + 1);
    }

    // --- plumbing -------------------------------------------------------------------------

    static byte[] encode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int k = text.indexOf(BAD_BYTES); k >= 0; k = text.indexOf(BAD_BYTES, from)) {
            out.writeBytes(text.substring(from, k).getBytes(StandardCharsets.UTF_8));
            out.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80});
            from = k + 1;
        }
        out.writeBytes(text.substring(from).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    static HttpResponse<String> post(byte[] body) throws Exception {
        return paygate.send(HttpRequest.newBuilder(URI.create(paygate.baseUrl() + "/api/orders"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", DEMO_KEY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    /** Every text column of orders and idempotency_keys, one after the other. */
    static String databaseText() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Connection c = paygate.dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("orders", "idempotency_keys")) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int k = 1; k <= columns; k++) {
                            all.append(rs.getString(k)).append('\n');
                        }
                    }
                }
            }
        }
        assertThat(all).as("database holds the accepted orders").isNotEmpty();
        return all.toString();
    }

    static String oddString(Random rnd, int parts) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < parts; k++) {
            b.append(ODD_CHARS[rnd.nextInt(ODD_CHARS.length)]);
        }
        return b.toString();
    }

    static String escapeForReport(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            b.append(ch < 0x20 || ch > 0x7e ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
        }
        return b.toString();
    }

    static String letters(int i) {
        StringBuilder b = new StringBuilder();
        do {
            b.append((char) ('a' + i % 26));
            i /= 26;
        } while (i > 0);
        return b.toString();
    }

    static String randomLetters(Random rnd, int n) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < n; k++) {
            b.append((char) ('a' + rnd.nextInt(26)));
        }
        return b.toString();
    }
}
