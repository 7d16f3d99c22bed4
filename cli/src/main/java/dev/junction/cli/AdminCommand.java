package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.gateway.db.DatabaseUrl;
import dev.junction.openai.OpenAiJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code junction admin}: organizations, keys, usage and the audit log, against a running server ({@code --url},
 * with an admin key) or the database directly ({@code --db}, default the data folder's SQLite file).
 */
@Command(name = "admin", mixinStandardHelpOptions = true, description = {
        "Administer the business edition: organizations, API keys, usage reports, the audit log.",
        "Against a running server with --url URL (and an admin key: --key or JUNCTION_ADMIN_KEY), or on the "
                + "database directly (--db, default: junction.db in the data folder)."})
final class AdminCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    /** The command with its subcommands, each given the environment. */
    static CommandLine commandLine(Environment env) {
        return new CommandLine(new AdminCommand())
                .addSubcommand(new CommandLine(new Org()).addSubcommand(new OrgCreate(env)).addSubcommand(new OrgList(env)))
                .addSubcommand(new CommandLine(new Key()).addSubcommand(new KeyCreate(env))
                        .addSubcommand(new KeyList(env)).addSubcommand(new KeyRevoke(env)))
                .addSubcommand(new UsageReport(env))
                .addSubcommand(new CommandLine(new Audit()).addSubcommand(new AuditVerify(env)));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where to act: {@code --url} (a server) or {@code --db} (the database directly). */
    static final class Where {
        @Option(names = "--url", paramLabel = "URL", description = "A running Junction server (e.g. "
                + "http://127.0.0.1:8080); without it, the database directly.")
        String url;
        @Option(names = "--key", paramLabel = "KEY", description = "An admin key for --url (default: "
                + "JUNCTION_ADMIN_KEY).")
        String key;
        @Option(names = "--db", paramLabel = "URL", description = "The database (default: junction.db in the data "
                + "folder); postgresql://… for a shared one.")
        String db;
        @Option(names = "--json", description = "Print the JSON answer instead of a summary.")
        boolean json;

        AdminTarget open(Environment env) {
            if (url != null && !url.isBlank()) {
                return AdminTarget.Remote.of(url, key != null ? key : env.variables().get("JUNCTION_ADMIN_KEY"));
            }
            DatabaseUrl u = db == null || db.isBlank() ? DatabaseUrl.sqlite(env.home().resolve("junction.db"))
                    : DatabaseUrl.parse(db);
            return AdminTarget.OnDatabase.open(u);
        }
    }

    /** Work common to every subcommand: open the target, run, print, close. */
    abstract static class Action implements Callable<Integer> {
        final Environment env;
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Where where;

        Action(Environment env) {
            this.env = env;
        }

        @Override
        public final Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (AdminTarget target = where.open(env)) {
                JsonNode answer = run(target);
                if (where.json) out.println(answer.toPrettyString());
                else summarize(answer, out);
                out.flush();
                return exitCode(answer);
            }
        }

        abstract JsonNode run(AdminTarget target);

        abstract void summarize(JsonNode answer, PrintWriter out);

        int exitCode(JsonNode answer) {
            return 0;
        }

        /** An organization by id, or by name (looked up). */
        String organization(AdminTarget target, String idOrName) {
            if (idOrName.startsWith("org_")) return idOrName;
            for (JsonNode o : target.call("GET", "/admin/v1/organizations", Map.of(), null,
                    (ops, a) -> ops.organizations(a)).path("data")) {
                if (o.path("name").asText().equals(idOrName)) return o.path("id").asText();
            }
            throw new IllegalArgumentException("no organization named '" + idOrName + "'");
        }
    }

    static byte[] json(Map<String, Object> body) {
        return OpenAiJson.write(body);
    }

    @Command(name = "org", mixinStandardHelpOptions = true, description = "Organizations.")
    static final class Org implements Runnable {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** Limit options shared by organizations and keys. */
    static final class LimitOptions {
        @Option(names = "--rpm", description = "Requests per minute.") Long rpm;
        @Option(names = "--tpm", description = "Tokens per minute.") Long tpm;
        @Option(names = "--max-concurrent", description = "Requests in flight at once.") Long maxConcurrent;
        @Option(names = "--monthly-tokens", description = "Tokens per calendar month.") Long monthlyTokens;
        @Option(names = "--monthly-spend", description = "Spend per calendar month, in currency units.")
        Double monthlySpend;

        void into(Map<String, Object> body) {
            if (rpm != null) body.put("rpm", rpm);
            if (tpm != null) body.put("tpm", tpm);
            if (maxConcurrent != null) body.put("max_concurrent", maxConcurrent);
            if (monthlyTokens != null) body.put("monthly_tokens", monthlyTokens);
            if (monthlySpend != null) body.put("monthly_spend", monthlySpend);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an organization.")
    static final class OrgCreate extends Action {
        @Parameters(paramLabel = "NAME") String name;
        @Mixin LimitOptions limits;

        OrgCreate(Environment env) {
            super(env);
        }

        @Override
        JsonNode run(AdminTarget target) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            limits.into(body);
            byte[] b = json(body);
            return target.call("POST", "/admin/v1/organizations", Map.of(), b, (ops, a) -> ops.createOrganization(a, b));
        }

        @Override
        void summarize(JsonNode o, PrintWriter out) {
            out.printf("created organization %s (%s)%n", o.path("id").asText(), o.path("name").asText());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List organizations.")
    static final class OrgList extends Action {
        OrgList(Environment env) {
            super(env);
        }

        @Override
        JsonNode run(AdminTarget target) {
            return target.call("GET", "/admin/v1/organizations", Map.of(), null, (ops, a) -> ops.organizations(a));
        }

        @Override
        void summarize(JsonNode list, PrintWriter out) {
            for (JsonNode o : list.path("data")) out.printf("%-24s %s%n", o.path("id").asText(), o.path("name").asText());
        }
    }

    @Command(name = "key", mixinStandardHelpOptions = true, description = "API keys.")
    static final class Key implements Runnable {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an API key (shown only now).")
    static final class KeyCreate extends Action {
        @Option(names = "--org", required = true, paramLabel = "ORG", description = "Organization id or name.")
        String org;
        @Option(names = "--name", description = "The key's name (default: ${DEFAULT-VALUE}).", defaultValue = "cli")
        String name;
        @Option(names = "--role", description = "member (uses the API) or admin (also manages its organization).")
        String role;
        @Option(names = "--models", split = ",", paramLabel = "a,b", description = "The models it may use "
                + "(default: all).")
        List<String> models;
        @Option(names = "--expires", paramLabel = "DATE", description = "When it expires: a date (UTC midnight) "
                + "or an ISO time.")
        String expires;
        @Mixin LimitOptions limits;

        KeyCreate(Environment env) {
            super(env);
        }

        @Override
        JsonNode run(AdminTarget target) {
            String orgId = organization(target, org);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (role != null) body.put("role", role);
            if (models != null) body.put("models", models);
            if (expires != null) body.put("expires_at", Dates.parse("--expires", expires).getEpochSecond());
            limits.into(body);
            byte[] b = json(body);
            return target.call("POST", "/admin/v1/organizations/" + orgId + "/keys", Map.of(), b,
                    (ops, a) -> ops.createKey(a, orgId, b));
        }

        @Override
        void summarize(JsonNode k, PrintWriter out) {
            out.printf("created key %s (%s) in %s%n", k.path("id").asText(), k.path("name").asText(),
                    k.path("organization").asText());
            out.printf("key (shown only now): %s%n", k.path("key").asText());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List an organization's keys.")
    static final class KeyList extends Action {
        @Option(names = "--org", required = true, paramLabel = "ORG", description = "Organization id or name.")
        String org;

        KeyList(Environment env) {
            super(env);
        }

        @Override
        JsonNode run(AdminTarget target) {
            String orgId = organization(target, org);
            return target.call("GET", "/admin/v1/organizations/" + orgId + "/keys", Map.of(), null,
                    (ops, a) -> ops.keys(a, orgId));
        }

        @Override
        void summarize(JsonNode list, PrintWriter out) {
            for (JsonNode k : list.path("data")) {
                out.printf("%-24s %-12s %-8s %-20s %s%n", k.path("id").asText(), k.path("prefix").asText() + "…",
                        k.path("role").asText(), k.path("name").asText(),
                        k.path("revoked_at").isNull() || k.path("revoked_at").isMissingNode() ? "" : "revoked");
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key (refused everywhere "
            + "within a second).")
    static final class KeyRevoke extends Action {
        @Parameters(paramLabel = "ID") String id;

        KeyRevoke(Environment env) {
            super(env);
        }

        @Override
        JsonNode run(AdminTarget target) {
            return target.call("DELETE", "/admin/v1/keys/" + id, Map.of(), null, (ops, a) -> ops.revokeKey(a, id));
        }

        @Override
        void summarize(JsonNode k, PrintWriter out) {
            out.printf("revoked key %s (%s)%n", k.path("id").asText(), k.path("name").asText());
        }
    }

    @Command(name = "usage", mixinStandardHelpOptions = true, description = "A usage report: requests, tokens and "
            + "spend by day, model, key or supplier.")
    static final class UsageReport extends Action {
        @Option(names = "--org", paramLabel = "ORG", description = "Organization id or name (default: all).")
        String org;
        @Option(names = "--since", paramLabel = "DATE", description = "From (a date or ISO time; default: the "
                + "start of this month).")
        String since;
        @Option(names = "--until", paramLabel = "DATE", description = "Until, excluded (default: now).")
        String until;
        @Option(names = "--by", paramLabel = "GROUP", defaultValue = "day", description = "day, model, key or "
                + "supplier (default: ${DEFAULT-VALUE}).")
        String by;

        UsageReport(Environment env) {
            super(env);
        }

        @Override
        JsonNode run(AdminTarget target) {
            Map<String, String> query = new LinkedHashMap<>();
            if (org != null) query.put("organization", organization(target, org));
            query.put("since", since);
            query.put("until", until);
            query.put("group_by", by);
            return target.call("GET", "/admin/v1/usage", query, null, (ops, a) -> ops.usage(a, query::get));
        }

        @Override
        void summarize(JsonNode r, PrintWriter out) {
            String row = "%-26s %10s %12s %12s %10s %12s%n";
            out.printf(row, r.path("group_by").asText().toUpperCase(java.util.Locale.ROOT), "REQUESTS", "PROMPT",
                    "COMPLETION", "CACHED", "SPEND");
            for (JsonNode g : r.path("rows")) print(out, row, g.path("group").asText(), g);
            print(out, row, "total", r.path("totals"));
        }

        private static void print(PrintWriter out, String row, String group, JsonNode t) {
            out.printf(row, group, t.path("requests").asLong(), t.path("prompt_tokens").asLong(),
                    t.path("completion_tokens").asLong(), t.path("cached_tokens").asLong(),
                    String.format(java.util.Locale.ROOT, "%.6f", t.path("spend").asDouble()));
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit log.")
    static final class Audit implements Runnable {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Check the audit log's hash chain: "
            + "any changed, deleted or reordered entry is reported (exit 1).")
    static final class AuditVerify extends Action {
        AuditVerify(Environment env) {
            super(env);
        }

        @Override
        JsonNode run(AdminTarget target) {
            return target.call("GET", "/admin/v1/audit/verify", Map.of(), null, (ops, a) -> ops.verifyAudit(a));
        }

        @Override
        void summarize(JsonNode v, PrintWriter out) {
            if (v.path("intact").asBoolean()) {
                out.printf("audit log intact: %d entries; head %s (write it down to check against later)%n",
                        v.path("entries").asLong(), v.path("head").asText());
                return;
            }
            out.printf("audit log NOT intact (%d entries):%n", v.path("entries").asLong());
            for (JsonNode p : v.path("problems")) out.println("  " + p.asText());
        }

        @Override
        int exitCode(JsonNode v) {
            return v.path("intact").asBoolean() ? 0 : 1;
        }
    }
}
