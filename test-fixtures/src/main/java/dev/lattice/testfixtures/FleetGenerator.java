package dev.lattice.testfixtures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes synthetic fleets for scale tests and benchmarks: pools, clusters with varied labels and locations, and
 * services with placement rules drawn from a fixed set of distinct expressions and agreed caller/callee pairs.
 * The same arguments always give the same text.
 *
 * <p>{@code java -cp ... dev.lattice.testfixtures.FleetGenerator OUT.yaml|OUT.json SERVICES CLUSTERS [RULES] [POOLS]}:
 * a {@code .json} file gets the same fleet as one kubectl-style List.
 */
public final class FleetGenerator {
    private static final String[] ENVIRONMENTS = {"prod", "staging", "dev"};
    private static final String[] TIERS = {"gold", "silver", "bronze"};
    private static final String[] COMPLIANCE = {"SOC2", "HIPAA", "PCI", "GDPR"};

    private FleetGenerator() {
    }

    /** A fleet as one multi-document YAML text. */
    public static String yaml(int services, int clusters, int rules, int pools, long seed) {
        Random random = new Random(seed);
        List<String> docs = new ArrayList<>();
        for (int p = 0; p < pools; p++) {
            docs.add("""
                    apiVersion: lattice.dev/v1alpha1
                    kind: StaticPool
                    metadata: {name: pool-%d}
                    spec:
                      provider: openstack
                      location: {region: region-%d, zone: zone-%d, country: C%d}
                      capacity: {cores: 10000000, memory: 100000Ti}
                      machineTypes:
                        - {name: medium, cores: 8, memory: 32Gi}
                        - {name: large, cores: 16, memory: 64Gi}
                      compliance: [%s, %s]
                    """.formatted(p, p % 5, p, p % 3, COMPLIANCE[p % 4], COMPLIANCE[(p + 1) % 4]));
        }
        for (int c = 0; c < clusters; c++) {
            docs.add("""
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeCluster
                    metadata:
                      name: cluster-%d
                      labels: {env: %s, tier: %s, team: team-%d}
                    spec:
                      pool: pool-%d
                      controlPlane: {replicas: 3, machineType: medium}
                      workers: {replicas: %d, machineType: large}
                      policies: {maxServices: %d}
                    """.formatted(c, ENVIRONMENTS[c % 3], TIERS[(c / 3) % 3], c % 20, c % pools,
                    5 + random.nextInt(20), 200 + random.nextInt(200)));
        }
        List<String> expressions = expressions(rules);
        for (int s = 0; s < services; s++) {
            String rule = s % 10 == 0 ? "" : "  requirements: {placement: \"" + expressions.get(s % expressions.size()) + "\"}\n";
            int peer = (s + 1) % services;
            int caller = (s + services - 1) % services;
            docs.add("""
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeService
                    metadata: {name: svc-%d, namespace: ns}
                    spec:
                      replicas: %d
                      containers:
                        main: {image: "registry.example/svc-%d:1", resources: {requests: {cpu: %dm, memory: %dMi}}}
                      service: {ports: {http: {port: 8080}}}
                      resources:
                        svc-%d: {type: service, direction: outbound}
                        svc-%d: {type: service, direction: inbound}
                    """.formatted(s, 1 + random.nextInt(3), s, 50 + random.nextInt(450), 64 + random.nextInt(960), peer, caller)
                    + rule);
        }
        return String.join("---\n", docs);
    }

    /** {@code count} distinct placement expressions over labels, locations and compliance. */
    static List<String> expressions(int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < count; i++) {
            String env = ENVIRONMENTS[i % 3];
            String tier = TIERS[(i / 3) % 3];
            switch ((i / 9) % 4) {
                case 0:
                    out.add("cluster.labels.env == '" + env + "' && cluster.labels.tier == '" + tier + "'" + suffix(i));
                    break;
                case 1:
                    out.add("'" + COMPLIANCE[i % 4] + "' in cluster.compliance && cluster.labels.env == '" + env + "'" + suffix(i));
                    break;
                case 2:
                    out.add("cluster.region == 'region-" + (i % 5) + "' && cluster.capacity.cores >= 64" + suffix(i));
                    break;
                default:
                    out.add("cluster.labels.team in ['team-" + (i % 20) + "', 'team-" + ((i + 7) % 20) + "']" + suffix(i));
                    break;
            }
        }
        return out;
    }

    private static String suffix(int i) {
        return i < 36 ? "" : " && cluster.name != 'cluster-" + i + "'";
    }

    /** The same fleet as one JSON List, as {@code kubectl get -o json} writes it. */
    public static String json(String yaml) {
        List<Object> items = new ArrayList<>();
        new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                .loadAllFromString(yaml).forEach(items::add);
        return dev.lattice.core.io.Documents.json(java.util.Map.of("apiVersion", "v1", "kind", "List", "items", items));
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: FleetGenerator OUT.yaml SERVICES CLUSTERS [RULES=50] [POOLS=10]");
            System.exit(2);
        }
        int rules = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        int pools = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        String yaml = yaml(Integer.parseInt(args[1]), Integer.parseInt(args[2]), rules, pools, 42);
        Files.writeString(Path.of(args[0]), args[0].endsWith(".json") ? json(yaml) : yaml);
    }
}
