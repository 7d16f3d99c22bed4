package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.gateway.db.DatabaseUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input on every admin path: missing fields, wrong types, unknown ids, negative and huge numbers, SQL
 * metacharacters, over-long strings. Each is a 4xx in OpenAI's shape whose {@code param} and message name the field
 * at fault, and nothing is half-written: the organizations, keys, users and audit log are as they were.
 */
class AdminBadInputTest {
    @TempDir
    static Path dir;
    static GatewayServe serve;
    static String org, keyId;

    record Case(String method, String path, String body, int status, String field) {
    }

    @BeforeAll
    static void start() {
        serve = GatewayServe.start(DatabaseUrl.sqlite(dir.resolve("junction.db")));
        org = serve.organization("acme", "");
        keyId = serve.key(org, "").path("id").asText();
        serve.admin("POST", "/admin/v1/organizations/" + org + "/users", "{\"email\":\"a@acme.example\"}");
    }

    @AfterAll
    static void stop() {
        if (serve != null) serve.close();
    }

    static List<Case> cases() {
        String orgs = "/admin/v1/organizations", keys = orgs + "/" + org + "/keys", users = orgs + "/" + org + "/users";
        String longName = "x".repeat(201);
        return List.of(
                new Case("POST", orgs, "{}", 400, "name"),
                new Case("POST", orgs, "{\"name\":5}", 400, "name"),
                new Case("POST", orgs, "{\"name\":\"  \"}", 400, "name"),
                new Case("POST", orgs, "{\"name\":\"" + longName + "\"}", 400, "name"),
                new Case("POST", orgs, "{\"name\":\"a\\u0000b\"}", 400, "name"),
                new Case("POST", orgs, "{\"name\":\"acme\"}", 409, "name"),
                new Case("POST", orgs, "{\"name\":\"n\",\"rpm\":-1}", 400, "rpm"),
                new Case("POST", orgs, "{\"name\":\"n\",\"rpm\":99999999999999999999999}", 400, "rpm"),
                new Case("POST", orgs, "{\"name\":\"n\",\"tpm\":1000000000000000001}", 400, "tpm"),
                new Case("POST", orgs, "{\"name\":\"n\",\"rpm\":\"10\"}", 400, "rpm"),
                new Case("POST", orgs, "{\"name\":\"n\",\"max_concurrent\":1.5}", 400, "max_concurrent"),
                new Case("POST", orgs, "{\"name\":\"n\",\"monthly_spend\":-0.01}", 400, "monthly_spend"),
                new Case("POST", orgs, "{\"name\":\"n\",\"monthly_spend\":1e300}", 400, "monthly_spend"),
                new Case("POST", orgs, "{\"name\":\"n\",\"colour\":\"red\"}", 400, "colour"),
                new Case("POST", orgs, "not json", 400, null),
                new Case("POST", orgs, "[\"name\"]", 400, null),
                new Case("PATCH", orgs + "/" + org, "{\"name\":\"renamed\"}", 400, "name"),
                new Case("PATCH", orgs + "/" + org, "{\"monthly_tokens\":-3}", 400, "monthly_tokens"),
                new Case("PATCH", orgs + "/org_nope", "{\"rpm\":1}", 404, null),
                new Case("GET", orgs + "/%27%20OR%20%271%27=%271", null, 404, null),
                new Case("POST", keys, "{}", 400, "name"),
                new Case("POST", keys, "{\"name\":\"k\",\"role\":\"owner\"}", 400, "role"),
                new Case("POST", keys, "{\"name\":\"k\",\"role\":\"instance\"}", 400, "role"),
                new Case("POST", keys, "{\"name\":\"k\",\"models\":\"m\"}", 400, "models"),
                new Case("POST", keys, "{\"name\":\"k\",\"models\":[1]}", 400, "models"),
                new Case("POST", keys, "{\"name\":\"k\",\"models\":[\"m\",\"m\"]}", 400, "models"),
                new Case("POST", keys, "{\"name\":\"k\",\"models\":[\"" + longName + "\"]}", 400, "models"),
                new Case("POST", keys, "{\"name\":\"k\",\"expires_at\":1}", 400, "expires_at"),
                new Case("POST", keys, "{\"name\":\"k\",\"expires_at\":\"tomorrow\"}", 400, "expires_at"),
                new Case("POST", keys, "{\"name\":\"k\",\"rpm\":-5}", 400, "rpm"),
                new Case("POST", keys, "{\"name\":\"k\",\"secret\":\"jk-mine\"}", 400, "secret"),
                new Case("POST", "/admin/v1/organizations/org_nope/keys", "{\"name\":\"k\"}", 404, null),
                new Case("PATCH", "/admin/v1/keys/" + keyId, "{\"name\":null}", 400, "name"),
                new Case("PATCH", "/admin/v1/keys/" + keyId, "{\"models\":{}}", 400, "models"),
                new Case("PATCH", "/admin/v1/keys/" + keyId, "{\"tpm\":-1}", 400, "tpm"),
                new Case("PATCH", "/admin/v1/keys/" + keyId, "{\"role\":\"admin\"}", 400, "role"),
                new Case("PATCH", "/admin/v1/keys/key_nope", "{\"rpm\":1}", 404, null),
                new Case("DELETE", "/admin/v1/keys/key_nope", null, 404, null),
                new Case("DELETE", "/admin/v1/keys/1;DROP%20TABLE%20api_keys", null, 404, null),
                new Case("GET", "/admin/v1/keys/%27%20OR%201=1--", null, 404, null),
                new Case("POST", users, "{}", 400, "email"),
                new Case("POST", users, "{\"email\":\"not-an-address\"}", 400, "email"),
                new Case("POST", users, "{\"email\":\"a@acme.example\"}", 409, "email"),
                new Case("POST", users, "{\"email\":\"b@acme.example\",\"role\":\"god\"}", 400, "role"),
                new Case("POST", users, "{\"email\":[\"b@acme.example\"]}", 400, "email"),
                new Case("GET", "/admin/v1/usage?group_by=week", null, 400, "group_by"),
                new Case("GET", "/admin/v1/usage?since=yesterday", null, 400, "since"),
                new Case("GET", "/admin/v1/usage?since=2026-12-02&until=2026-12-01", null, 400, "until"),
                new Case("GET", "/admin/v1/usage?organization=org_nope", null, 404, null),
                new Case("GET", "/admin/v1/usage?key=key_nope", null, 404, null),
                new Case("GET", "/admin/v1/audit?until=never", null, 400, "until"),
                new Case("GET", "/admin/v1/audit?organization=org_nope", null, 404, null));
    }

