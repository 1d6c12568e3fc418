package dev.lattice.benchmarks;

import dev.lattice.core.parse.InputReader;
import dev.lattice.core.parse.Inputs;
import dev.lattice.core.parse.Parser;
import dev.lattice.core.placement.Solver;
import dev.lattice.core.placement.Weights;
import dev.lattice.testfixtures.FleetGenerator;
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
 * The placement solver and the parser over generated fleets of 1,000 clusters, 50 distinct placement rules and
 * 10 pools, with a growing number of services: cost should grow about linearly with services.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SolverBenchmark {

    @Param({"2500", "5000", "10000"})
    int services;

    @Param({"1000"})
    int clusters;

    String yaml;
    Inputs inputs;

    @Setup
    public void generate() {
        yaml = FleetGenerator.yaml(services, clusters, 50, 10, 42);
        inputs = Parser.parse(List.of(new InputReader.Input("fleet.yaml", yaml)));
    }

    @Benchmark
    public Solver.Result solve() {
        return new Solver(Weights.DEFAULT, false).solve(inputs);
    }

    @Benchmark
    public Inputs parse() {
        return Parser.parse(List.of(new InputReader.Input("fleet.yaml", yaml)));
    }
}
