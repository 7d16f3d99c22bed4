package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.gateway.db.DatabaseUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two organizations on one server: A's keys, admin or member, can neither use B's models nor see or change anything
 * of B's on any admin or self-service path — and B's things answer 404 to A, exactly as ids that do not exist, so
 * they cannot be probed.
 */
class GatewayIsolationTest {
    @TempDir
    static Path dir;
    static GatewayServe serve;
    static String orgA, orgB, adminA, memberA, keyB, keyBId, adminBId, userB;

    @BeforeAll
    static void start() {
        serve = GatewayServe.start(DatabaseUrl.sqlite(dir.resolve("junction.db")));
        orgA = serve.organization("a", "");
        orgB = serve.organization("b", "");
        adminA = serve.key(orgA, ",\"role\":\"admin\"").path("key").asText();
        memberA = serve.key(orgA, ",\"models\":[\"a-only\"]").path("key").asText();
        JsonNode b = serve.key(orgB, ",\"models\":[\"" + GatewayServe.MODEL + "\"]");
        keyB = b.path("key").asText();
        keyBId = b.path("id").asText();
        adminBId = serve.key(orgB, ",\"role\":\"admin\"").path("id").asText();
        userB = serve.admin("POST", "/admin/v1/organizations/" + orgB + "/users", "{\"email\":\"b@b.example\"}")
                .json().path("id").asText();
        assertThat(serve.chat(keyB, GatewayServe.MODEL, 3).status()).isEqualTo(200); // B has usage
        serve.flushUsage();
    }

    @AfterAll
    static void stop() {
        if (serve != null) serve.close();
    }

    /** Every admin path that names something of B's. */
    static List<String[]> pathsOfB() {
        String o = "/admin/v1/organizations/" + orgB;
        List<String[]> out = new ArrayList<>();
        out.add(new String[]{"GET", o, null});
        out.add(new String[]{"PATCH", o, "{\"rpm\":1}"});
        out.add(new String[]{"GET", o + "/keys", null});
        out.add(new String[]{"POST", o + "/keys", "{\"name\":\"intruder\"}"});
        out.add(new String[]{"GET", o + "/users", null});
        out.add(new String[]{"POST", o + "/users", "{\"email\":\"x@a.example\"}"});
        out.add(new String[]{"GET", "/admin/v1/keys/" + keyBId, null});
        out.add(new String[]{"PATCH", "/admin/v1/keys/" + keyBId, "{\"rpm\":1}"});
        out.add(new String[]{"DELETE", "/admin/v1/keys/" + keyBId, null});
        out.add(new String[]{"DELETE", "/admin/v1/keys/" + adminBId, null});
        out.add(new String[]{"GET", "/admin/v1/usage?organization=" + orgB, null});
        out.add(new String[]{"GET", "/admin/v1/usage?key=" + keyBId, null});
        out.add(new String[]{"GET", "/admin/v1/audit?organization=" + orgB, null});
        return out;
    }

    @Test
    void anotherOrganizationsThingsAre404ToAnAdminKeyExactlyLikeIdsThatDoNotExist() {
        for (String[] p : pathsOfB()) {
            GatewayServe.Reply theirs = serve.call(p[0], p[1], adminA, p[2]);
            assertThat(theirs.status()).as("%s %s", p[0], p[1]).isEqualTo(404);
            assertThat(theirs.json().path("error").path("code").asText()).isEqualTo("not_found");
            String unknown = p[1].replace(orgB, "org_00000000000000000").replace(keyBId, "key_00000000000000000")
                    .replace(adminBId, "key_00000000000000000");
            GatewayServe.Reply none = serve.call(p[0], unknown, GatewayServe.ADMIN_KEY, p[2]);
            assertThat(none.status()).as("the instance key on %s", unknown).isEqualTo(404);
            assertThat(theirs.json().path("error").path("message").asText().replace(orgB, "?").replace(keyBId, "?")
                    .replace(adminBId, "?")).as("the same answer as for nothing").isEqualTo(none.json().path("error")
                    .path("message").asText().replace("org_00000000000000000", "?")
                    .replace("key_00000000000000000", "?"));
        }
        // and nothing of B's changed
        JsonNode keysOfB = serve.admin("GET", "/admin/v1/organizations/" + orgB + "/keys", null).json();
        assertThat(keysOfB.path("data")).hasSize(2).allSatisfy(k -> {
            assertThat(k.path("revoked_at").isNull()).isTrue();
            assertThat(k.path("rpm").isNull()).isTrue();
        });
        assertThat(serve.admin("GET", "/admin/v1/organizations/" + orgB, null).json().path("rpm").isNull()).isTrue();
        assertThat(serve.admin("GET", "/admin/v1/organizations/" + orgB + "/users", null).json().path("data"))
                .hasSize(1);
        assertThat(serve.chat(keyB, GatewayServe.MODEL, 2).status()).isEqualTo(200);
    }

