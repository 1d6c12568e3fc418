package dev.lattice.core.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.model.Condition;
import dev.lattice.core.model.LatticeCluster.Phase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectStatusTest {
    private static final Instant T0 = Instant.parse("2026-12-05T12:00:00.750Z");
    private static final Instant T1 = Instant.parse("2026-12-05T13:00:00Z");

    @Test
    void aConditionKeepsItsTransitionTimeWhileItsStatusHolds() {
        ObjectStatus s = new ObjectStatus(null).condition("Ready", false, "Waiting", "not yet", 1L, T0);
        assertThat(s.conditions()).containsExactly(new Condition("Ready", "False", "Waiting", "not yet", "2026-12-05T12:00:00Z", 1L));
        s.condition("Ready", false, "StillWaiting", "still not", 2L, T1);
        assertThat(s.conditions()).singleElement().satisfies(c -> {
            assertThat(c.lastTransitionTime()).isEqualTo("2026-12-05T12:00:00Z");
            assertThat(c.reason()).isEqualTo("StillWaiting");
            assertThat(c.observedGeneration()).isEqualTo(2L);
        });
        s.condition("Ready", true, "Done", "ready", 2L, T1);
        assertThat(s.conditions().get(0).lastTransitionTime()).isEqualTo("2026-12-05T13:00:00Z");
    }

    @Test
    void conditionsAreSortedByTypeAndOthersAreKept() {
        ObjectStatus s = new ObjectStatus(Map.of("conditions", List.of(
                Map.of("type", "Zeta", "status", "True", "lastTransitionTime", "2026-01-01T00:00:00Z", "observedGeneration", 3))));
        s.condition("Alpha", true, "A", "a", null, T0);
        assertThat(s.conditions()).extracting(Condition::type).containsExactly("Alpha", "Zeta");
        assertThat(s.conditions().get(1).observedGeneration()).isEqualTo(3L);
        assertThat(s.conditions().get(0).observedGeneration()).isNull();
    }

    @Test
    void fieldsThisReleaseDoesNotKnowAreKeptAndNullRemoves() {
        ClusterStatus s = new ClusterStatus(Map.of("phase", "Ready", "message", "hi", "futureField", List.of(1, 2)));
        assertThat(s.phase()).isEqualTo(Phase.READY);
        s.message(null).phase(Phase.PIVOTING).pivotComplete(true);
        assertThat(s.tree()).containsEntry("futureField", List.of(1, 2)).containsEntry("phase", "Pivoting")
                .containsEntry("pivotComplete", true).doesNotContainKey("message");
        assertThat(new ClusterStatus(Map.of("phase", "Sideways")).phase()).isNull();
        assertThat(new ClusterStatus(null).phaseOrPending()).isEqualTo(Phase.PENDING);
    }
}
