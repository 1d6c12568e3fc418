package dev.lattice.core.plan;

import dev.lattice.core.capacity.PoolAccounting;
import dev.lattice.core.graph.ServiceGraph;
import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Problem;
import dev.lattice.core.placement.Placement;
import dev.lattice.core.placement.Solver;
import dev.lattice.core.placement.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The one pipeline from inputs to a {@link Plan}: account the pools, place the services, compile the service graph.
 * Every command and reconciler that decides anything goes through it.
 */
public final class Planner {
    private final Solver solver;
    private final MeshCompiler compiler;
    private final String trustDomain;

    /**
     * @param weights     the solver's score weights
     * @param explain     whether each placement lists every candidate and every rejected cluster
     * @param trustDomain the Istio trust domain of the callers' identities in the compiled policies
     */
    public Planner(Weights weights, boolean explain, String trustDomain) {
        this(weights, explain, trustDomain, new MeshCompiler(trustDomain));
    }

    private Planner(Weights weights, boolean explain, String trustDomain, MeshCompiler compiler) {
        this.solver = new Solver(weights, explain);
        this.compiler = compiler;
        this.trustDomain = trustDomain;
    }

    /** Default weights, no explanations, the default trust domain: what the daemon does. */
    public static Planner defaults() {
        return new Planner(Weights.DEFAULT, false, MeshCompiler.DEFAULT_TRUST_DOMAIN);
    }

    /**
     * {@link #defaults()} for a caller that plans the same fleet again and again, as the daemon does on every change: a
     * service a change did not touch keeps the last plan's compiled pieces ({@link MeshCompiler#remembering}).
     */
    public static Planner remembering() {
        return new Planner(Weights.DEFAULT, false, MeshCompiler.DEFAULT_TRUST_DOMAIN,
                MeshCompiler.remembering(MeshCompiler.DEFAULT_TRUST_DOMAIN));
    }

    /** The plan of {@code inputs}. */
    public Plan plan(Inputs inputs) {
        return plan(inputs, PoolAccounting.account(inputs));
    }

    /** The plan of {@code inputs}, whose pools were already accounted ({@code pools} must be {@code PoolAccounting.account(inputs)}). */
    public Plan plan(Inputs inputs, PoolAccounting.Ledger pools) {
        List<Problem> warnings = new ArrayList<>(inputs.warnings());
        List<Placement> placements = List.of();
        // One analysis of who calls whom, for placing (peers attract) and for compiling.
        ServiceGraph graph = ServiceGraph.analyse(inputs.objects());
        if (!inputs.services().isEmpty()) {
            Solver.Result placed = solver.solve(inputs, pools, graph);
            placements = placed.placements();
            warnings.addAll(placed.warnings());
        }
        warnings.sort(Problem.BY_LOCATION);
        // Without clusters there is nothing to place on (every service is Unschedulable): services alone are only
        // checked and compiled, each into objects for no cluster in particular.
        List<Placement> compiledWith = inputs.clusters().isEmpty() ? List.of() : placements;
        return new Plan(inputs, pools, placements, warnings, trustDomain,
                () -> compiler.compile(inputs, compiledWith, graph));
    }
}
