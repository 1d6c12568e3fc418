package dev.lattice.core.mesh;

import static dev.lattice.core.render.Tree.map;
import static dev.lattice.core.render.Tree.orNull;

import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.LatticeService.Container;
import dev.lattice.core.model.LatticeService.Resource;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.render.Tree;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** A service's workload: its ServiceAccount, Deployment, Service and, for a volume's owner, the claim. */
final class WorkloadRenderer {
    static final String NAME_LABEL = "app.kubernetes.io/name";
    static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    static final String MANAGER = "lattice";
    /** Ambient mode: every pod of a labelled namespace gets a mesh identity without a sidecar. */
    static final String DATAPLANE_LABEL = "istio.io/dataplane-mode";
    /** A container port's name must be an IANA service name; others are left unnamed (Services use numbers). */
    private static final Pattern IANA_SVC_NAME = Pattern.compile("(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");

    private WorkloadRenderer() {
    }

    static Map<String, String> labels(String service) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, service);
        labels.put(MANAGED_BY_LABEL, MANAGER);
        return labels;
    }

    static Map<String, Object> namespace(String name) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(DATAPLANE_LABEL, "ambient");
        labels.put(MANAGED_BY_LABEL, MANAGER);
        return Tree.object("v1", "Namespace", null, name, labels);
    }

    static Map<String, Object> serviceAccount(LatticeService s) {
        return Tree.object("v1", "ServiceAccount", s.metadata().namespace(), s.name(), labels(s.name()));
    }

    /**
     * @param volumeOwners the owner of each shared volume, by volume key; consumers (and an owner with several
     *                     replicas) are kept on the owner's node, where the claim is attached
     */
    static Map<String, Object> deployment(LatticeService s, Map<String, String> volumeOwners) {
        List<Map<String, Object>> volumes = new ArrayList<>();
        List<Map<String, Object>> mounts = new ArrayList<>();
        List<String> affinityTo = new ArrayList<>();
        s.spec().resources().forEach((name, r) -> {
            if (!r.isSharedVolume()) {
                return;
            }
            String volume = KubeNames.label(name);
            volumes.add(map("name", volume, "persistentVolumeClaim", map("claimName", claimName(r.id()))));
            mounts.add(map("name", volume, "mountPath", mountPath(r)));
            String owner = volumeOwners.get(s.volumeKey(r));
            if (owner != null && (!owner.equals(s.name()) || s.spec().replicas() > 1) && !affinityTo.contains(owner)) {
                affinityTo.add(owner);
            }
        });
        List<Map<String, Object>> containers = new ArrayList<>();
        s.spec().containers().forEach((name, c) -> containers.add(container(name, c, mounts)));
        List<Map<String, Object>> terms = affinityTo.stream().<Map<String, Object>>map(owner -> map(
                "labelSelector", map("matchLabels", Map.of(NAME_LABEL, owner)),
                "topologyKey", "kubernetes.io/hostname")).toList();
        Map<String, Object> podSpec = map(
                "serviceAccountName", s.name(),
                "containers", containers,
                "volumes", orNull(volumes),
                "affinity", terms.isEmpty() ? null : map("podAffinity", map("requiredDuringSchedulingIgnoredDuringExecution", terms)));
        Map<String, Object> deployment = Tree.object("apps/v1", "Deployment", s.metadata().namespace(), s.name(), labels(s.name()));
        deployment.put("spec", map(
                "replicas", s.spec().replicas(),
                "selector", map("matchLabels", Map.of(NAME_LABEL, s.name())),
                "template", map("metadata", map("labels", labels(s.name())), "spec", podSpec)));
        return deployment;
    }

    private static Map<String, Object> container(String name, Container c, List<Map<String, Object>> mounts) {
        List<Map<String, Object>> env = new ArrayList<>();
        c.env().forEach((k, v) -> env.add(map("name", k, "value", v)));
        List<Map<String, Object>> ports = new ArrayList<>();
        c.ports().forEach((portName, p) -> ports.add(map(
                "name", IANA_SVC_NAME.matcher(portName).matches() ? portName : null,
                "containerPort", p.port(),
                "protocol", p.protocol().wire())));
        Map<String, Object> resources = map(
                "requests", orNull(quantities(c.resources().requests())),
                "limits", orNull(quantities(c.resources().limits())));
        return map(
                "name", name,
                "image", c.image(),
                "command", orNull(c.command()),
                "args", orNull(c.args()),
                "env", orNull(env),
                "ports", orNull(ports),
                "resources", orNull(resources),
                "volumeMounts", orNull(mounts));
    }

    private static Map<String, String> quantities(Map<String, Quantity> in) {
        Map<String, String> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    /** The Service in front of the pods; none when the service exposes no ports. */
    static Map<String, Object> service(LatticeService s) {
        if (s.spec().service() == null || s.spec().service().ports().isEmpty()) {
            return null;
        }
        List<Map<String, Object>> ports = new ArrayList<>();
        s.spec().service().ports().forEach((name, p) -> ports.add(map(
                "name", name,
                "port", p.port(),
                "targetPort", p.targetPort() != null ? p.targetPort() : p.port(),
                "protocol", p.protocol().wire())));
        Map<String, Object> service = Tree.object("v1", "Service", s.metadata().namespace(), KubeNames.label(s.name()), labels(s.name()));
        service.put("spec", map("selector", Map.of(NAME_LABEL, s.name()), "ports", ports));
        return service;
    }

    /** The claim a volume's owner declares; its consumers mount the same claim. */
    static Map<String, Object> claim(LatticeService owner, Resource volume) {
        Map<String, Object> claim = Tree.object("v1", "PersistentVolumeClaim", owner.metadata().namespace(), claimName(volume.id()),
                labels(owner.name()));
        claim.put("spec", map(
                "accessModes", List.of("ReadWriteOnce"),
                "storageClassName", volume.params().storageClass(),
                "resources", map("requests", map("storage", volume.params().size().toString()))));
        return claim;
    }

    static String claimName(String volumeId) {
        return KubeNames.label(volumeId);
    }

    private static String mountPath(Resource r) {
        return r.params() != null && r.params().mountPath() != null ? r.params().mountPath() : "/data/" + r.id();
    }
}
