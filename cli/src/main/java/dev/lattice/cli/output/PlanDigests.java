package dev.lattice.cli.output;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lattice.core.plan.Plan;

/** The digests that name a plan in {@code -o json|yaml}: its decisions and, where its objects were compiled, its objects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanDigests(String decisions, String objects) {
    /** Both digests: the plan's objects were compiled. */
    public static PlanDigests of(Plan plan) {
        return new PlanDigests(plan.digest(), plan.objectsDigest());
    }

    /** The decisions alone: {@code place} compiles no objects. */
    public static PlanDigests decisions(Plan plan) {
        return new PlanDigests(plan.digest(), null);
    }
}
