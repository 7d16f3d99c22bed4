package dev.junction.cli;

import dev.junction.cli.InProcessCli.Result;
import dev.junction.gateway.db.Database;
import dev.junction.gateway.db.DatabaseUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code junction admin} as an operator runs it: on the data folder's database directly and against a running
 * server; {@code audit verify} failing on a changed row; {@code serve} refusing a non-loopback address without
 * {@code --auth} or {@code --no-auth}.
 */
class AdminCommandTest {
    @TempDir
    Path home;

    private Result junction(String... args) {
        return new InProcessCli(home).run(args);
    }

    @Test
    void organizationsKeysUsageAndTheAuditOnTheDatabaseDirectly() {
        Result org = junction("admin", "org", "create", "acme", "--tpm", "5000");
        assertThat(org.exitCode()).as(org.err()).isZero();
        assertThat(org.out()).matches("(?s)created organization org_\\w+ \\(acme\\)\\s*");

        Result key = junction("admin", "key", "create", "--org", "acme", "--rpm", "10", "--models", "a,b");
        assertThat(key.exitCode()).as(key.err()).isZero();
        Matcher m = Pattern.compile("created key (key_\\w+).*key \\(shown only now\\): (jk-\\S+)", Pattern.DOTALL)
                .matcher(key.out());
        assertThat(m.find()).as(key.out()).isTrue();
        String id = m.group(1);

        assertThat(junction("admin", "key", "list", "--org", "acme").out()).contains(id).doesNotContain(m.group(2));
        assertThat(junction("admin", "usage", "--org", "acme", "--since", "2026-01-01", "--by", "model").out())
                .contains("REQUESTS").contains("total");
        assertThat(junction("admin", "usage", "--json").out()).contains("\"totals\"");
        Result revoke = junction("admin", "key", "revoke", id);
        assertThat(revoke.out()).contains("revoked key " + id);
        Result again = junction("admin", "key", "revoke", "key_doesnotexist");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("No key 'key_doesnotexist'");
        assertThat(junction("admin", "org", "create", "acme").err()).contains("exists already");

        Result verified = junction("admin", "audit", "verify");
        assertThat(verified.exitCode()).isZero();
        assertThat(verified.out()).contains("audit log intact: 3 entries");

        try (Database db = Database.open(DatabaseUrl.sqlite(home.resolve("junction.db")))) {
            db.useTransaction(h -> h.createUpdate("UPDATE audit_log SET detail = '{\"name\":\"evil\"}' WHERE seq = 2")
                    .execute());
        }
        Result tampered = junction("admin", "audit", "verify");
        assertThat(tampered.exitCode()).isEqualTo(1);
        assertThat(tampered.out()).contains("NOT intact").contains("entry 2 was changed");
    }

    @Test
    void againstARunningServerWithTheInstanceKey(@TempDir Path dir) {
        try (GatewayServe serve = GatewayServe.start(DatabaseUrl.sqlite(dir.resolve("junction.db")))) {
            String url = serve.baseUri().toString();
            Result org = junction("admin", "org", "create", "remote", "--url", url, "--key", GatewayServe.ADMIN_KEY);
            assertThat(org.exitCode()).as(org.err()).isZero();
            Result key = junction("admin", "key", "create", "--url", url, "--key", GatewayServe.ADMIN_KEY, "--org",
                    "remote", "--json");
            assertThat(key.exitCode()).as(key.err()).isZero();
            assertThat(key.out()).contains("\"key\" : \"jk-");
            Result wrong = junction("admin", "org", "list", "--url", url, "--key", "jk-wrong-wrong-wrong-wrong-wrong");
            assertThat(wrong.exitCode()).isEqualTo(1);
            assertThat(wrong.err()).contains("HTTP 401");
            assertThat(junction("admin", "audit", "verify", "--url", url, "--key", GatewayServe.ADMIN_KEY).out())
                    .contains("intact");
        }
    }

    @Test
    void serveRefusesANonLoopbackAddressWithoutAuthOrNoAuth() {
        Result r = junction("serve", "--host", "0.0.0.0", "--port", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("refusing to serve on 0.0.0.0 without authentication").contains("--auth")
                .contains("--no-auth");
        assertThat(junction("serve", "--auth", "--no-auth").err()).contains("exclude each other");
    }
}
