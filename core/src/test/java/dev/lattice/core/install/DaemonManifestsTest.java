package dev.lattice.core.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.core.addons.ClusterAddons;
import dev.lattice.core.io.Documents;
import dev.lattice.core.model.Kind;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.render.Manifests;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DaemonManifestsTest {
    private final List<Map<String, Object>> objects = Manifests.trees(DaemonManifests.render("prod", "registry.example/lattice-daemon:1.2.3"));

    @Test
    void theCrdsComeFirstThenTheNamespaceThenWhatRunsInIt() {
        List<String> kinds = objects.stream().map(o -> (String) o.get("kind")).toList();
        assertThat(kinds.subList(0, Kind.values().length)).containsOnly("CustomResourceDefinition");
        assertThat(kinds.subList(Kind.values().length, kinds.size()))
                .containsExactly("Namespace", "Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBinding",
                        "ClusterRole", "RoleBinding", "RoleBinding", "Role", "RoleBinding", "Deployment", "PodDisruptionBudget");
    }

    @Test
    void theDeploymentRunsTheImageForItsOwnClusterWithProbes() {
        Deployment d = Serialization.unmarshal(Documents.yaml(objects.stream().filter(o -> "Deployment".equals(o.get("kind")))
                .findFirst().orElseThrow()), Deployment.class);
        var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("registry.example/lattice-daemon:1.2.3");
        // The daemon installs its own image into the children it provisions.
        assertThat(container.getArgs()).containsExactly("--cluster-name", "prod", "--daemon-image", "registry.example/lattice-daemon:1.2.3");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        var security = container.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        // With the root read-only, what it writes (the chart cache, the Helm library it unpacks) goes to volumes.
        assertThat(container.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactlyInAnyOrder("/tmp", DaemonManifests.CACHE_DIR);
        assertThat(container.getEnv()).anyMatch(e -> "XDG_CACHE_HOME".equals(e.getName()) && DaemonManifests.CACHE_DIR.equals(e.getValue()));
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).allMatch(v -> v.getEmptyDir() != null && v.getEmptyDir().getSizeLimit() != null);
        // The image sizes its heap from the limit; the request is what a leader was measured to use.
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(container.getResources().getRequests()).containsKeys("memory", "cpu");
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(DaemonManifests.NAME);
        // The monitoring add-on's scrape of the daemon finds these pods and their metrics port.
        assertThat(d.getMetadata().getNamespace()).isEqualTo(ClusterAddons.DAEMON_NAMESPACE);
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(ClusterAddons.DAEMON_PODS);
        assertThat(container.getPorts()).anyMatch(p -> ClusterAddons.DAEMON_METRICS_PORT.equals(p.getName()) && p.getContainerPort() == 8080);
    }

    @Test
    void aDrainTakesOneReplicaAtATime() {
        Map<String, Object> pdb = objects.stream().filter(o -> "PodDisruptionBudget".equals(o.get("kind"))).findFirst().orElseThrow();
        assertThat(Documents.yaml(pdb)).contains("maxUnavailable: 1").contains("app.kubernetes.io/name: " + DaemonManifests.NAME);
    }

    @Test
    void theClusterRoleNamesItsKindsAndNeverGrantsEverything() {
        ClusterRole role = Serialization.unmarshal(Documents.yaml(objects.stream()
                .filter(o -> "ClusterRole".equals(o.get("kind"))).findFirst().orElseThrow()), ClusterRole.class);
        assertThat(role.getRules()).noneMatch(r -> r.getApiGroups().contains("*"));
        assertThat(role.getRules()).anyMatch(r -> r.getApiGroups().equals(List.of(Kind.GROUP))
                && r.getResources().contains("latticeclusters/status") && r.getVerbs().contains("patch"));
        assertThat(role.getRules()).noneMatch(r -> r.getResources().contains("secrets") && r.getApiGroups().equals(List.of("rbac.authorization.k8s.io")));
        assertThat(role.getRules()).noneMatch(r -> r.getVerbs().contains("*"));
    }

    @Test
    void secretsOnlyInTheNamespacesLatticeOwns() {
        List<ClusterRole> roles = objects.stream().filter(o -> "ClusterRole".equals(o.get("kind")))
                .map(o -> Serialization.unmarshal(Documents.yaml(o), ClusterRole.class)).toList();
        ClusterRole daemon = roles.stream().filter(r -> r.getMetadata().getName().equals(DaemonManifests.NAME)).findFirst().orElseThrow();
        // The ClusterRole bound cluster-wide has no Secrets, and may bind only the Secrets role.
        assertThat(daemon.getRules()).noneMatch(r -> r.getResources().contains("secrets") || r.getResources().contains("*")
                && r.getApiGroups().contains(""));
        // It may bind the Secrets role and write and bind the add-ons' own roles, each by name, and no other.
        List<String> addonRoles = ClusterAddons.ALL.stream().flatMap(a -> a.roles().stream()).sorted().toList();
        assertThat(daemon.getRules()).filteredOn(r -> r.getVerbs().contains("bind") || r.getVerbs().contains("escalate"))
                .hasSize(2).allSatisfy(r -> assertThat(r.getResourceNames()).isNotEmpty())
                .flatExtracting(PolicyRule::getResourceNames).containsExactlyInAnyOrderElementsOf(
                        Stream.concat(Stream.of(DaemonManifests.SECRETS_ROLE), addonRoles.stream()).toList());
        assertThat(daemon.getRules()).filteredOn(r -> r.getVerbs().contains("escalate"))
                .allSatisfy(r -> assertThat(r.getResourceNames()).doesNotContain(DaemonManifests.SECRETS_ROLE, DaemonManifests.NAME));
        // The Secrets role is bound in lattice-system and in the cluster's own Cluster API namespace, nowhere else.
        assertThat(objects).filteredOn(o -> "RoleBinding".equals(o.get("kind"))
                        && DaemonManifests.SECRETS_ROLE.equals(((Map<?, ?>) o.get("roleRef")).get("name")))
                .extracting(o -> (String) ((Map<?, ?>) o.get("metadata")).get("namespace"))
                .containsExactly("lattice-system", "capi-prod");
        assertThat(objects).noneMatch(o -> "ClusterRoleBinding".equals(o.get("kind"))
                && DaemonManifests.SECRETS_ROLE.equals(((Map<?, ?>) o.get("roleRef")).get("name")));
    }

    @Test
    void renderingIsDeterministic() {
        assertThat(Documents.yamlStream(DaemonManifests.render("prod", "i"))).isEqualTo(Documents.yamlStream(DaemonManifests.render("prod", "i")));
    }

    @Test
    void aParentsServiceReachesTheLeaderOnlyOnThePortsItServes() {
        LatticeCluster.EndpointsSpec nodePort = new LatticeCluster.EndpointsSpec("10.0.0.5", null, null, null,
                new LatticeCluster.EndpointService(LatticeCluster.ServiceType.NODE_PORT));
        io.fabric8.kubernetes.api.model.Service service = DaemonManifests.parentService(nodePort, 50051, 8443, 8081);
        assertThat(service.getMetadata().getNamespace()).isEqualTo(DaemonManifests.NAMESPACE);
        assertThat(service.getSpec().getType()).isEqualTo("NodePort");
        assertThat(service.getSpec().getSelector()).containsEntry(DaemonManifests.LEADER_LABEL, "true")
                .containsEntry("app.kubernetes.io/name", DaemonManifests.NAME);
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + ">" + p.getTargetPort().getIntVal())
                .containsExactly("agent:50051>50051", "bootstrap:8443>8443", "proxy:8081>8081");
        // The leader may label its own pod for it.
        assertThat(objects).filteredOn(o -> "Role".equals(o.get("kind"))).singleElement()
                .satisfies(r -> assertThat(Documents.yaml(r)).contains("pods", "patch"));
    }
}
