package dev.lattice.testfixtures;

/**
 * The fleet the scale benchmarks drive: one pool, a cluster {@code home} large enough for any number of services and a
 * small one {@code elsewhere}, and services spread over {@link #NAMESPACES} namespaces, each calling the next one in
 * its namespace and called by the one before (so every edge is agreed, and every service has an ingress and an egress
 * rule). {@code ScaleBench} applies it to a real API server; {@code PassBenchmark} plans it in memory.
 */
public final class ChainFleet {
    public static final int NAMESPACES = 20;
    public static final String CLUSTERS = """
            apiVersion: lattice.dev/v1alpha1
            kind: StaticPool
            metadata: {name: dc}
            spec:
              provider: openstack
              capacity: {cores: 10000000, memory: 100000Ti}
              machineTypes:
                - {name: large, cores: 16, memory: 64Gi}
            ---
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeCluster
            metadata: {name: home}
            spec:
              pool: dc
              nodes:
                controlPlane: {replicas: 3, instanceType: large}
                workerPools: {default: {replicas: 1000, instanceType: large}}
            ---
            apiVersion: lattice.dev/v1alpha1
            kind: LatticeCluster
            metadata: {name: elsewhere}
            spec:
              pool: dc
              nodes:
                controlPlane: {replicas: 1, instanceType: large}
                workerPools: {default: {replicas: 10, instanceType: large}}
            """;

    private ChainFleet() {
    }

    /** Service {@code s} of {@code total}, placed by rule on {@code cluster}, its image at {@code version}. */
    public static String service(int s, int total, String cluster, int version) {
        int namespace = s % NAMESPACES;
        int peer = (s + NAMESPACES) % total;
        int caller = (s - NAMESPACES + total) % total;
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: svc-%d, namespace: ns-%d}
                spec:
                  containers:
                    main: {image: "registry.example/svc-%d:%d", resources: {requests: {cpu: 10m, memory: 16Mi}}}
                  service: {ports: {http: {port: 8080}}}
                  resources:
                    svc-%d: {type: service, direction: outbound}
                    svc-%d: {type: service, direction: inbound}
                  requirements: {placement: "cluster.name == '%s'"}
                """.formatted(s, namespace, s, version, peer, caller, cluster);
    }
}