    @Test
    void everyBadRequestIsA4xxNamingItsFieldAndChangesNothing() {
        String before = state();
        for (Case c : cases()) {
            GatewayServe.Reply r = serve.admin(c.method(), c.path(), c.body());
            String what = c.method() + " " + c.path() + " " + c.body() + " -> " + r.raw().body();
            assertThat(r.status()).as(what).isEqualTo(c.status());
            JsonNode error = r.json().path("error");
            assertThat(error.path("message").asText()).as(what).isNotBlank().doesNotContain("Exception")
                    .doesNotContain("SQL");
            if (c.field() != null) {
                assertThat(error.path("param").asText()).as(what).isEqualTo(c.field());
                assertThat(error.path("message").asText()).as(what).contains(c.field());
            }
        }
        assertThat(state()).as("nothing half-written").isEqualTo(before);
    }

    @Test
    void sqlMetacharactersInValuesAreStoredAsTheyAre() {
        String name = "Robert'); DROP TABLE organizations;--";
        GatewayServe.Reply r = serve.admin("POST", "/admin/v1/organizations",
                "{\"name\":\"" + name.replace("\"", "\\\"") + "\"}");
        assertThat(r.status()).isEqualTo(201);
        String id = r.json().path("id").asText();
        assertThat(serve.admin("GET", "/admin/v1/organizations/" + id, null).json().path("name").asText())
                .isEqualTo(name);
        assertThat(serve.admin("GET", "/admin/v1/audit/verify", null).json().path("intact").asBoolean()).isTrue();
    }

    /** Everything a bad request could have written. */
    private static String state() {
        StringBuilder sb = new StringBuilder();
        sb.append(serve.admin("GET", "/admin/v1/organizations", null).raw().body());
        for (JsonNode o : serve.admin("GET", "/admin/v1/organizations", null).json().path("data")) {
            String id = o.path("id").asText();
            sb.append(serve.admin("GET", "/admin/v1/organizations/" + id + "/keys", null).raw().body());
            sb.append(serve.admin("GET", "/admin/v1/organizations/" + id + "/users", null).raw().body());
        }
        sb.append(serve.admin("GET", "/admin/v1/audit?since=2000-01-01", null).raw().body());
        return sb.toString();
    }
}
