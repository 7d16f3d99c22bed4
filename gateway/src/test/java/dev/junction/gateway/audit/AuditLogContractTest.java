package dev.junction.gateway.audit;

import dev.junction.gateway.TestDatabase;
import dev.junction.gateway.db.Database;
import dev.junction.gateway.db.DatabaseUrl;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The audit chain on SQLite and on a real PostgreSQL: appends form one chain, and tampering is reported. */
class AuditLogContractTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private final AuditLog log = new AuditLog(Clock.fixed(T0, ZoneOffset.UTC));

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void appendsFormAnIntactChain(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            AuditVerification empty = db.withHandle((Handle h) -> log.verify(h));
            assertThat(empty.intact()).isTrue();
            assertThat(empty.head()).contains(new AuditAnchor(0, AuditHash.GENESIS));

            List<AuditEntry> appended = appendFive(db);
            assertThat(appended).extracting(AuditEntry::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(appended.getFirst().previousHash()).isEqualTo(AuditHash.GENESIS);
            for (int i = 1; i < appended.size(); i++) {
                assertThat(appended.get(i).previousHash()).isEqualTo(appended.get(i - 1).hash());
            }
            assertThat(db.withHandle((Handle h) -> log.entries(h, Optional.empty(), T0, T0.plusSeconds(1), 100)))
                    .isEqualTo(appended);

            AuditVerification verified = db.withHandle((Handle h) -> log.verify(h));
            assertThat(verified.problems()).isEmpty();
            assertThat(verified.entries()).isEqualTo(5);
            assertThat(verified.head()).contains(new AuditAnchor(5, appended.getLast().hash()));
            assertThat(db.withHandle((Handle h) -> log.verify(h, verified.head().orElseThrow())).intact()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void anEditedRowIsNamed(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            appendFive(db);
            db.useTransaction(h -> h.execute("UPDATE audit_log SET detail = '{\"name\":\"evil\"}' WHERE seq = 3"));
            assertThat(problems(db)).containsExactly(
                    new AuditProblem(3, "entry 3 was changed (its hash does not match its contents)"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void anEditedRowGivenAMatchingHashBreaksTheLinkToTheNext(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            List<AuditEntry> entries = appendFive(db);
            AuditEntry third = entries.get(2);
            AuditEntry forged = new AuditEntry(3, third.at(), third.organizationId(), third.actor(), third.action(),
                    third.target(), "{\"name\":\"evil\"}", third.source(), third.previousHash(), "");
            db.useTransaction(h -> overwrite(h, 3, reseal(forged)));
            assertThat(problems(db)).containsExactly(
                    new AuditProblem(4, "entry 4 does not follow entry 3 (previous hash differs)"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void deletedRowsAreFoundInTheMiddleAtTheStartAndAtTheEnd(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            appendFive(db);
            db.useTransaction(h -> h.execute("DELETE FROM audit_log WHERE seq = 3"));
            assertThat(problems(db)).containsExactly(
                    new AuditProblem(3, "entry 3 is missing (the chain jumps from 2 to 4)"));

            db.useTransaction(h -> h.execute("DELETE FROM audit_log WHERE seq = 5"));
            assertThat(problems(db)).containsExactly(
                    new AuditProblem(3, "entry 3 is missing (the chain jumps from 2 to 4)"),
                    new AuditProblem(5, "the last entry was deleted (the head says 5, the table ends at 4)"));

            db.useTransaction(h -> h.execute("DELETE FROM audit_log WHERE seq IN (1, 2)"));
            assertThat(problems(db)).containsExactly(
                    new AuditProblem(1, "entries 1 to 3 are missing (the chain starts at 4)"),
                    new AuditProblem(5, "the last entry was deleted (the head says 5, the table ends at 4)"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aSwappedPairIsReportedOutOfOrder(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            List<AuditEntry> entries = appendFive(db);
            db.useTransaction(h -> {
                overwrite(h, 2, entries.get(2));
                overwrite(h, 3, entries.get(1));
            });
            assertThat(problems(db)).containsExactly(new AuditProblem(2, "entries 2 and 3 are out of order"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void rowsSwappedFartherApartAreReportedChanged(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            List<AuditEntry> entries = appendFive(db);
            db.useTransaction(h -> {
                overwrite(h, 2, entries.get(3));
                overwrite(h, 4, entries.get(1));
            });
            assertThat(problems(db)).extracting(AuditProblem::seq).contains(2L, 4L);
            assertThat(problems(db)).extracting(AuditProblem::what)
                    .contains("entry 2 was changed (its hash does not match its contents)",
                            "entry 4 was changed (its hash does not match its contents)");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aChangedHeadIsReported(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            appendFive(db);
            db.useTransaction(h -> h.execute("UPDATE audit_head SET hash = '" + "ab".repeat(32) + "' WHERE id = 1"));
            assertThat(problems(db)).containsExactly(
                    new AuditProblem(5, "the head does not match entry 5 (its hash differs)"));
            db.useTransaction(h -> h.execute("UPDATE audit_head SET seq = 3 WHERE id = 1"));
            assertThat(problems(db)).extracting(AuditProblem::what)
                    .contains("entries past the head (the head says 3, the table goes on to 5)");
            db.useTransaction(h -> h.execute("DELETE FROM audit_head"));
            AuditVerification headless = db.withHandle((Handle h) -> log.verify(h));
            assertThat(headless.problems()).containsExactly(
                    new AuditProblem(0, "the head is missing (audit_head has no row)"));
            assertThat(headless.head()).isEmpty();
        }
    }

    /** The documented limit: a chain rewritten from an entry on, head included, verifies; only an anchor shows it. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRewrittenChainIsCaughtOnlyByAnAnchor(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            List<AuditEntry> entries = appendFive(db);
            AuditAnchor anchor = db.withHandle((Handle h) -> log.verify(h)).head().orElseThrow();
            db.useTransaction(h -> {
                String previous = entries.get(1).hash();
                for (AuditEntry e : entries.subList(2, 5)) {
                    String detail = e.seq() == 3 ? "{\"name\":\"evil\"}" : e.detail();
                    AuditEntry forged = reseal(new AuditEntry(e.seq(), e.at(), e.organizationId(), e.actor(),
                            e.action(), e.target(), detail, e.source(), previous, ""));
                    overwrite(h, e.seq(), forged);
                    previous = forged.hash();
                }
                h.createUpdate("UPDATE audit_head SET hash = :hash WHERE id = 1").bind("hash", previous).execute();
            });
            assertThat(db.withHandle((Handle h) -> log.verify(h)).intact()).isTrue();
            assertThat(db.withHandle((Handle h) -> log.verify(h, anchor)).problems()).containsExactly(
                    new AuditProblem(5, "entry 5 is not the one the anchor was taken at "
                            + "(its hash differs from the one written down)"));
            assertThat(db.withHandle((Handle h) -> log.verify(h, new AuditAnchor(9, anchor.hash()))).problems())
                    .containsExactly(new AuditProblem(9, "entry 9, the anchor, is not in the table"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void entriesFilterByOrganizationAndTime(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            List<AuditEntry> all = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                AuditLog at = new AuditLog(Clock.fixed(T0.plusSeconds(i), ZoneOffset.UTC));
                Optional<String> org = switch (i % 3) {
                    case 0 -> Optional.of("org_a");
                    case 1 -> Optional.of("org_b");
                    default -> Optional.empty();
                };
                String target = "key_" + i;
                all.add(db.inTransaction(h -> at.append(h, event(org, "key.create", target))));
            }
            assertThat(db.withHandle((Handle h) -> log.entries(h, Optional.of("org_a"), T0, T0.plusSeconds(10), 100)))
                    .containsExactly(all.get(0), all.get(3));
            assertThat(db.withHandle((Handle h) -> log.entries(h, Optional.of("org_b"), T0.plusSeconds(2),
                    T0.plusSeconds(10), 100))).containsExactly(all.get(4));
            assertThat(db.withHandle((Handle h) -> log.entries(h, Optional.empty(), T0.plusSeconds(1),
                    T0.plusSeconds(4), 100))).as("since inclusive, until exclusive").containsExactly(all.subList(1, 4)
                    .toArray(AuditEntry[]::new));
            assertThat(db.withHandle((Handle h) -> log.entries(h, Optional.empty(), T0, T0.plusSeconds(10), 2)))
                    .containsExactly(all.get(0), all.get(1));
            assertThat(db.withHandle((Handle h) -> log.entries(h, Optional.of("org_c"), T0, T0.plusSeconds(10), 9)))
                    .isEmpty();
            assertThatThrownBy(() -> db.withHandle((Handle h) -> log.entries(h, Optional.empty(), T0, T0, 0)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void twoNodesAppendingAtOnceFormOneChain(TestDatabase kind) throws Exception {
        DatabaseUrl url = kind.url(dir);
        try (Database one = Database.open(url); Database two = Database.open(url);
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Database> nodes = List.of(one, two);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Database db = nodes.get(t % 2);
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        String target = "key_" + thread + "x" + i;
                        db.inTransaction(h -> log.append(h, event(Optional.of("org_a"), "key.update", target)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            List<AuditEntry> entries = one.withHandle((Handle h) -> log.entries(h, Optional.empty(), T0,
                    T0.plusSeconds(1), 1000));
            assertThat(entries).extracting(AuditEntry::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
            AuditVerification verified = two.withHandle((Handle h) -> log.verify(h));
            assertThat(verified.problems()).isEmpty();
            assertThat(verified.entries()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void anAppendWhoseTransactionRollsBackLeavesNoEntry(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            appendFive(db);
            assertThatThrownBy(() -> db.useTransaction(h -> {
                log.append(h, event(Optional.of("org_a"), "organization.update", "org_a"));
                throw new IllegalStateException("the change failed");
            })).hasMessage("the change failed");
            AuditVerification verified = db.withHandle((Handle h) -> log.verify(h));
            assertThat(verified.problems()).isEmpty();
            assertThat(verified.entries()).isEqualTo(5);
            AuditEntry next = db.inTransaction(h -> log.append(h, event(Optional.empty(), "config.reload", "config")));
            assertThat(next.seq()).isEqualTo(6);
            assertThat(problems(db)).isEmpty();

            assertThatThrownBy(() -> db.withHandle((Handle h) -> log.append(h,
                    event(Optional.empty(), "config.reload", "config"))))
                    .as("outside a transaction").isInstanceOf(IllegalStateException.class);
        }
    }

    /** Verify pages through the table; a swapped pair across a page's end is still one problem. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void verifyReadsALongChainPageByPage(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            List<AuditEntry> entries = db.inTransaction(h -> {
                List<AuditEntry> appended = new ArrayList<>();
                for (int i = 0; i < 1_050; i++) {
                    appended.add(log.append(h, event(Optional.empty(), "key.create", "key_" + i)));
                }
                return appended;
            });
            assertThat(db.withHandle((Handle h) -> log.verify(h)).entries()).isEqualTo(1_050);
            assertThat(problems(db)).isEmpty();
            db.useTransaction(h -> {
                overwrite(h, 500, entries.get(500));
                overwrite(h, 501, entries.get(499));
            });
            assertThat(problems(db)).containsExactly(new AuditProblem(500, "entries 500 and 501 are out of order"));
        }
    }

    private List<AuditEntry> appendFive(Database db) {
        List<AuditEntry> appended = new ArrayList<>();
        appended.add(db.inTransaction(h -> log.append(h, event(Optional.of("org_a"), "organization.create", "org_a"))));
        appended.add(db.inTransaction(h -> log.append(h, event(Optional.of("org_a"), "user.create", "user_1"))));
        appended.add(db.inTransaction(h -> log.append(h, event(Optional.of("org_a"), "key.create", "key_1"))));
        appended.add(db.inTransaction(h -> log.append(h, event(Optional.of("org_a"), "key.revoke", "key_1"))));
        appended.add(db.inTransaction(h -> log.append(h, event(Optional.empty(), "config.reload", "config"))));
        return appended;
    }

    private static AuditEvent event(Optional<String> org, String action, String target) {
        return new AuditEvent(org, "cli", action, target, AuditEvent.detail(Map.of("name", target)), "cli");
    }

    private List<AuditProblem> problems(Database db) {
        return db.withHandle((Handle h) -> log.verify(h)).problems();
    }

    /** {@code e} with the hash that matches its contents, as someone who knows the encoding would compute it. */
    private static AuditEntry reseal(AuditEntry e) {
        return new AuditEntry(e.seq(), e.at(), e.organizationId(), e.actor(), e.action(), e.target(), e.detail(),
                e.source(), e.previousHash(), AuditHash.of(e));
    }

    /** Writes every column of row {@code seq} but seq itself from {@code contents}: what a tamperer with SQL can do. */
    private static void overwrite(Handle h, long seq, AuditEntry contents) {
        h.createUpdate("UPDATE audit_log SET at = :at, organization_id = :org, actor = :actor, action = :action, "
                        + "target = :target, detail = :detail, source = :source, previous_hash = :previous_hash, "
                        + "hash = :hash WHERE seq = :seq")
                .bind("seq", seq).bind("at", contents.at().toEpochMilli())
                .bind("org", contents.organizationId().orElse(null)).bind("actor", contents.actor())
                .bind("action", contents.action()).bind("target", contents.target())
                .bind("detail", contents.detail()).bind("source", contents.source())
                .bind("previous_hash", contents.previousHash()).bind("hash", contents.hash())
                .execute();
    }
}
