package io.paygate.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.security.Signatures.Check;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The one signature scheme: what verifies, and every way a presented signature is refused. */
class SignaturesTest {

    static final byte[] BODY = "{\"reference\":\"pg_1\",\"status\":\"APPROVED\"}".getBytes(StandardCharsets.UTF_8);
    static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
    static final Duration WINDOW = Duration.ofSeconds(300);

    static Check check(String secret, String header, byte[] body) {
        return Signatures.verify(secret, header, body, NOW, WINDOW).check();
    }

    @Test
    void aSignatureMadeWithTheSecretVerifies() {
        String header = Signatures.header("s3cret", NOW.getEpochSecond(), BODY);
        assertThat(header).matches("t=1800000000,v1=[0-9a-f]{64}");
        Signatures.Verification v = Signatures.verify("s3cret", header, BODY, NOW, WINDOW);
        assertThat(v.check()).isEqualTo(Check.VALID);
        assertThat(header).endsWith(v.signature());
    }

    @Test
    void anotherSecretOrAnotherBodyDoesNotVerify() {
        String header = Signatures.header("s3cret", NOW.getEpochSecond(), BODY);
        assertThat(check("other", header, BODY)).isEqualTo(Check.MISMATCH);
        byte[] tampered = new String(BODY, StandardCharsets.UTF_8).replace("APPROVED", "DECLINED").getBytes(StandardCharsets.UTF_8);
        assertThat(check("s3cret", header, tampered)).isEqualTo(Check.MISMATCH);
    }

    @Test
    void theTimestampIsSignedSoItCannotBeMovedIntoTheWindow() {
        long old = NOW.getEpochSecond() - 3600;
        String v1 = Signatures.hmacHex("s3cret", old, BODY);
        assertThat(check("s3cret", "t=" + old + ",v1=" + v1, BODY)).isEqualTo(Check.STALE);
        assertThat(check("s3cret", "t=" + NOW.getEpochSecond() + ",v1=" + v1, BODY)).isEqualTo(Check.MISMATCH);
    }

    @Test
    void timestampsOutsideTheWindowEitherSideAreStale() {
        assertThat(check("s3cret", Signatures.header("s3cret", NOW.getEpochSecond() - 301, BODY), BODY)).isEqualTo(Check.STALE);
        assertThat(check("s3cret", Signatures.header("s3cret", NOW.getEpochSecond() + 301, BODY), BODY)).isEqualTo(Check.STALE);
        assertThat(check("s3cret", Signatures.header("s3cret", NOW.getEpochSecond() - 300, BODY), BODY)).isEqualTo(Check.VALID);
    }

    @Test
    void malformedHeadersAreRefused() {
        String v1 = Signatures.hmacHex("s3cret", NOW.getEpochSecond(), BODY);
        assertThat(check("s3cret", null, BODY)).isEqualTo(Check.MALFORMED);
        assertThat(check("s3cret", "", BODY)).isEqualTo(Check.MALFORMED);
        assertThat(check("s3cret", "v1=" + v1, BODY)).isEqualTo(Check.MALFORMED);
        assertThat(check("s3cret", "t=" + NOW.getEpochSecond(), BODY)).isEqualTo(Check.MALFORMED);
        assertThat(check("s3cret", "t=abc,v1=" + v1, BODY)).isEqualTo(Check.MALFORMED);
        assertThat(check("s3cret", "t=" + NOW.getEpochSecond() + ",v1=xyz", BODY)).isEqualTo(Check.MALFORMED);
    }

    @Test
    void oneMatchingV1AmongSeveralVerifiesDuringSecretRotation() {
        long t = NOW.getEpochSecond();
        String header = "t=" + t + ",v1=" + Signatures.hmacHex("old-secret", t, BODY) + ",v1=" + Signatures.hmacHex("s3cret", t, BODY);
        assertThat(check("s3cret", header, BODY)).isEqualTo(Check.VALID);
    }
}
