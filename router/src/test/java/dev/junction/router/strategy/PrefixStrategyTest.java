package dev.junction.router.strategy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;

import static dev.junction.router.strategy.StrategyTesting.indices;
import static dev.junction.router.strategy.StrategyTesting.prompt;
import static dev.junction.router.strategy.StrategyTesting.route;
import static dev.junction.router.strategy.TestCandidate.candidate;
import static org.assertj.core.api.Assertions.assertThat;

class PrefixStrategyTest {
    static final String SYSTEM = "You are the support assistant of a bicycle shop. Answer briefly and politely; "
            .repeat(30); // about 2,300 characters, 36 blocks

    final Random text = new Random(99);
    final List<Candidate> idle = List.of(candidate(0).maxConcurrent(10).build(), candidate(1).maxConcurrent(10).build(),
            candidate(2).maxConcurrent(10).build());

    static RouteRequest chat(String system, String question) {
        return prompt(RouteRequest.chatPrompt(List.of(new RouteRequest.Turn("system", system),
                new RouteRequest.Turn("user", question))));
    }

    String randomText(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) s.append((char) ('a' + text.nextInt(26)));
        return s.toString();
    }

    @Test
    void requestsSharingALongSystemPromptGoToTheSameDeployment() {
        PrefixStrategy strategy = new PrefixStrategy(new Random(1));
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 50; i++) used.add(route(strategy, chat(SYSTEM, "Question " + i + ": " + randomText(150)),
                idle).index());
        assertThat(used).hasSize(1);
    }

    @Test
    void distinctPromptsSpread() {
        PrefixStrategy strategy = new PrefixStrategy(new Random(2));
        int[] placed = new int[3];
        for (int i = 0; i < 100; i++) placed[route(strategy, chat(randomText(800), randomText(100)), idle).index()]++;
        for (int count : placed) assertThat(count).isPositive().isLessThanOrEqualTo(50);
    }

    @Test
    void theLongestMatchingPrefixWins() {
        PrefixStrategy strategy = new PrefixStrategy(new Random(3));
        String document = randomText(64 * 40);
        strategy.recordRoute(prompt(document.substring(0, 64 * 10)), idle.get(0));
        strategy.recordRoute(prompt(document.substring(0, 64 * 30)), idle.get(1));
        assertThat(indices(strategy.order(prompt(document + "?"), idle))).containsExactly(1, 0, 2);
        assertThat(indices(strategy.order(prompt(document.substring(0, 64 * 10)), idle)).subList(2, 3))
                .containsExactly(2); // both hold all ten blocks: 0 and 1 first, in either order
    }

    @Test
    void orderingAloneLearnsNothing() {
        PrefixStrategy strategy = new PrefixStrategy(new Random(4));
        RouteRequest request = chat(SYSTEM, "Where is my order?");
        for (int i = 0; i < 10; i++) strategy.order(request, idle);
        assertThat(strategy.rememberedBlocks()).isZero();
        strategy.recordRoute(request, idle.get(2));
        assertThat(strategy.rememberedBlocks()).isEqualTo(request.prompt().length() / 64);
        assertThat(strategy.order(request, idle).getFirst().index()).isEqualTo(2);
    }

    @Test
    void aShortPromptIsPlacedByLoadAlone() {
        PrefixStrategy strategy = new PrefixStrategy(new Random(5));
        RouteRequest hi = prompt("Hi!");
        strategy.recordRoute(hi, idle.get(0));
        List<Candidate> candidates = List.of(candidate(0).maxConcurrent(10).inFlight(1).build(),
                candidate(1).maxConcurrent(10).build(), candidate(2).maxConcurrent(10).inFlight(2).build());
        assertThat(indices(strategy.order(hi, candidates))).containsExactly(1, 0, 2);
    }

    @Test
    void anotherModelsPrefixDoesNotCount() {
        PrefixStrategy strategy = new PrefixStrategy(new Random(6));
        String text = randomText(64 * 20);
        strategy.recordRoute(new RouteRequest("other-model", 100, OptionalInt.empty(), text), idle.get(0));
        List<Candidate> zeroBusier = List.of(candidate(0).maxConcurrent(10).inFlight(1).build(), idle.get(1));
        assertThat(strategy.order(prompt(text), zeroBusier).getFirst().index()).isEqualTo(1);
    }

    @Test
    void aHotPrefixStaysWhileItsDeploymentIsSomewhatBusierAndMovesWhenMuchBusierOrFull() {
        PrefixStrategy strategy = new PrefixStrategy(new Random(7));
        RouteRequest request = chat(SYSTEM, "When do you open?");
        strategy.recordRoute(request, idle.get(0));
        assertThat(strategy.order(request, withLoads(3, 0, 0)).getFirst().index()).isZero();
        assertThat(strategy.order(request, withLoads(6, 0, 0)).getFirst().index()).isNotZero();
        assertThat(strategy.order(request, withLoads(6, 4, 4)).getFirst().index()).isZero();
        List<Integer> full = indices(strategy.order(request, withLoads(10, 9, 9)));
        assertThat(full.getLast()).isZero(); // at its limit: tried last, whatever the match
    }

    @Test
    void aHotPrefixSpreadsOverTheDeploymentsAsTheyFillUp() {
        PrefixStrategy strategy = new PrefixStrategy(new Random(8));
        int[] inFlight = new int[3];
        for (int i = 0; i < 30; i++) {
            Candidate chosen = route(strategy, chat(SYSTEM, "Question " + i), withLoads(inFlight));
            inFlight[chosen.index()]++;
        }
        assertThat(inFlight).containsExactly(10, 10, 10); // all full, none over its limit
        assertThat(strategy.rememberedBlocks()).isLessThan(3 * 40); // the shared blocks are remembered once
    }

    @Test
    void theMemoryIsBoundedAndForgetsTheLeastRecentlyPlacedFirst() {
        PrefixStrategy strategy = new PrefixStrategy(new Random(9), new PrefixSettings(64, 256, 1_000, 1.0 / 3));
        List<RouteRequest> requests = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            RouteRequest r = prompt(randomText(64 * 20));
            requests.add(r);
            strategy.recordRoute(r, idle.get(i % 3));
            assertThat(strategy.rememberedBlocks()).isLessThanOrEqualTo(1_000);
        }
        assertThat(strategy.rememberedBlocks()).isEqualTo(1_000);
        List<Candidate> busierFirst = List.of(candidate(0).maxConcurrent(10).inFlight(1).build(),
                candidate(1).maxConcurrent(10).inFlight(1).build(), candidate(2).maxConcurrent(10).inFlight(1).build());
        // the last request (199, on deployment 1) is remembered; the first (on deployment 0) forgotten
        assertThat(strategy.order(requests.getLast(), busierFirst).getFirst().index()).isEqualTo(1);
        List<Candidate> zeroBusiest = List.of(candidate(0).maxConcurrent(10).inFlight(2).build(), idle.get(1),
                idle.get(2));
        assertThat(strategy.order(requests.getFirst(), zeroBusiest).getLast().index()).isZero();
    }

    static List<Candidate> withLoads(int... inFlight) {
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < inFlight.length; i++) {
            candidates.add(candidate(i).maxConcurrent(10).inFlight(inFlight[i]).build());
        }
        return candidates;
    }
}
