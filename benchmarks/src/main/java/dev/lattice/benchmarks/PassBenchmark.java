package dev.lattice.benchmarks;

import dev.lattice.core.mesh.MeshCompiler;
import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.plan.Plan;
import dev.lattice.core.plan.Planner;
import dev.lattice.testfixtures.ChainFleet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the daemon's service pass costs before it sends anything, over the fleet {@code ScaleBench} drives
 * ({@link ChainFleet}: every service on the daemon's own cluster, each calling the next in its namespace): assembling
 * the model from the objects already read, planning (pool accounting, placement, the plan's digest), and compiling the
 * service graph into the pieces the daemon compares with what it applied. A change to one service at 10,000 pays all three.
 * {@link #change} is that whole pass as the daemon makes it, one service edited before each, with the daemon's planner
 * (which remembers its last compile) or a fresh one's ({@code remembering}). Run:
 * {@code ./mvnw -B -q -pl benchmarks exec:exec@jmh -Djmh.args=PassBenchmark}; {@code -Djmh.args="PassBenchmark.change -prof gc"}
 * adds what each pass allocates and how often the daemon's collector (its flags, below: the launcher's) ran.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PassBenchmark {

    @Param({"1000", "10000"})
    int services;

    /** Whether {@link #change} plans as the daemon does ({@link Planner#remembering()}) or afresh each time. */
    @Param({"true", "false"})
    boolean remembering;

    List<Parser.Read> reads;
    Inputs inputs;
    Plan plan;
    final Planner planner = Planner.defaults();
    Planner daemonsPlanner;
    /** Where the edited service's read is, and the image version of its next edit. */
    int edited;
    int version = 1;

    @Setup
    public void generate() {
        reads = new ArrayList<>();
        reads.add(Parser.read(new InputReader.Input("fleet.yaml", ChainFleet.CLUSTERS)).withoutFieldLocations());
        // In the order the daemon's cache holds them: by namespace, then name.
        List<Integer> order = new ArrayList<>();
        for (int s = 0; s < services; s++) {
            order.add(s);
        }
        order.sort(Comparator.comparing((Integer s) -> "ns-" + s % ChainFleet.NAMESPACES).thenComparing(s -> "svc-" + s));
        for (int s : order) {
            reads.add(read(s, 1));
        }
        edited = 1 + order.indexOf(7);
        inputs = Parser.assemble(reads);
        plan = planner.plan(inputs);
        daemonsPlanner = remembering ? Planner.remembering() : Planner.defaults();
        change();
    }

    private Parser.Read read(int s, int version) {
        return Parser.read(new InputReader.Input("svc-" + s, ChainFleet.service(s, services, "home", version))).withoutFieldLocations();
    }


    /** One service's image edited, then the pass: assemble, plan, compile, digest (as the daemon's reconciler does). */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xms16m", "-Xmx192m", "-XX:MaxNewSize=12m", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=40", "-XX:TieredStopAtLevel=1"})
    public int change() {
        reads.set(edited, read(7, ++version));
        Plan pass = daemonsPlanner.plan(Parser.assemble(reads));
        int pieces = 0;
        for (MeshCompiler.ClusterManifests m : pass.compiled().manifests()) {
            pieces += m.pieces().size();
        }
        return pieces + pass.digest().length();
    }

    @Benchmark
    public Inputs assemble() {
        return Parser.assemble(reads);
    }

    @Benchmark
    public String plan() {
        return planner.plan(inputs).digest();
    }

    @Benchmark
    public int compile() {
        Plan fresh = planner.plan(inputs, plan.pools());
        int hash = 0;
        for (MeshCompiler.ClusterManifests m : fresh.compiled().manifests()) {
            hash += m.pieces().hashCode();
        }
        return hash;
    }
}
