package dev.junction.gateway.audit;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an audit event accepts, and the detail helper's JSON. */
class AuditEventTest {
    @Test
    void detailIsCompactJsonWithSortedKeys() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("zeta", 1);
        values.put("alpha", Map.of("y", true, "b", "x\"y"));
        values.put("models", List.of("m1", "m2"));
        values.put("none", null);
        assertThat(AuditEvent.detail(values))
                .isEqualTo("{\"alpha\":{\"b\":\"x\\\"y\",\"y\":true},\"models\":[\"m1\",\"m2\"],"
                        + "\"none\":null,\"zeta\":1}");
        assertThat(AuditEvent.detail(Map.of())).isEqualTo("{}");
        assertThatThrownBy(() -> AuditEvent.detail(Map.of("when", java.time.Instant.EPOCH)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validFieldsAreAccepted() {
        AuditEvent e = new AuditEvent(Optional.of("org_abc"), "key_abc123", "organization.update", "org_abc",
                "{\"rpm\":10}", "2001:db8::1");
        assertThat(e.actor()).isEqualTo("key_abc123");
        new AuditEvent(Optional.empty(), "system", "config.reload", "junction.yaml", "{}", "system");
    }

    @Test
    void badFieldsAreRejectedNeverTruncated() {
        assertThatThrownBy(() -> event("{\"d\":\"" + "x".repeat(4000) + "\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 4000");
        assertThatThrownBy(() -> event("not json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> event("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> event("{} {}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> event("{\"a\":\"\uD800\"}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("surrogate");
        assertThatThrownBy(() -> new AuditEvent(Optional.empty(), "someone", "key.create", "k", "{}", "cli"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(Optional.empty(), "cli", "create", "k", "{}", "cli"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(Optional.empty(), "cli", "key.create", "", "{}", "cli"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(Optional.empty(), "cli", "key.create", "k\nforged", "{}", "cli"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(Optional.of("o".repeat(41)), "cli", "key.create", "k", "{}", "cli"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(Optional.empty(), "cli", "key.create", "k", "{}", "s".repeat(201)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(Optional.empty(), null, "key.create", "k", "{}", "cli"))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new AuditEvent(Optional.empty(), "cli", "key.create", "k", null, "cli"))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void theHashEncodingKeepsFieldsApart() {
        String a = AuditHash.of(1, 0, "", "cli", "key.create", "ab", "{}", "cli", AuditHash.GENESIS);
        String b = AuditHash.of(1, 0, "", "cli", "key.create", "a", "b{}", "cli", AuditHash.GENESIS);
        assertThat(a).isNotEqualTo(b).hasSize(64).matches("[0-9a-f]{64}");
        assertThat(AuditAnchor.parse(new AuditAnchor(7, a).toString())).isEqualTo(new AuditAnchor(7, a));
        assertThatThrownBy(() -> AuditAnchor.parse("7:xyz")).isInstanceOf(IllegalArgumentException.class);
    }

    private static AuditEvent event(String detail) {
        return new AuditEvent(Optional.empty(), "cli", "key.create", "key_1", detail, "cli");
    }
}
