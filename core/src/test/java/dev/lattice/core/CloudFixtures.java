package dev.lattice.core;


/** The CloudPool {@code aws} and clusters on it, as YAML, for the tests of pool accounting and placement. */
public final class CloudFixtures {
    private CloudFixtures() {
    }

    /** The CloudPool aws (us-east-1) with this {@code budget}, then {@code more} spec lines as written (indented two). */
    public static String cloudPool(String budget, String more) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: CloudPool
                metadata: {name: aws}
                spec:
                  provider: aws
                  budget: BUDGET
                  regions: {us-east-1: {}}
                """.replace("BUDGET", budget) + more;
    }

    /** A cluster on the CloudPool aws: one control-plane node and {@code workers} workers, all of {@code type}. */
    public static String awsCluster(String name, String type, int workers) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata: {name: NAME}
                spec:
                  providerRef: aws
                  provider: {config: {aws: {region: us-east-1}}}
                  controlPlane: {replicas: 1, instanceType: TYPE}
                  workers: {replicas: WORKERS, instanceType: TYPE}
                """.replace("NAME", name).replace("TYPE", type).replace("WORKERS", String.valueOf(workers));
    }
}
