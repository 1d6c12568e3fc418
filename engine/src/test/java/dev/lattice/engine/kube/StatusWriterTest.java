package dev.lattice.engine.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.model.Condition;
import dev.lattice.core.status.ObjectStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which status writes become Events, and of which type. */
class StatusWriterTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void onlyConditionsThatChangeInStatusOrReasonAreEvents() {
        ObjectStatus before = new ObjectStatus(null).condition("Scheduled", true, "Placed", "Placed on a", 1L, NOW)
                .condition("Ready", false, "NotApplied", "1 of 3 waiting", 1L, NOW);
        ObjectStatus after = new ObjectStatus(before.tree()).condition("Scheduled", true, "Placed", "Placed on a", 2L, NOW)
                .condition("Ready", false, "NotApplied", "2 of 3 waiting", 2L, NOW)
                .condition("PoliciesApplied", false, "WaitingForKind", "CiliumNetworkPolicy", 2L, NOW);
        assertThat(StatusWriter.changes(before, after)).extracting(Condition::type).containsExactly("PoliciesApplied");
        ObjectStatus moved = new ObjectStatus(after.tree()).unknown("Ready", "Unreachable", "far", 2L, NOW);
        assertThat(StatusWriter.changes(after, moved)).extracting(Condition::reason).containsExactly("Unreachable");
    }

    @Test
    void aConditionThatWentBadIsAWarning() {
        assertThat(StatusWriter.bad(condition("Ready", "True", "Applied"))).isFalse();
        assertThat(StatusWriter.bad(condition("Ready", "Unknown", "Unreachable"))).isTrue();
        assertThat(StatusWriter.bad(condition("PoliciesApplied", "False", "WaitingForKind"))).isTrue();
        assertThat(StatusWriter.bad(condition("Provisioned", "False", "Provisioning"))).as("on its way").isFalse();
        assertThat(StatusWriter.bad(condition("CapacityPressure", "True", "NearlyFull"))).isTrue();
        assertThat(StatusWriter.bad(condition("CapacityPressure", "False", "Enough"))).isFalse();
    }

    private static Condition condition(String type, String status, String reason) {
        return new Condition(type, status, reason, null, null, null);
    }
}
