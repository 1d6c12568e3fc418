package dev.lattice.core.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.core.model.CloudPool;
import dev.lattice.core.model.InstanceType;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeExternalService;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.model.Sharing;
import dev.lattice.core.model.StaticPool;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParserTest {

    static final String POOL = """
            apiVersion: lattice.dev/v1alpha1
            kind: StaticPool
            metadata:
              name: dc
            spec:
              provider: openstack
              capacity: {cores: 100, memory: 1Ti}
              machineTypes:
                - {name: small, cores: 4, memory: 16Gi}
                - {name: large, cores: 16, memory: 64Gi}
            """;

    static Inputs parse(String... docs) {
        return Parser.parse(List.of(new InputReader.Input("in.yaml", String.join("---\n", docs))));
    }

    /** Every problem of the input, rendered as the user sees it. */
    static List<String> problems(String... docs) {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> parse(docs));
        assertThat(e).as("input should have been refused").isNotNull();
        return e.problems().stream().map(Problem::render).toList();
    }

    static String cluster(String spec) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeCluster
                metadata:
                  name: c1
                spec:
                """ + spec.indent(2);
    }

    /** A service named s with one container, and {@code spec} added to its spec. */
    static String service(String spec) {
        return """
                apiVersion: lattice.dev/v1alpha1
                kind: LatticeService
                metadata: {name: s}
                spec:
                  containers: {main: {image: x}}
                """ + spec.indent(2);
    }

    @Nested
    @DisplayName("YAML itself")
    class Syntax {
        @Test
        void reportsSyntaxErrorsWhereTheyAre() {
            assertThat(problems("apiVersion: lattice.dev/v1alpha1\nkind: [StaticPool\n"))
                    .singleElement().asString().startsWith("in.yaml:3:1: YAML syntax error:");
        }

        @Test
        void refusesDuplicateKeysAtTheSecondOne() {
            assertThat(problems(POOL.replace("  provider: openstack\n", "  provider: openstack\n  provider: aws\n")))
                    .containsExactly("in.yaml:7:3: duplicate key \"provider\"\n  hint: it is already set at line 6; remove one of them");
        }

        @Test
        void explainsTabs() {
            assertThat(problems("apiVersion: lattice.dev/v1alpha1\nmetadata:\n\tname: x\n")).singleElement().asString()
                    .startsWith("in.yaml:3:1: YAML syntax error")
                    .endsWith("hint: YAML does not allow tabs for indentation; indent with spaces");
        }

        @Test
        void refusesEmptyInput() {
            assertThat(problems("")).containsExactly("in.yaml:1:1: empty input: no objects found\n"
                    + "  hint: a file holds one or more Lattice objects (apiVersion: lattice.dev/v1alpha1), separated by ---");
            assertThat(problems("# only a comment\n---\n")).singleElement().asString().startsWith("in.yaml:1:1: empty input");
        }

        @Test
        void refusesADocumentThatIsNotAMapping() {
            assertThat(problems("- a\n- b\n")).singleElement().asString()
                    .isEqualTo("in.yaml:1:1: expected a Lattice object (a mapping with apiVersion, kind, metadata and spec), got a list");
        }

        @Test
        void followsAnchorsAndAliases() {
            String pools = POOL.replace("  capacity: {cores: 100, memory: 1Ti}", "  capacity: &cap {cores: 100, memory: 1Ti}")
                    + "---\n" + POOL.replace("name: dc", "name: dc2").replace("capacity: {cores: 100, memory: 1Ti}", "capacity: {cores: 7, memory: 1Ti}");
            assertThat(parse(pools).staticPools()).extracting(p -> p.spec().capacity().cores()).containsExactly(100, 7);
            String reused = POOL.replace("  capacity: {cores: 100, memory: 1Ti}", "  capacity: &cap {cores: 100, memory: 1Ti}")
                    + "  providerConfig: {copy: *cap}\n";
            assertThat(parse(reused).staticPools().get(0).spec().providerConfig()).containsKey("copy");
        }

        @Test
        void refusesAnAliasBomb() {
            StringBuilder bomb = new StringBuilder("apiVersion: lattice.dev/v1alpha1\nkind: StaticPool\nmetadata: {name: x}\n"
                    + "spec:\n  providerConfig:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
            for (int i = 1; i < 9; i++) {
                bomb.append("    a").append(i).append(": &a").append(i).append(" [");
                for (int j = 0; j < 10; j++) {
                    bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
                }
                bomb.append("]\n");
            }
            assertThat(problems(bomb.toString())).singleElement().asString()
                    .contains("document expands to more than 1000000 nodes through its aliases");
        }

        @Test
        void refusesAnUndefinedAlias() {
            assertThat(problems(POOL.replace("provider: openstack", "provider: *nowhere"))).singleElement().asString()
                    .startsWith("in.yaml:6:13: undefined alias *nowhere");
        }

        @Test
        void locatesProblemsInLargeInputsReadInParallel() {
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 3000; i++) {
                many.append(i == 0 ? "" : "---\n").append(POOL.replace("name: dc", "name: dc" + i));
            }
            String text = many.toString().replace("name: dc2999", "name: DC2999");
            // lines() counts the partial line the name is on, so the count is its line number
            int line = (int) text.substring(0, text.indexOf("name: DC2999")).lines().count();
            assertThat(text.length()).isGreaterThan(2 * 256 * 1024);
            assertThat(problems(text)).singleElement().asString().startsWith("in.yaml:" + line + ":9: invalid StaticPool name \"DC2999\"");
        }

        @Test
        void readsJsonToo() {
            Inputs inputs = Parser.parse(List.of(new InputReader.Input("pool.json", """
                    {"apiVersion": "lattice.dev/v1alpha1", "kind": "StaticPool", "metadata": {"name": "dc"},
                     "spec": {"provider": "openstack", "capacity": {"cores": 8, "memory": "32Gi"}}}
                    """)));
            assertThat(inputs.staticPools()).singleElement().extracting(p -> p.spec().capacity().cores()).isEqualTo(8);
        }

        @Test
        void locatesProblemsInJson() {
            InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> Parser.parse(List.of(
                    new InputReader.Input("p.json", """
                            {"apiVersion": "lattice.dev/v1alpha1", "kind": "StaticPool", "metadata": {"name": "dc"},
                             "spec": {"provider": "openstack", "capacity": {"cores": "8", "memory": "32Gi"}}}
                            {"apiVersion": "lattice.dev/v1alpha1", "kind": "StaticPool", "metadata": {"name": "dc2", "name": "x"},
                             "spec": {"provider": "openstack", "capacity": {"cores": 8, "memory": "32Gi"}}}
                            """))));
            assertThat(e.problems()).extracting(Problem::render).containsExactly(
                    "p.json:2:58: expected a whole number, got a string (\"8\")\n  hint: remove the quotes: 8",
                    "p.json:3:90: duplicate key \"name\"\n  hint: it is already set at line 3; remove one of them");
            assertThat(catchThrowableOfType(InvalidInputException.class, () -> Parser.parse(List.of(
                    new InputReader.Input("bad.json", "{\"kind\": \"StaticPool\",\n  \"spec\": [1, }\n"))))
                    .problems()).extracting(Problem::render).singleElement().asString().startsWith("bad.json:2:15: JSON syntax error:");
        }

        @Test
        void readsTheItemsOfAKubectlList() {
            String list = "apiVersion: v1\nkind: List\nitems:\n" + POOL.indent(2).replaceFirst("  apiVersion", "- apiVersion");
            assertThat(parse(list).staticPools()).hasSize(1);
        }

        @Test
        void locatesProblemsInTheRightDocumentOfAStream() {
            assertThat(problems(POOL, POOL.replace("name: dc", "name: dc2").replace("cores: 100", "cores: lots")))
                    .containsExactly("in.yaml:18:21: expected a whole number, got a string (\"lots\")");
        }
    }

    @Nested
    @DisplayName("apiVersion and kind")
    class Kinds {
        @Test
        void suggestsTheKindMeant() {
            assertThat(problems(POOL.replace("kind: StaticPool", "kind: StaticPol")))
                    .containsExactly("in.yaml:2:7: unknown kind \"StaticPol\"\n  hint: did you mean \"StaticPool\"?");
        }

        @Test
        void saysWhenAnObjectIsNotLatticeAtAll() {
            assertThat(problems("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")).singleElement().asString()
                    .startsWith("in.yaml:2:7: \"Deployment\" (apps/v1) is not a Lattice kind\n  hint: lattice reads lattice.dev/v1alpha1 objects:");
        }

        @Test
        void refusesAnUnknownApiVersion() {
            assertThat(problems(POOL.replace("lattice.dev/v1alpha1", "lattice.dev/v1")))
                    .containsExactly("in.yaml:1:13: unknown apiVersion \"lattice.dev/v1\" for StaticPool\n"
                            + "  hint: use apiVersion: lattice.dev/v1alpha1");
        }

        @Test
        void refusesAMissingKind() {
            assertThat(problems(POOL.replace("kind: StaticPool\n", ""))).singleElement().asString()
                    .startsWith("in.yaml:1:1: missing \"kind\"");
        }
    }

    @Nested
    @DisplayName("fields and types")
    class Fields {
        @Test
        void suggestsTheFieldMeant() {
            assertThat(problems(POOL.replace("  machineTypes:", "  machineTpyes:")))
                    .contains("in.yaml:8:3: unknown field \"machineTpyes\" in spec\n  hint: did you mean \"machineTypes\"?");
        }

        @Test
        void suggestsTopLevelFields() {
            assertThat(problems(POOL.replace("spec:", "spce:"))).contains(
                    "in.yaml:5:1: unknown field \"spce\"\n  hint: did you mean \"spec\"?",
                    "in.yaml:1:1: missing required field \"spec\"");
        }

        @Test
        void reportsWrongTypesAtTheValue() {
            assertThat(problems(cluster("nodes:\n  controlPlane: {replicas: three}\n")))
                    .containsExactly("in.yaml:7:30: expected a whole number, got a string (\"three\")");
            assertThat(problems(cluster("nodes: [1, 2]\n")))
                    .containsExactly("in.yaml:6:10: expected a mapping of fields in spec.nodes, got a list");
            assertThat(problems(cluster("services: yes-please\nnodes: {controlPlane: 1}\n")))
                    .containsExactly("in.yaml:6:13: expected true or false, got a string (\"yes-please\")");
        }

        @Test
        void tellsToQuoteAVersionThatReadsAsANumber() {
            assertThat(problems(cluster("kubernetes: {version: 1.30}\nnodes: {controlPlane: 1}\n")))
                    .containsExactly("in.yaml:6:25: expected a string, got a number (1.30)\n  hint: put the value in quotes: \"1.30\"");
        }

        @Test
        void reportsMissingRequiredFields() {
            assertThat(problems(cluster("pool: dc\n"), POOL))
                    .containsExactly("in.yaml:6:3: missing required field \"nodes\" in spec");
        }

        @Test
        void refusesAFieldSetTwiceThroughAnAlias() {
            assertThat(problems(cluster("nodes:\n  controlPlane: {instanceType: a, machineType: b}\n")))
                    .containsExactly("in.yaml:7:37: \"machineType\" and \"instanceType\" are the same field in spec.nodes.controlPlane\n"
                            + "  hint: keep one of them");
        }

        @Test
        void checksBoundsOfNumbers() {
            assertThat(problems(POOL.replace("cores: 4,", "cores: 0,")))
                    .containsExactly("in.yaml:9:28: \"cores\" must be at least 1, got 0");
            assertThat(problems(service("service: {ports: {http: {port: 70000}}}\n"))).containsExactly("in.yaml:6:34: \"port\" must be between 1 and 65535, got 70000");
        }
    }

    @Nested
    @DisplayName("values")
    class Values {
        @Test
        void refusesBadQuantitiesWithAHint() {
            assertThat(problems(POOL.replace("memory: 1Ti}", "memory: 1TB}")))
                    .containsExactly("in.yaml:7:34: invalid quantity \"1TB\"\n"
                            + "  hint: Kubernetes quantities have no \"B\": write 1Ti (binary) or 1T (decimal)");
            assertThat(problems(POOL.replace("memory: 1Ti}", "memory: -5Gi}"))).singleElement().asString()
                    .startsWith("in.yaml:7:34: invalid quantity \"-5Gi\"");
        }

        @Test
        void refusesNamesThatAreNotDnsLabels() {
            assertThat(problems(POOL.replace("name: dc", "name: DC_Chicago")))
                    .containsExactly("in.yaml:4:9: invalid StaticPool name \"DC_Chicago\": not a DNS-1123 label: "
                            + "use lowercase letters, digits and '-', starting and ending with a letter or digit\n"
                            + "  hint: try \"dc-chicago\"");
            assertThat(problems(POOL.replace("name: dc", "name: " + "a".repeat(64)))).singleElement().asString()
                    .contains("it is 64 characters long, at most 63 are allowed");
        }

        @Test
        void refusesUnknownEnumValues() {
            assertThat(problems(cluster("kubernetes: {bootstrap: kubadm}\nnodes: {controlPlane: 1}\n"))).containsExactly(
                    "in.yaml:6:27: unknown value \"kubadm\" in spec.provider.kubernetes.bootstrap; expected one of: kubeadm, rke2\n"
                            + "  hint: did you mean \"kubeadm\"?");
            assertThat(problems(POOL.replace("provider: openstack", "provider: openstack\n  sharing: Exclusive")))
                    .singleElement().asString().startsWith("in.yaml:7:12: unknown value \"Exclusive\" in spec.sharing; expected one of: Shared, Dedicated");
            assertThat(problems(cluster("""
                    nodes:
                      controlPlane: 1
                      workerPools:
                        gpu:
                          replicas: 1
                          taints: [{key: gpu, effect: NoSchedul}]
                    """))).singleElement().asString().startsWith("in.yaml:11:37: unknown value \"NoSchedul\"");
            assertThat(problems(service("resources:\n  db: {type: service, direction: outgoing}\n"))).singleElement().asString()
                    .startsWith("in.yaml:7:36: unknown value \"outgoing\" in spec.resources.db.direction; expected one of: outbound, inbound, both");
        }

        @Test
        void refusesProbesWithoutExactlyOneActionAndCapabilitiesBeyondBaseline() {
            String svc = """
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeService
                    metadata: {name: s}
                    spec:
                      containers:
                        main:
                          image: x
                          livenessProbe: {periodSeconds: 5}
                          readinessProbe: {httpGet: {port: 8080}, tcpSocket: {port: 8080}}
                          startupProbe: {exec: {command: []}, failureThreshold: 0}
                          securityContext: {runAsUser: 0, runAsNonRoot: true, capabilities: [NET_BIND_SERVICE, SYS_ADMIN]}
                    """;
            assertThat(problems(svc)).containsExactly(
                    "in.yaml:8:22: a probe needs exactly one of httpGet, exec and tcpSocket, got 0\n"
                            + "  hint: add httpGet: {path: /healthz, port: 8080}",
                    "in.yaml:9:23: a probe needs exactly one of httpGet, exec and tcpSocket, got 2\n  hint: keep one of them",
                    "in.yaml:10:38: an exec probe needs a command\n  hint: add command: [cat, /tmp/healthy]",
                    "in.yaml:10:61: \"failureThreshold\" must be between 1 and 1000, got 0",
                    "in.yaml:11:36: runAsUser 0 is root, and runAsNonRoot is true\n  hint: give a non-zero user id, or drop runAsNonRoot",
                    "in.yaml:11:92: capability \"SYS_ADMIN\" is not one a service may keep\n  hint: baseline Pod Security allows AUDIT_WRITE, "
                            + "CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT (without CAP_)");
        }

        @Test
        void refusesAProxmoxClusterWithoutATemplate() {
            assertThat(problems(cluster("provider:\n  kubernetes: {version: \"1.32\"}\n  config:\n    proxmox: {node: pve1}\n"
                    + "nodes:\n  controlPlane: 1\n")))
                    .singleElement().asString().startsWith("in.yaml:9:16: ")
                    .contains("a Proxmox cluster's machines are clones of a VM template, and templateId is not set");
        }

        @Test
        void warnsWhereBackupsAreAskedForWithNowhereToGoAndSaysNothingWhenTheyAreOnlyOnByDefault() {
            Inputs asked = parse(cluster("nodes:\n  controlPlane: 1\nbackups: true\n"));
            assertThat(asked.warnings()).extracting(Problem::render).containsExactly("in.yaml:8:12: warning: backups: true, but no "
                    + "backupLocation says where the backups go: Velero is not installed until one does\n"
                    + "  hint: add spec.backupLocation {bucket, region, credentialsSecret}, or set backups: false");
            assertThat(parse(cluster("nodes:\n  controlPlane: 1\n")).warnings()).isEmpty();
            // A warm pool's cluster is written out whole from its template: its defaults are not what anyone asked for.
            assertThat(parse(cluster("nodes:\n  controlPlane: 1\nbackups: true\n")
                    .replace("  name: c1\n", "  name: c1\n  labels: {lattice.dev/warm-pool: train}\n")).warnings()).isEmpty();
            Inputs unused = parse(cluster("nodes:\n  controlPlane: 1\nbackups: false\n"
                    + "backupLocation: {bucket: b, region: r, credentialsSecret: s3}\n"));
            assertThat(unused.warnings()).extracting(Problem::render).singleElement().asString()
                    .startsWith("in.yaml:9:19: warning: backupLocation is not used while backups is false");
        }

        @Test
        void refusesABackupLocationThatCannotWork() {
            assertThat(problems(cluster("nodes:\n  controlPlane: 1\nbackupLocation:\n  bucket: b\n  region: r\n"
                    + "  credentialsSecret: s3\n  endpoint: http://minio:9000\n  schedule: daily\n  ttl: forever\n")))
                    .containsExactly(
                            "in.yaml:12:15: endpoint \"http://minio:9000\" is not an https URL\n  hint: the credentials are only sent over "
                                    + "verified TLS: give the store's https:// URL, as https://s3.example.com",
                            "in.yaml:13:15: \"daily\" is not a cron schedule\n  hint: five fields, minute hour day-of-month month "
                                    + "day-of-week, as \"0 3 * * *\" (daily at 03:00), or @daily",
                            "in.yaml:14:10: \"forever\" is not a duration\n  hint: write hours, minutes and seconds, as 90s, 30m, 2h or 1h30m");
            assertThat(problems(cluster("nodes:\n  controlPlane: 1\nbackupLocation: {bucket: b, region: r}\n")))
                    .singleElement().asString().contains("credentialsSecret");
        }

        @Test
        void refusesAFractionOfAGpuAndAGpuRequestBelowItsLimit() {
            String gpus = service("").replace("containers: {main: {image: x}}", "containers: {main: {image: x, resources: RESOURCES}}");
            assertThat(problems(gpus.replace("RESOURCES", "{requests: {nvidia.com/gpu: 500m}}")))
                    .singleElement().asString().contains("nvidia.com/gpu must be a whole number of GPUs, got 500m");
            assertThat(problems(gpus.replace("RESOURCES", "{requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 2}}")))
                    .singleElement().asString().contains("nvidia.com/gpu limit 2 is not its request 1");
            assertThat(parse(gpus.replace("RESOURCES", "{limits: {nvidia.com/gpu: 2}}")).services()).hasSize(1);
            assertThat(problems(gpus.replace("RESOURCES", "{requests: {nvidia.com/gpumem: 4000}}")))
                    .singleElement().asString().contains("nvidia.com/gpumem asks for a share of a GPU, but the container asks for no nvidia.com/gpu");
        }

        @Test
        void refusesAutoscalingKedaCannotDo() {
            String scaled = service("").replace("containers: {main: {image: x}}", "containers: {main: {image: x}}\n  autoscaling: AUTOSCALING");
            assertThat(problems(scaled.replace("AUTOSCALING", "{min: 5, max: 2, cpu: 70}")))
                    .contains("in.yaml:6:22: min 5 is more than max 2\n  hint: min must be at most max");
            assertThat(problems(scaled.replace("AUTOSCALING", "{min: 1, max: 2}"))).singleElement().asString()
                    .contains("autoscaling names nothing to scale on");
            assertThat(problems(scaled.replace("AUTOSCALING", "{min: 0, max: 2, cpu: 70}")))
                    .anySatisfy(p -> assertThat(p).contains("min 0 cannot be left on CPU alone"))
                    .anySatisfy(p -> assertThat(p).contains("scaling on CPU needs every container's CPU request, and main has none"));
            assertThat(problems(scaled.replace("AUTOSCALING", "{min: 0, max: 2, metric: {query: 'sum(up)', target: 0}}")))
                    .singleElement().asString().contains("target must be more than 0");
            Inputs fine = parse(scaled.replace("AUTOSCALING", "{min: 0, max: 2, metric: {query: 'sum(rate(http_requests_total[1m]))', target: 50}}")
                    .replace("spec:\n", "spec:\n  replicas: 3\n"));
            assertThat(fine.services().get(0).spec().autoscaling().metric().target().toString()).isEqualTo("50");
            assertThat(fine.warnings()).extracting(Problem::render).singleElement().asString()
                    .contains("replicas is left to the autoscaler, between min and max");
        }

        @Test
        void refusesEvenControlPlanes() {
            assertThat(problems(cluster("nodes:\n  controlPlane: {replicas: 4}\n")))
                    .containsExactly("in.yaml:7:30: control-plane replicas must be odd so etcd keeps quorum, got 4\n  hint: use 3 or 5");
        }

        @Test
        void refusesMinAboveMax() {
            assertThat(problems(cluster("nodes:\n  controlPlane: 1\n  workerPools:\n    w: {min: 5, max: 3}\n")))
                    .containsExactly("in.yaml:9:16: worker pool w: min 5 is greater than max 3\n  hint: min must be at most max");
        }

        @Test
        void refusesReplicasOutsideMinAndMax() {
            assertThat(problems(cluster("nodes:\n  controlPlane: 1\n  workerPools:\n    w: {replicas: 9, min: 1, max: 3}\n")))
                    .singleElement().asString().startsWith("in.yaml:9:21: worker pool w: replicas 9 is outside min 1 and max 3");
        }

        @Test
        void refusesHalfAnAutoscalingRange() {
            assertThat(problems(cluster("nodes:\n  controlPlane: 1\n  workerPools:\n    w: {replicas: 2, min: 1}\n")))
                    .singleElement().asString().startsWith("in.yaml:9:29: worker pool w sets min without max");
        }

        @Test
        void reportsEveryProblemOfARunAtOnceInFileOrder() {
            List<String> all = problems(cluster("""
                    kubernetes: {version: banana}
                    nodes:
                      controlPlane: {replicas: 2}
                      workerPools:
                        Bad_Name: {replicas: 1}
                    """));
            assertThat(all).hasSize(3);
            assertThat(all.get(0)).startsWith("in.yaml:6:25: invalid Kubernetes version \"banana\"");
            assertThat(all.get(1)).startsWith("in.yaml:8:30: control-plane replicas must be odd");
            assertThat(all.get(2)).startsWith("in.yaml:10:7: invalid worker pool name \"Bad_Name\"");
        }
    }

    @Nested
    @DisplayName("placement rules")
    class PlacementRules {
        String rule(String rule) {
            return service("requirements:\n  placement: \"" + rule + "\"\n");
        }

        @Test
        void suggestsTheFieldMeant() {
            assertThat(problems(rule("cluster.lables.tier == 'gold'"))).containsExactly(
                    "in.yaml:7:16: invalid placement rule: undefined field 'lables' (at column 8 of the rule)\n"
                            + "  hint: did you mean \"labels\"?");
        }

        @Test
        void reportsSyntaxErrors() {
            assertThat(problems(rule("cluster.labels.tier == "))).singleElement().asString()
                    .startsWith("in.yaml:7:16: invalid placement rule: syntax error: mismatched input '<EOF>'").endsWith("(at column 24 of the rule)");
        }

        @Test
        void refusesARuleThatIsNotTrueOrFalse() {
            assertThat(problems(rule("cluster.capacity.cores + 1"))).containsExactly(
                    "in.yaml:7:16: invalid placement rule: a placement rule must be true or false for a cluster, "
                            + "but this one is of type int\n  hint: compare it, e.g. cluster.labels.tier == 'critical'");
        }

        @Test
        void namesTheVariable() {
            assertThat(problems(rule("clustr.name == 'a'"))).singleElement().asString()
                    .contains("undeclared reference to 'clustr'")
                    .endsWith("hint: a placement rule sees the cluster as \"cluster\", e.g. cluster.labels.tier == 'critical'");
        }

        @Test
        void acceptsRulesOverEveryField() {
            parse(rule("cluster.name != '' && cluster.pool != 'x' && cluster.region in ['eu', 'us'] && cluster.zone == 'z' "
                    + "&& 'HIPAA' in cluster.compliance && cluster.capabilities.exists(c, c == 'gpu') "
                    + "&& cluster.capacity.memoryGib > 64 && has(cluster.labels.tier)"));
        }
    }

    @Nested
    @DisplayName("references between objects")
    class References {
        @Test
        void refusesAPoolThatIsNotInTheInputs() {
            assertThat(problems(cluster("pool: dc-chicago\nnodes: {controlPlane: 1}\n")))
                    .containsExactly("in.yaml:6:9: no pool named \"dc-chicago\" in the inputs\n"
                            + "  hint: add the file that defines the StaticPool or CloudPool \"dc-chicago\" with another -f");
            assertThat(problems(cluster("providerRef: dcc\nnodes: {controlPlane: 1}\n"), POOL))
                    .containsExactly("in.yaml:6:16: no pool named \"dcc\" in the inputs\n  hint: did you mean \"dc\"?");
        }

        @Test
        void refusesAMachineTypeThePoolDoesNotHave() {
            assertThat(problems(cluster("pool: dc\nnodes:\n  controlPlane: {replicas: 1, machineType: medium}\n"), POOL))
                    .containsExactly("in.yaml:8:46: pool dc has no machine type \"medium\"\n  hint: the pool has: small, large");
            assertThat(problems(cluster("pool: dc\nnodes:\n  controlPlane: 1\n  workerPools: {w: {replicas: 1, instanceType: lareg}}\n"), POOL))
                    .containsExactly("in.yaml:9:50: pool dc has no machine type \"lareg\"\n  hint: did you mean \"large\"?");
        }

        @Test
        void refusesPoolAndProviderRefThatDisagree() {
            assertThat(problems(cluster("pool: dc\nproviderRef: aws-prod\nnodes: {controlPlane: 1}\n"), POOL))
                    .containsExactly("in.yaml:7:16: providerRef \"aws-prod\" and pool \"dc\" name different pools\n"
                            + "  hint: a cluster draws on one pool: make them the same, or drop one");
        }

        @Test
        void refusesDuplicateNamesOfOneKind() {
            assertThat(problems(POOL, POOL)).containsExactly(
                    "in.yaml:15:9: duplicate pool name \"dc\"\n  hint: already defined as StaticPool at in.yaml:4:9");
        }

        @Test
        void allowsTheSameServiceNameInTwoNamespaces() {
            String svc = "apiVersion: lattice.dev/v1alpha1\nkind: LatticeService\nmetadata: {name: s, namespace: NS}\n"
                    + "spec: {containers: {main: {image: x}}}\n";
            assertThat(parse(svc.replace("NS", "a"), svc.replace("NS", "b")).services()).hasSize(2);
            assertThat(problems(svc.replace("NS", "a"), svc.replace("NS", "a"))).singleElement().asString()
                    .startsWith("in.yaml:8:18: duplicate LatticeService name \"s\"");
        }

        @Test
        void refusesAClusterWhoseProviderIsNotItsPools() {
            assertThat(problems(cluster("pool: dc\nprovider: {config: {aws: {region: us-east-1}}}\nnodes: {controlPlane: 1}\n"), POOL))
                    .singleElement().asString()
                    .startsWith("in.yaml:7:23: cluster c1 configures aws, but its pool dc is a openstack pool");
        }

        @Test
        void refusesARegionTheCloudPoolDoesNotEnable() {
            String pool = """
                    apiVersion: lattice.dev/v1alpha1
                    kind: CloudPool
                    metadata: {name: aws}
                    spec:
                      provider: aws
                      budget: {monthly: 1000}
                      regions: {us-east-1: {}, eu-west-1: {enabled: false}}
                    """;
            assertThat(problems(cluster("providerRef: aws\nprovider: {config: {aws: {region: eu-west-1}}}\nnodes: {controlPlane: 1}\n"), pool))
                    .containsExactly("in.yaml:7:37: region eu-west-1 is not an enabled region of pool aws\n"
                            + "  hint: the pool's enabled regions: us-east-1");
        }
    }

    @Test
    void refusesACloudInstanceTypeItCannotPrice() {
        String pool = """
                apiVersion: lattice.dev/v1alpha1
                kind: CloudPool
                metadata: {name: aws}
                spec:
                  provider: aws
                  budget: {monthly: 1000}
                  regions: {us-east-1: {}}
                  pricing: {m7i.large: 0.1008}
                """;
        String spec = "providerRef: aws\nprovider: {config: {aws: {region: us-east-1}}}\nnodes:\n  controlPlane: {replicas: 1, instanceType: TYPE}\n";
        assertThat(parse(pool, cluster(spec.replace("TYPE", "m5.xlarge"))).clusters()).hasSize(1);
        assertThat(parse(pool, cluster(spec.replace("TYPE", "m7i.large"))).clusters()).as("priced by the pool").hasSize(1);
        assertThat(problems(pool, cluster(spec.replace("TYPE", "x9.huge")))).containsExactly(
                "in.yaml:18:47: instance type x9.huge is neither in lattice's built-in price list nor in pool aws's pricing,"
                        + " so its cost cannot be accounted\n  hint: add it to the pool's spec.pricing (USD per hour)");
    }

    @Nested
    @DisplayName("shapes and defaults")
    class Shapes {
        @Test
        void normalisesTheSeed000ShortForm() {
            LatticeCluster c = parse(POOL, cluster("""
                    pool: dc
                    kubernetes: {version: "1.31", bootstrap: rke2}
                    controlPlane: {replicas: 3, machineType: small}
                    workers: {replicas: 10, machineType: large}
                    """)).clusters().get(0);
            assertThat(c.spec().provider().kubernetes().version()).isEqualTo("1.31");
            assertThat(c.spec().provider().kubernetes().bootstrap()).isEqualTo(LatticeCluster.Bootstrap.RKE2);
            assertThat(c.spec().nodes().controlPlane().replicas()).isEqualTo(3);
            assertThat(c.spec().nodes().controlPlane().instanceType()).isEqualTo(new InstanceType.Named("small"));
            assertThat(c.spec().nodes().workerPools()).containsOnlyKeys("default");
            assertThat(c.spec().nodes().workerPools().get("default").replicas()).isEqualTo(10);
        }

        @Test
        void normalisesTheSeed003ShortForm() {
            LatticeCluster c = parse(cluster("""
                    provider:
                      config:
                        proxmox: {template_id: 9000, cp_cores: 4, cp_memory_mib: 8192}
                    nodes: {controlPlane: 3, workers: 10}
                    """)).clusters().get(0);
            assertThat(c.spec().provider().config().proxmox().templateId()).isEqualTo(9000);
            assertThat(c.spec().nodes().controlPlane().replicas()).isEqualTo(3);
            assertThat(c.spec().nodes().controlPlane().instanceType()).isEqualTo(new InstanceType.Explicit(4, 8, null, 1, 0));
            assertThat(c.spec().nodes().workerPools().get("default").replicas()).isEqualTo(10);
        }

        @Test
        void pointsShortFormErrorsAtWhatTheUserWrote() {
            assertThat(problems(cluster("provider: {config: {proxmox: {template_id: 9000, cp_memory_mib: 1000}}}\nnodes: {controlPlane: 3}\n")))
                    .containsExactly("in.yaml:6:67: memory of 1000 MiB is not a whole number of GiB\n  hint: use a multiple of 1024, e.g. 1024");
            assertThat(problems(cluster("controlPlane: {replicas: 2}\n")))
                    .containsExactly("in.yaml:6:28: control-plane replicas must be odd so etcd keeps quorum, got 2\n  hint: use 1 or 3");
        }

        @Test
        void refusesAShortAndACanonicalFormOfTheSameThing() {
            assertThat(problems(cluster("controlPlane: {replicas: 1}\nnodes: {controlPlane: 1}\n")))
                    .containsExactly("in.yaml:6:3: spec.controlPlane and spec.nodes.controlPlane say the same thing\n  hint: keep one of them");
        }

        @Test
        void fillsDefaults() {
            LatticeService s = parse(service("")).services().get(0);
            assertThat(s.metadata().namespace()).isEqualTo("default");
            assertThat(s.spec().replicas()).isEqualTo(1);
            StaticPool p = parse(POOL).staticPools().get(0);
            assertThat(p.spec().sharing()).isEqualTo(Sharing.SHARED);
            LatticeCluster c = parse(cluster("nodes: {controlPlane: 1}\n")).clusters().get(0);
            assertThat(c.spec().services()).isTrue();
            assertThat(c.spec().gpu()).isFalse();
            assertThat(c.spec().provider().kubernetes().bootstrap()).isEqualTo(LatticeCluster.Bootstrap.KUBEADM);
        }

        @Test
        void acceptsAndIgnoresAStatusBlockAndServerMetadata() {
            String pasted = POOL.replace("metadata:\n  name: dc\n", """
                    metadata:
                      name: dc
                      uid: 0b5e2f7e-1111-2222-3333-444455556666
                      resourceVersion: "812"
                      creationTimestamp: "2026-01-01T00:00:00Z"
                      managedFields: [{manager: kubectl}]
                    """) + "status:\n  used: {cores: 800, memory: 3.2Ti}\n  whatever: [1, 2]\n";
            StaticPool p = parse(pasted).staticPools().get(0);
            assertThat(p.status()).isEqualTo(StaticPool.Status.EMPTY);
            assertThat(p.metadata().resourceVersion()).isEqualTo("812");
        }

        @Test
        void readsCloudPoolPricingAndBudget() {
            CloudPool pool = parse("""
                    apiVersion: lattice.dev/v1alpha1
                    kind: CloudPool
                    metadata: {name: aws}
                    spec:
                      provider: aws
                      budget: {monthly: 50000, hardLimit: true}
                      regions: {us-east-1: {compliance: [HIPAA]}}
                      pricing: {m5.xlarge: 0.192}
                      sharing: Dedicated
                    """).cloudPools().get(0);
            assertThat(pool.spec().budget().alertAt()).isEqualTo(80);
            assertThat(pool.spec().budget().hardLimit()).isTrue();
            assertThat(pool.spec().pricing().get("m5.xlarge")).isEqualByComparingTo("0.192");
            assertThat(pool.spec().regions().get("us-east-1").enabled()).isTrue();
        }

        @Test
        void acceptsBothSpellingsOfAllowedRequesters() {
            String ext = """
                    apiVersion: lattice.dev/v1alpha1
                    kind: LatticeExternalService
                    metadata: {name: stripe}
                    spec:
                      endpoints: {api: "https://api.stripe.com:443"}
                      KEY: [payments]
                    """;
            for (String key : List.of("allowed_requesters", "allowedRequesters")) {
                LatticeExternalService e = parse(ext.replace("KEY", key)).externalServices().get(0);
                assertThat(e.spec().allowedRequesters()).containsExactly("payments");
            }
            assertThat(problems(ext.replace("KEY", "allowed_requesters").replace("https://api.stripe.com:443", "api.stripe.com")))
                    .singleElement().asString().startsWith("in.yaml:5:20: endpoint api \"api.stripe.com\" is not a URL");
        }

        @Test
        void keepsQuantitiesExact() {
            StaticPool p = parse(POOL).staticPools().get(0);
            assertThat(p.spec().machineTypes().get(1).memory()).isEqualTo(Quantity.parse("64Gi"));
        }
    }

    @Nested
    @DisplayName("where input comes from")
    class Sources {
        @Test
        void readsDirectoriesRecursivelyInSortedOrder(@TempDir Path dir) throws Exception {
            Files.createDirectories(dir.resolve("b/nested"));
            Files.writeString(dir.resolve("b/nested/pool.yml"), POOL.replace("name: dc", "name: second"));
            Files.writeString(dir.resolve("a.yaml"), POOL);
            Files.writeString(dir.resolve("notes.txt"), "not yaml");
            Inputs inputs = Parser.read(List.of(dir.toString()), InputStreamOf(""));
            assertThat(inputs.objects()).extracting(o -> o.object().name()).containsExactly("dc", "second");
        }

        @Test
        void readsStdin() {
            Inputs inputs = Parser.read(List.of("-"), InputStreamOf(POOL));
            assertThat(inputs.objects()).singleElement().extracting(ParsedObject::file).isEqualTo("<stdin>");
        }

        @Test
        void reportsAMissingFile(@TempDir Path dir) {
            String missing = dir.resolve("nope.yaml").toString();
            assertThatThrownBy(() -> Parser.read(List.of(missing), InputStreamOf("")))
                    .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.problems())
                            .extracting(Problem::render).containsExactly(missing + ": no such file or directory"));
        }

        static ByteArrayInputStream InputStreamOf(String s) {
            return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Nested
    @DisplayName("warm pools and claims")
    class WarmPools {
        static String warmPool(String spec) {
            return """
                    apiVersion: lattice.dev/v1alpha1
                    kind: WarmPool
                    metadata: {name: lab}
                    spec:
                    """ + spec.indent(2);
        }

        @Test
        void readsAWarmPoolWithItsDefaults() {
            var pool = parse(POOL, warmPool("size: 3\npool: dc\ntemplate:\n  nodes: {controlPlane: {replicas: 1, instanceType: small}}"))
                    .warmPools().get(0);
            assertThat(pool.spec().ceiling()).isEqualTo(3);
            assertThat(pool.spec().reset().strategy()).isEqualTo(dev.lattice.core.model.WarmPool.ResetStrategy.CLEAN);
            assertThat(pool.spec().reset().timeout()).isEqualTo("10m");
            assertThat(pool.spec().claimLifetime().byDefault()).isEqualTo("2h");
            assertThat(pool.spec().maxConcurrent()).isEqualTo(2);
        }

        @Test
        void refusesWhatCannotWork() {
            String pool = warmPool("""
                    size: 3
                    maxSize: 2
                    pool: dc
                    template:
                      pool: elsewhere
                      nodes: {controlPlane: {replicas: 2, instanceType: huge}}
                      parentConfig: {host: 10.0.0.1}
                    reset: {strategy: Clean, timeout: 10s}
                    claimLifetime: {default: 8h, maximum: 2h}
                    """);
            assertThat(problems(POOL, pool)).containsExactly(
                    "in.yaml:17:12: maxSize 2 is less than size 3\n  hint: maxSize counts every cluster of the pool, the size kept ready"
                            + " among them: make it at least 3",
                    "in.yaml:20:11: the template draws on pool \"elsewhere\", the warm pool on \"dc\"\n"
                            + "  hint: leave the pool out of the template: the warm pool's is used",
                    "in.yaml:21:38: control-plane replicas must be odd so etcd keeps quorum, got 2\n  hint: use 1 or 3",
                    "in.yaml:21:55: pool dc has no machine type \"huge\"\n  hint: the pool has: small, large",
                    "in.yaml:22:19: a warm cluster cannot be a parent: it is reset or recreated after each claim, and its children with it\n"
                            + "  hint: leave parentConfig out of the template",
                    "in.yaml:23:37: a reset timeout of 10s cannot be met\n  hint: give a reset at least 1m, as 10m",
                    "in.yaml:24:28: the default claim lifetime 8h is longer than the maximum 2h\n  hint: make the default at most the maximum");
        }

        @Test
        void refusesAWarmPoolOnAPoolThatIsNotThereAndAClaimWithABadLifetime() {
            String pool = warmPool("size: 1\npool: dcc\ntemplate:\n  nodes: {controlPlane: {replicas: 1, instanceType: small}}");
            String claim = """
                    apiVersion: lattice.dev/v1alpha1
                    kind: ClusterClaim
                    metadata: {name: mine, namespace: lab}
                    spec: {pool: lab, lifetime: forever}
                    """;
            assertThat(problems(POOL, pool, claim)).containsExactly(
                    "in.yaml:17:9: no pool named \"dcc\" in the inputs\n  hint: did you mean \"dc\"?",
                    "in.yaml:24:29: \"forever\" is not a duration\n  hint: write hours, minutes and seconds, as 90s, 30m, 2h or 1h30m");
        }

        @Test
        void takesASnapshotResetOnlyOnAProxmoxPool() {
            String pool = warmPool("size: 1\npool: dc\ntemplate:\n  nodes: {controlPlane: {replicas: 1, instanceType: small}}\n"
                    + "reset: {strategy: Snapshot}");
            assertThat(problems(POOL, pool)).containsExactly("in.yaml:20:21: a Snapshot reset rolls Proxmox VMs back to their baseline "
                    + "snapshots, and pool dc provisions on openstack\n  hint: use Clean (remove what a session added, verified against "
                    + "the baseline) or Recreate, or draw on a proxmox pool");

            var inputs = parse(POOL.replace("provider: openstack", "provider: proxmox"), pool);
            assertThat(inputs.warmPools().get(0).spec().reset().strategy()).isEqualTo(dev.lattice.core.model.WarmPool.ResetStrategy.SNAPSHOT);
        }

        @Test
        void readsTheStatusOfAClaimAndAWarmPoolBackAndIgnoresOneItCannotRead() {
            String pool = warmPool("size: 1\npool: dc\ntemplate:\n  nodes: {controlPlane: {replicas: 1, instanceType: small}}")
                    + "status: {consecutiveFailures: 2, lastFailureTime: '2026-12-07T10:00:00Z'}\n";
            String claim = """
                    ---
                    apiVersion: lattice.dev/v1alpha1
                    kind: ClusterClaim
                    metadata: {name: mine, namespace: lab}
                    spec: {pool: lab}
                    status: {phase: Expired, cluster: lab-x2k9d}
                    ---
                    apiVersion: lattice.dev/v1alpha1
                    kind: ClusterClaim
                    metadata: {name: odd, namespace: lab}
                    spec: {pool: lab}
                    status: {phase: Gone, position: many}
                    """;
            var inputs = parse(POOL, pool + claim);
            assertThat(inputs.warmPools().get(0).status().consecutiveFailures()).isEqualTo(2);
            var claims = inputs.claims();
            assertThat(claims).hasSize(2);
            assertThat(claims.get(0).status().phase()).isEqualTo(dev.lattice.core.model.ClusterClaim.Phase.EXPIRED);
            assertThat(claims.get(0).status().cluster()).isEqualTo("lab-x2k9d");
            assertThat(claims.get(1).status()).isEqualTo(dev.lattice.core.model.ClusterClaim.Status.EMPTY);
        }
    }
}
