package dev.junction.gateway.tenant;

import dev.junction.gateway.TestDatabase;
import dev.junction.gateway.db.Database;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tenant records on SQLite and on a real PostgreSQL: the same behaviour from both. */
class TenantsContractTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final Tenants tenants = new Tenants();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void keyLifecycleCreateFindRevokeExpire(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            Organization org = db.inTransaction(h -> tenants.createOrganization(h, "acme", Limits.NONE, T0));
            IssuedKey issued = db.inTransaction(h -> tenants.createKey(h, Optional.of(org.id()), "ci", KeyRole.MEMBER,
                    Optional.of(List.of("m1", "m2")), Limits.NONE.with(LimitKind.RPM, 10),
                    Optional.of(T0.plusSeconds(3600)), T0));

            assertThat(issued.secret()).startsWith("jk-").hasSizeGreaterThanOrEqualTo(3 + 22);
            assertThat(issued.key().prefix()).isEqualTo(issued.secret().substring(0, KeySecret.PREFIX_LENGTH));
            ApiKey found = db.withHandle(h -> tenants.keyBySecret(h, issued.secret())).orElseThrow();
            assertThat(found).isEqualTo(issued.key());
            assertThat(found.allows("m1")).isTrue();
            assertThat(found.allows("other")).isFalse();
            assertThat(found.activeAt(T0)).isTrue();
            assertThat(found.activeAt(T0.plusSeconds(3600))).as("expired").isFalse();
            assertThat(db.withHandle((Handle h) -> tenants.keyBySecret(h, issued.secret() + "x"))).isEmpty();

            // the secret is nowhere in the database
            assertThat(db.withHandle((Handle h) -> h.createQuery("SELECT COUNT(*) FROM api_keys WHERE secret_hash = :s "
                    + "OR prefix = :s OR name = :s").bind("s", issued.secret()).mapTo(Long.class).one())).isZero();

            assertThat(db.inTransaction((Handle h) -> tenants.revokeKey(h, found.id(), T0.plusSeconds(5)))).isTrue();
            assertThat(db.inTransaction((Handle h) -> tenants.revokeKey(h, found.id(), T0.plusSeconds(6)))).isFalse();
            ApiKey revoked = db.withHandle(h -> tenants.keyBySecret(h, issued.secret())).orElseThrow();
            assertThat(revoked.activeAt(T0.plusSeconds(10))).isFalse();
            assertThat(revoked.revokedAt()).contains(T0.plusSeconds(5));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void organizationsUsersAndLimits(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            Organization a = db.inTransaction(h -> tenants.createOrganization(h, "a", Limits.NONE, T0));
            Organization b = db.inTransaction(h -> tenants.createOrganization(h, "b",
                    Limits.NONE.with(LimitKind.MONTHLY_SPEND, 5_000_000), T0.plusSeconds(1)));
            assertThat(db.withHandle((Handle h) -> tenants.organizations(h))).containsExactly(a, b);
            assertThatThrownBy(() -> db.inTransaction(h -> tenants.createOrganization(h, "a", Limits.NONE, T0)))
                    .as("names are unique").isInstanceOf(RuntimeException.class);

            Limits limits = Limits.NONE.with(LimitKind.TPM, 1000).with(LimitKind.MAX_CONCURRENT, 2);
            db.useTransaction(h -> tenants.updateOrganizationLimits(h, a.id(), limits));
            assertThat(db.withHandle((Handle h) -> tenants.organization(h, a.id())).orElseThrow().limits()).isEqualTo(limits);

            User u = db.inTransaction(h -> tenants.createUser(h, a.id(), "x@example.com", UserRole.OWNER, T0));
            assertThat(db.withHandle((Handle h) -> tenants.users(h, a.id()))).containsExactly(u);
            assertThat(db.withHandle((Handle h) -> tenants.users(h, b.id()))).isEmpty();

            IssuedKey k = db.inTransaction(h -> tenants.createKey(h, Optional.of(a.id()), "k", KeyRole.ADMIN,
                    Optional.empty(), Limits.NONE, Optional.empty(), T0));
            assertThat(db.withHandle((Handle h) -> tenants.keys(h, a.id()))).containsExactly(k.key());
            assertThat(db.withHandle((Handle h) -> tenants.keys(h, b.id()))).isEmpty();
            ApiKey changed = k.key().withName("renamed").withModels(Optional.of(List.of("m")))
                    .withLimits(Limits.NONE.with(LimitKind.RPM, 3));
            db.useTransaction(h -> tenants.updateKey(h, changed));
            assertThat(db.withHandle((Handle h) -> tenants.key(h, k.key().id())).orElseThrow()).isEqualTo(changed);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void theInstanceKeyFromTheEnvironmentReplacesTheLastOne(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            assertThat(db.withHandle((Handle h) -> tenants.hasInstanceKey(h))).isFalse();
            String first = KeySecret.generate();
            db.inTransaction(h -> tenants.putInstanceKey(h, first, T0));
            String second = KeySecret.generate();
            db.inTransaction(h -> tenants.putInstanceKey(h, second, T0));
            assertThat(db.withHandle((Handle h) -> tenants.hasInstanceKey(h))).isTrue();
            assertThat(db.withHandle((Handle h) -> tenants.keyBySecret(h, first))).isEmpty();
            assertThat(db.withHandle((Handle h) -> tenants.keyBySecret(h, second)).orElseThrow().isInstance()).isTrue();
        }
    }
}
