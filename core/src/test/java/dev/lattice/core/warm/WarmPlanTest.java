package dev.lattice.core.warm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.model.ClusterClaim;
import dev.lattice.core.model.Condition;
import dev.lattice.core.model.ObjectMeta;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.model.WarmPool.State;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.warm.WarmPlan.Claim;
import dev.lattice.core.warm.WarmPlan.Decisions;
import dev.lattice.core.warm.WarmPlan.Failures;
import dev.lattice.core.warm.WarmPlan.Member;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class WarmPlanTest {
    static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    static final String POOLS = """
            apiVersion: lattice.dev/v1alpha1
            kind: StaticPool
            metadata: {name: dc}
            spec:
              provider: openstack
              capacity: {cores: 1000, memory: 4000Gi}
              machineTypes: [{name: small, cores: 4, memory: 16Gi}]
            ---
            """;

    /** A warm pool read through the parser, as files and the daemon read one. */
    static WarmPool pool(String specExtra, long generation) {
        String yaml = POOLS + """
                apiVersion: lattice.dev/v1alpha1
                kind: WarmPool
                metadata: {name: lab}
                spec:
                  pool: dc
                  template:
                    nodes:
                      controlPlane: {replicas: 1, instanceType: small}
                      workerPools: {default: {replicas: 1, instanceType: small}}
                """ + specExtra.indent(2);
        WarmPool p = Parser.parse(List.of(new InputReader.Input("pool.yaml", yaml))).warmPools().get(0);
        ObjectMeta m = p.metadata();
        return new WarmPool(new ObjectMeta(m.name(), m.namespace(), m.labels(), m.annotations(), null, null, generation, null), p.spec(), null);
    }

    static Member member(String name, State state, Instant since) {
        return new Member(name, since, state, null, null, since, state == State.ERROR ? "machines never came up" : null);
    }

    static Member claimed(String name, String claim, Instant since) {
        return new Member(name, since, State.CLAIMED, claim, claim.substring(claim.indexOf('/') + 1), since, null);
    }

    static Claim claim(String id, Instant created) {
        return new Claim(id, created, new ClusterClaim.Spec("lab", null, null, null), null, false);
    }

    static Claim claim(String id, Instant created, String lifetime, boolean released) {
        return new Claim(id, created, new ClusterClaim.Spec("lab", null, lifetime, released), null, false);
    }

    static Decisions plan(WarmPool pool, List<Member> members, List<Claim> claims) {
        return WarmPlan.plan(pool, members, claims, null, Failures.NONE, NOW);
    }

    static Condition condition(Decisions d, String type) {
        return d.status().conditions().stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
    }

    @Nested
    class Filling {
        @Test
        void anEmptyPoolProvisionsAtMostMaxConcurrentAtOnce() {
            Decisions d = plan(pool("size: 3", 1), List.of(), List.of());
            assertThat(d.create()).isEqualTo(2);
            assertThat(condition(d, "Ready").reason()).isEqualTo("Filling");
            assertThat(d.status().provisioning()).isEqualTo(2);
        }

        @Test
        void clustersOnTheirWayCountAsUnclaimed() {
            Decisions d = plan(pool("size: 3\nmaxConcurrent: 5", 1), List.of(member("a", State.PROVISIONING, NOW),
                    member("b", State.RESETTING, NOW), member("c", State.AVAILABLE, NOW)), List.of());
            assertThat(d.create()).isZero();
        }

        @Test
        void aFullPoolIsReady() {
            Decisions d = plan(pool("size: 2", 1), List.of(member("a", State.AVAILABLE, NOW), member("b", State.AVAILABLE, NOW)), List.of());
            assertThat(d.create()).isZero();
            assertThat(condition(d, "Ready").status()).isEqualTo("True");
            assertThat(condition(d, "Exhausted").status()).isEqualTo("False");
            assertThat(d.status().available()).isEqualTo(2);
        }

        @Test
        void aPoolItsCapacityPoolRefusesProvisionsNothing() {
            Decisions d = WarmPlan.plan(pool("size: 3", 1), List.of(), List.of(claim("s/one", NOW)),
                    "pool dc cannot hold warm pool lab: needs 24 cores", Failures.NONE, NOW);
            assertThat(d.create()).isZero();
            assertThat(condition(d, "Ready").reason()).isEqualTo("PoolRefused");
            assertThat(condition(d, "CapacityPressure").status()).isEqualTo("True");
            assertThat(d.claims().get("s/one").message()).contains("does not fit its capacity pool: pool dc cannot hold");
        }
    }

    @Nested
    class Claiming {
        @Test
        void aClaimBindsTheOldestReadyClusterAtOnce() {
            Decisions d = plan(pool("size: 2", 1), List.of(member("young", State.AVAILABLE, NOW.minusSeconds(10)),
                    member("old", State.AVAILABLE, NOW.minusSeconds(600))), List.of(claim("s/one", NOW)));
            assertThat(d.binds()).singleElement().satisfies(b -> {
                assertThat(b.cluster()).isEqualTo("old");
                assertThat(b.session()).isEqualTo("one");
                assertThat(b.expires()).isEqualTo(NOW.plus(Duration.ofHours(2)));
            });
            ClusterClaim.Status s = d.claims().get("s/one");
            assertThat(s.phase()).isEqualTo(ClusterClaim.Phase.BOUND);
            assertThat(s.cluster()).isEqualTo("old");
            assertThat(s.kubeconfigSecret()).isEqualTo("one-kubeconfig");
            assertThat(s.conditions()).singleElement().satisfies(c -> {
                assertThat(c.type()).isEqualTo("Bound");
                assertThat(c.status()).isEqualTo("True");
                assertThat(c.message()).contains("bound to old until", "Secret one-kubeconfig");
            });
            assertThat(d.status().available()).isEqualTo(1);
            assertThat(d.status().claimed()).isEqualTo(1);
            // The bound cluster is no longer unclaimed: the pool provisions one to keep size 2 (room: it holds 2 of maxSize 3).
            assertThat(plan(pool("size: 2\nmaxSize: 3", 1), List.of(member("young", State.AVAILABLE, NOW),
                    member("old", State.AVAILABLE, NOW)), List.of(claim("s/one", NOW))).create()).isEqualTo(1);
        }

        @Test
        void anEmptyPoolQueuesClaimsInTheOrderTheyWereMade() {
            Decisions d = plan(pool("size: 1", 1), List.of(member("a", State.AVAILABLE, NOW)),
                    List.of(claim("s/third", NOW.plusSeconds(2)), claim("s/first", NOW), claim("s/second", NOW.plusSeconds(1))));
            assertThat(d.binds()).singleElement().satisfies(b -> assertThat(b.claim()).isEqualTo("s/first"));
            assertThat(d.claims().get("s/second").phase()).isEqualTo(ClusterClaim.Phase.PENDING);
            assertThat(d.claims().get("s/second").position()).isZero();
            assertThat(d.claims().get("s/second").message()).contains("this claim is next");
            assertThat(d.claims().get("s/third").position()).isEqualTo(1);
            assertThat(d.claims().get("s/third").conditions()).singleElement().satisfies(c ->
                    assertThat(List.of(c.type(), c.status(), c.reason())).containsExactly("Bound", "False", "Waiting"));
            assertThat(d.status().queue()).containsExactly("s/second", "s/third");
            assertThat(condition(d, "Exhausted").status()).isEqualTo("True");
            // Without maxSize the pool holds size clusters in all: nothing more is provisioned, and it says so.
            assertThat(d.create()).isZero();
            assertThat(condition(d, "CapacityPressure").reason()).isEqualTo("AtMaxSize");
            assertThat(condition(d, "CapacityPressure").message()).contains("set maxSize");
        }

        @Test
        void maxSizeProvisionsOnDemandForWaitingClaims() {
            Decisions d = plan(pool("size: 1\nmaxSize: 4\nmaxConcurrent: 5", 1), List.of(claimed("a", "s/zero", NOW)),
                    List.of(claim("s/zero", NOW), claim("s/one", NOW), claim("s/two", NOW.plusSeconds(1))));
            // Two claims wait and nothing is unclaimed: two clusters for them (the pool then holds 3 of 4).
            assertThat(d.create()).isEqualTo(2);
            assertThat(condition(d, "CapacityPressure").status()).isEqualTo("False");
        }

        @Test
        void aLifetimeOverThePoolsMaximumIsCut() {
            Decisions d = plan(pool("size: 1\nclaimLifetime: {default: 1h, maximum: 4h}", 1), List.of(member("a", State.AVAILABLE, NOW)),
                    List.of(claim("s/long", NOW, "48h", false)));
            assertThat(d.binds().get(0).expires()).isEqualTo(NOW.plus(Duration.ofHours(4)));
            assertThat(d.claims().get("s/long").message()).contains("cut to the pool's maximum, 4h");
            Decisions byDefault = plan(pool("size: 1\nclaimLifetime: {default: 1h, maximum: 4h}", 1), List.of(member("a", State.AVAILABLE, NOW)),
                    List.of(claim("s/short", NOW)));
            assertThat(byDefault.binds().get(0).expires()).isEqualTo(NOW.plus(Duration.ofHours(1)));
        }

        @Test
        void aBoundClaimStaysBoundUntilItExpires() {
            Instant bound = NOW.minus(Duration.ofMinutes(30));
            Decisions d = plan(pool("size: 1", 1), List.of(claimed("a", "s/one", bound)), List.of(claim("s/one", bound)));
            assertThat(d.resets()).isEmpty();
            assertThat(d.binds()).isEmpty();
            assertThat(d.claims().get("s/one").phase()).isEqualTo(ClusterClaim.Phase.BOUND);
            assertThat(d.claims().get("s/one").expiresAt()).isEqualTo(bound.plus(Duration.ofHours(2)).toString());
        }
    }

    @Nested
    class Ending {
        @Test
        void aReleasedClaimSendsItsClusterToBeReset() {
            Decisions d = plan(pool("size: 1", 1), List.of(claimed("a", "s/one", NOW.minusSeconds(60))),
                    List.of(claim("s/one", NOW.minusSeconds(60), null, true)));
            assertThat(d.resets()).singleElement().satisfies(r -> {
                assertThat(r.cluster()).isEqualTo("a");
                assertThat(r.reason()).isEqualTo("Released");
            });
            assertThat(d.claims().get("s/one").phase()).isEqualTo(ClusterClaim.Phase.RELEASED);
            assertThat(d.claims().get("s/one").kubeconfigSecret()).isNull();
            assertThat(d.status().resetting()).isEqualTo(1);
            assertThat(d.status().clusters()).singleElement().satisfies(m -> assertThat(m.state()).isEqualTo(State.RESETTING));
        }

        @Test
        void anExpiredClaimSendsItsClusterToBeReset() {
            Instant bound = NOW.minus(Duration.ofHours(3));
            Decisions d = plan(pool("size: 1", 1), List.of(claimed("a", "s/one", bound)), List.of(claim("s/one", bound)));
            assertThat(d.resets()).singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo("Expired"));
            assertThat(d.claims().get("s/one").phase()).isEqualTo(ClusterClaim.Phase.EXPIRED);
        }

        @Test
        void aDeletedClaimReleasesItsClusterRatherThanDestroyingIt() {
            Decisions gone = plan(pool("size: 1", 1), List.of(claimed("a", "s/one", NOW)), List.of());
            assertThat(gone.resets()).singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo("ClaimDeleted"));
            assertThat(gone.replace()).isEmpty();
            Claim deleting = new Claim("s/one", NOW, new ClusterClaim.Spec("lab", null, null, null), null, true);
            assertThat(plan(pool("size: 1", 1), List.of(claimed("a", "s/one", NOW)), List.of(deleting)).resets()).hasSize(1);
        }

        @Test
        void anEndedClaimIsNeverBoundAgain() {
            Claim ended = new Claim("s/one", NOW, new ClusterClaim.Spec("lab", null, null, null),
                    new ClusterClaim.Status(1L, ClusterClaim.Phase.EXPIRED, "a", null, null, null, null, "expired", List.of()), false);
            Decisions d = plan(pool("size: 1", 1), List.of(member("a", State.AVAILABLE, NOW)), List.of(ended));
            assertThat(d.binds()).isEmpty();
            assertThat(d.claims().get("s/one").phase()).isEqualTo(ClusterClaim.Phase.EXPIRED);
        }

        @Test
        void aSmallerMaxSizeLetsTheNewestReadyClustersGoAtOnce() {
            List<Member> five = List.of(member("a", State.AVAILABLE, NOW.minusSeconds(50)), member("b", State.AVAILABLE, NOW.minusSeconds(40)),
                    member("c", State.AVAILABLE, NOW.minusSeconds(30)), member("d", State.AVAILABLE, NOW.minusSeconds(20)),
                    claimed("e", "s/one", NOW));
            Decisions d = plan(pool("size: 2\nmaxSize: 3", 2), five, List.of(claim("s/one", NOW)));
            assertThat(d.surplus()).containsExactly("d", "c");
            assertThat(d.create()).isZero();
        }

        @Test
        void clustersBeyondTheSizeGoOnceIdleForTenMinutes() {
            Instant idle = NOW.minus(WarmPlan.SHRINK_AFTER).minusSeconds(1);
            List<Member> members = List.of(member("a", State.AVAILABLE, idle.minusSeconds(60)), member("b", State.AVAILABLE, idle),
                    member("c", State.AVAILABLE, NOW.minusSeconds(5)), member("d", State.RESETTING, NOW));
            assertThat(plan(pool("size: 1\nmaxSize: 4", 1), members, List.of()).surplus()).as("the longest idle first; the resetting "
                    + "one is counted once Available").containsExactly("a", "b");
            assertThat(plan(pool("size: 2\nmaxSize: 4", 1), members, List.of()).surplus()).containsExactly("a");
            // A claim takes the one ready longest; a burst that just ended keeps its clusters a while.
            Decisions d = plan(pool("size: 1\nmaxSize: 4", 1), members, List.of(claim("s/one", NOW)));
            assertThat(d.binds()).extracting(WarmPlan.Bind::cluster).containsExactly("a");
            assertThat(d.surplus()).containsExactly("b");
            List<Member> fresh = List.of(member("a", State.AVAILABLE, NOW.minusSeconds(60)), member("b", State.AVAILABLE, NOW));
            assertThat(plan(pool("size: 1\nmaxSize: 4", 1), fresh, List.of()).surplus()).isEmpty();
        }

        @Test
        void aCapacityPoolThatRefusedAClusterBeyondTheSizeGetsNoMoreForNow() {
            List<Member> taken = List.of(claimed("a", "s/one", NOW), claimed("b", "s/two", NOW));
            List<Claim> claims = List.of(claim("s/one", NOW), claim("s/two", NOW), claim("s/three", NOW));
            Decisions d = WarmPlan.plan(pool("size: 2\nmaxSize: 5", 1), taken, claims, null, "needs 4 cores, 2 of 64 left",
                    Failures.NONE, NOW);
            assertThat(d.create()).isZero();
            assertThat(condition(d, "CapacityPressure").reason()).isEqualTo("PoolFull");
            assertThat(d.claims().get("s/three").message()).contains("cannot hold another: needs 4 cores");
            // Within its size the warm pool's own allocation holds: those are made all the same.
            assertThat(WarmPlan.plan(pool("size: 2\nmaxSize: 5", 1), List.of(claimed("a", "s/one", NOW)), claims.subList(0, 1), null,
                    "full", Failures.NONE, NOW).create()).isEqualTo(1);
        }

        @Test
        void aClaimWhoseClusterMovedOnBeforeItsStatusSaidSoIsNotBoundAgainAndIsToldItEnded() {
            // Its cluster is being reset; the status that says Expired, decided by the pass that sent it there, was not
            // written (that pass failed after the reset began): every pass says it again, in the same words, until it is.
            Instant expires = NOW.minusSeconds(1);
            Claim stale = boundTo("s/one", "a", expires, false);
            Decisions ending = plan(pool("size: 1", 1), List.of(claimed("a", "s/one", NOW.minusSeconds(60))), List.of(stale));
            Decisions d = plan(pool("size: 1", 1), List.of(member("a", State.RESETTING, NOW), member("b", State.AVAILABLE, NOW)), List.of(stale));
            assertThat(d.binds()).isEmpty();
            assertThat(d.claims().get("s/one")).isEqualTo(ending.claims().get("s/one"));
            assertThat(d.claims().get("s/one").phase()).isEqualTo(ClusterClaim.Phase.EXPIRED);
        }

        @Test
        void aReleasedClaimWhoseClusterWentToAnotherClaimBeforeItsStatusSaidSoIsReleased() {
            Claim stale = boundTo("s/one", "a", NOW.plusSeconds(3600), true);
            Decisions ending = plan(pool("size: 1", 1), List.of(claimed("a", "s/one", NOW.minusSeconds(60))), List.of(stale));
            for (Member a : List.of(member("a", State.RESETTING, NOW), member("a", State.AVAILABLE, NOW), claimed("a", "s/two", NOW))) {
                Decisions d = plan(pool("size: 1", 1), List.of(a), List.of(stale, claim("s/two", NOW)));
                assertThat(d.claims().get("s/one")).as(a.state().name()).isEqualTo(ending.claims().get("s/one"));
                assertThat(d.claims().get("s/one").phase()).isEqualTo(ClusterClaim.Phase.RELEASED);
                assertThat(d.binds()).extracting(WarmPlan.Bind::claim).doesNotContain("s/one");
                // No two claims are told they hold one cluster.
                assertThat(d.claims().values().stream().filter(c -> c.phase() == ClusterClaim.Phase.BOUND).map(ClusterClaim.Status::cluster))
                        .doesNotHaveDuplicates();
            }
        }

        /** A claim whose status says it is bound to {@code cluster}, as a pass wrote it before the claim ended. */
        private static Claim boundTo(String id, String cluster, Instant expires, boolean released) {
            return new Claim(id, NOW.minusSeconds(60), new ClusterClaim.Spec("lab", null, null, released),
                    new ClusterClaim.Status(1L, ClusterClaim.Phase.BOUND, cluster, null, NOW.minusSeconds(60).toString(), expires.toString(),
                            "one-kubeconfig", "bound", List.of()), false);
        }

        @Test
        void aBoundClaimWhoseClusterIsGoneHasEnded() {
            Claim orphan = new Claim("s/one", NOW, new ClusterClaim.Spec("lab", null, null, null),
                    new ClusterClaim.Status(1L, ClusterClaim.Phase.BOUND, "gone", null, NOW.toString(), NOW.toString(), "one-kubeconfig",
                            "bound", List.of()), false);
            Decisions d = plan(pool("size: 1", 1), List.of(member("b", State.AVAILABLE, NOW)), List.of(orphan));
            assertThat(d.binds()).isEmpty();
            assertThat(d.claims().get("s/one").phase()).isEqualTo(ClusterClaim.Phase.EXPIRED);
            assertThat(d.claims().get("s/one").message()).contains("gone");
        }

        @Test
        void aClaimOnAPoolThatIsNotThereWaitsForItAndOneBoundToAPoolSinceDeletedHasEnded() {
            Claim waiting = claim("s/early", NOW);
            Claim bound = new Claim("s/one", NOW, new ClusterClaim.Spec("lab", null, null, null),
                    new ClusterClaim.Status(1L, ClusterClaim.Phase.BOUND, "lab-x2k9d", null, NOW.toString(), NOW.toString(),
                            "one-kubeconfig", "bound", List.of()), false);
            Claim released = new Claim("s/done", NOW, new ClusterClaim.Spec("lab", null, null, true),
                    new ClusterClaim.Status(1L, ClusterClaim.Phase.RELEASED, "lab-x2k9d", null, null, null, null, "released", List.of()), false);
            Claim deleting = new Claim("s/going", NOW, new ClusterClaim.Spec("lab", null, null, null), null, true);

            var statuses = WarmPlan.withoutPool(List.of(waiting, bound, released, deleting));
            assertThat(statuses).containsOnlyKeys("s/early", "s/one");
            assertThat(statuses.get("s/early").phase()).isEqualTo(ClusterClaim.Phase.PENDING);
            assertThat(statuses.get("s/early").conditions()).singleElement().satisfies(c -> {
                assertThat(c.status()).isEqualTo("False");
                assertThat(c.reason()).isEqualTo("NoSuchPool");
                assertThat(c.message()).isEqualTo("there is no warm pool named lab; the claim waits until one is made");
            });
            assertThat(statuses.get("s/one").phase()).isEqualTo(ClusterClaim.Phase.EXPIRED);
            assertThat(statuses.get("s/one").message()).isEqualTo("its warm pool lab is gone, and its cluster lab-x2k9d with it");
            assertThat(statuses.get("s/one").kubeconfigSecret()).isNull();
        }

        @Test
        void aResetThatOverrunsItsTimeoutIsNamed() {
            Decisions d = plan(pool("size: 2\nreset: {timeout: 5m}", 1), List.of(member("slow", State.RESETTING, NOW.minus(Duration.ofMinutes(6))),
                    member("fresh", State.RESETTING, NOW.minus(Duration.ofMinutes(1)))), List.of());
            assertThat(d.timedOut()).containsExactly("slow");
        }
    }

    @Nested
    class Failing {
        @Test
        void aClusterInErrorIsReplacedAfterItsBackOff() {
            Instant failed = NOW.minusSeconds(5);
            WarmPool pool = pool("size: 2", 1);
            List<Member> members = List.of(member("bad", State.ERROR, failed), member("good", State.AVAILABLE, NOW.minusSeconds(600)));
            Decisions now = WarmPlan.plan(pool, members, List.of(), null, Failures.NONE, NOW);
            assertThat(now.status().consecutiveFailures()).isEqualTo(1);
            assertThat(now.replace()).isEmpty(); // 10 s after the first failure, not 5
            assertThat(condition(now, "Ready").reason()).isEqualTo("BackingOff");
            Failures remembered = new Failures(1, failed, "bad: machines never came up", 1L);
            Decisions later = WarmPlan.plan(pool, members, List.of(), null, remembered, NOW.plusSeconds(10));
            assertThat(later.replace()).containsExactly("bad");
            assertThat(later.status().consecutiveFailures()).isEqualTo(1); // the same failure is not counted twice
        }

        @Test
        void afterFiveFailuresInARowThePoolStopsAndSaysWhyUntilItsSpecChanges() {
            WarmPool pool = pool("size: 1", 1);
            List<Member> members = List.of(member("bad", State.ERROR, NOW.minus(Duration.ofHours(1))));
            Failures five = new Failures(WarmPlan.FAILURE_LIMIT, NOW.minus(Duration.ofHours(1)), "bad: machines never came up", 1L);
            Decisions d = WarmPlan.plan(pool, members, List.of(), null, five, NOW);
            assertThat(d.replace()).isEmpty();
            assertThat(d.create()).isZero();
            assertThat(condition(d, "Ready").reason()).isEqualTo("FailingRepeatedly");
            assertThat(condition(d, "Ready").message()).contains("machines never came up");
            assertThat(d.status().lastFailure()).isEqualTo("bad: machines never came up");
            Decisions edited = WarmPlan.plan(pool("size: 1", 2), members, List.of(), null, five, NOW);
            assertThat(edited.replace()).containsExactly("bad");
            assertThat(edited.status().consecutiveFailures()).isZero();
        }

        @Test
        void aClusterThatBecomesReadyEndsTheRow() {
            Instant failed = NOW.minus(Duration.ofMinutes(10));
            Failures three = new Failures(3, failed, "x: broke", 1L);
            Decisions d = WarmPlan.plan(pool("size: 1", 1), List.of(member("fine", State.AVAILABLE, NOW.minusSeconds(30))), List.of(), null, three, NOW);
            assertThat(d.status().consecutiveFailures()).isZero();
        }

        @Test
        void backOffDoublesToFiveMinutes() {
            assertThat(WarmPlan.backoff(1)).isEqualTo(Duration.ofSeconds(10));
            assertThat(WarmPlan.backoff(3)).isEqualTo(Duration.ofSeconds(40));
            assertThat(WarmPlan.backoff(20)).isEqualTo(Duration.ofMinutes(5));
        }
    }

    @Test
    void aWaitingClaimTakesAClusterAsSoonAsOneIsAvailableAgain() {
        // A full rotation: three claims on a pool of one, each served in order as the one cluster comes back.
        WarmPool pool = pool("size: 1", 1);
        List<Claim> claims = new ArrayList<>(List.of(claim("s/a", NOW), claim("s/b", NOW.plusSeconds(1)), claim("s/c", NOW.plusSeconds(2))));
        List<String> served = new ArrayList<>();
        Member cluster = member("only", State.AVAILABLE, NOW);
        for (int round = 0; round < 3; round++) {
            Decisions d = plan(pool, List.of(cluster), claims);
            assertThat(d.binds()).hasSize(1);
            String claim = d.binds().get(0).claim();
            served.add(claim);
            claims.removeIf(c -> c.id().equals(claim));
            cluster = member("only", State.AVAILABLE, NOW.plusSeconds(round + 10));
        }
        assertThat(served).containsExactly("s/a", "s/b", "s/c");
    }
}