    @Test
    void listsReportsAndTheAuditLogShowAnAdminKeyOnlyItsOwnOrganization() {
        JsonNode orgs = serve.call("GET", "/admin/v1/organizations", adminA, null).json();
        assertThat(orgs.path("data")).singleElement().satisfies(o -> assertThat(o.path("id").asText()).isEqualTo(orgA));

        for (String by : List.of("day", "model", "key", "supplier")) {
            JsonNode usage = serve.call("GET", "/admin/v1/usage?group_by=" + by, adminA, null).json();
            assertThat(usage.path("totals").path("requests").asLong()).as("A made no requests").isZero();
            assertThat(usage.path("rows")).isEmpty();
        }
        JsonNode all = serve.admin("GET", "/admin/v1/usage?group_by=key", null).json();
        assertThat(all.path("totals").path("requests").asLong()).as("the instance sees B's").isPositive();

        JsonNode audit = serve.call("GET", "/admin/v1/audit", adminA, null).json();
        assertThat(audit.path("data")).isNotEmpty().allSatisfy(e ->
                assertThat(e.path("organization").asText()).isEqualTo(orgA));
        assertThat(audit.toString()).doesNotContain(orgB).doesNotContain(keyBId).doesNotContain(userB);
        assertThat(serve.call("GET", "/admin/v1/audit/verify", adminA, null).status())
                .as("the chain spans every organization: the instance's to check").isEqualTo(403);
    }

    @Test
    void aMemberKeyManagesNothingAndAnAdminKeyCreatesNoOrganization() {
        for (String[] p : pathsOfB()) {
            assertThat(serve.call(p[0], p[1], memberA, p[2]).status()).as("%s %s", p[0], p[1]).isEqualTo(403);
        }
        assertThat(serve.call("GET", "/admin/v1/organizations/" + orgA + "/keys", memberA, null).status())
                .isEqualTo(403);
        assertThat(serve.call("POST", "/admin/v1/organizations", adminA, "{\"name\":\"c\"}").status()).isEqualTo(403);
        assertThat(serve.call("POST", "/admin/v1/organizations/" + orgA + "/keys", adminA,
                "{\"name\":\"ours\"}").status()).as("its own organization").isEqualTo(201);
    }

    @Test
    void selfServiceShowsOnlyTheCallersOwnAndModelsStayWithTheirKeys() {
        JsonNode mine = serve.call("GET", "/v1/usage", memberA, null).json();
        assertThat(mine.path("organization").path("id").asText()).isEqualTo(orgA);
        assertThat(mine.path("organization").path("this_month").path("requests").asLong()).isZero();
        assertThat(mine.toString()).doesNotContain(orgB).doesNotContain(keyBId);

        GatewayServe.Reply refused = serve.chat(memberA, GatewayServe.MODEL, 2);
        assertThat(refused.status()).as("B's model is not on A's key").isEqualTo(403);
        assertThat(refused.json().path("error").path("param").asText()).isEqualTo("model");
    }
}
