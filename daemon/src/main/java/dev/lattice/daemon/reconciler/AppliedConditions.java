package dev.lattice.daemon.reconciler;

import dev.lattice.core.status.ObjectStatus;
import dev.lattice.engine.kube.Coordinates;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pass of {@link ObjectSync} means for each service on a cluster (this one, or a child by its agent's report),
 * as conditions in its status: one per
 * group of its objects ({@code WorkloadApplied}: its Deployment, Service, ServiceAccount, claims and ScaledObject;
 * {@code PoliciesApplied}: its network and mesh policies, with the namespace's default-deny baseline), and
 * {@code Ready} only when both are in place. An object the compiler made for the whole namespace (its baseline) counts
 * for every service there.
 */
final class AppliedConditions {
    static final String WORKLOAD = "WorkloadApplied";
    static final String POLICIES = "PoliciesApplied";
    static final String READY = "Ready";
    private static final int LISTED = 3;

    /** One group's objects of one service: how many there are, and those not in place with why. */
    private static final class Group {
        int objects;
        final List<String> waiting = new ArrayList<>();
        final List<String> failed = new ArrayList<>();
    }

    /** {@code policies}: Cilium's and Istio's kinds; the rest (KEDA's ScaledObject among it) is the workload. */
    private record Key(String namespace, String service, boolean policies) {
    }

    private final Map<Key, Group> groups = new HashMap<>();
    private final Map<String, List<Key>> namespaceWide = new HashMap<>();

    /** Whether objects of {@code apiVersion} are network or mesh policy. */
    static boolean isPolicy(String apiVersion) {
        String group = apiVersion.indexOf('/') < 0 ? "" : apiVersion.substring(0, apiVersion.indexOf('/'));
        return group.equals("cilium.io") || group.endsWith(".istio.io");
    }

    /** For objects as sent (to a child). */
    static AppliedConditions of(List<? extends HasMetadata> objects, ObjectSync.Outcome outcome) {
        return new AppliedConditions(objects.stream().map(ObjectSync.Tracked::of).toList(), outcome);
    }

    AppliedConditions(List<ObjectSync.Tracked> objects, ObjectSync.Outcome outcome) {
        for (ObjectSync.Tracked o : objects) {
            Coordinates ref = o.ref();
            if ("Namespace".equals(ref.kind())) {
                continue;
            }
            String service = o.service();
            Key key = new Key(ref.namespace(), service, isPolicy(ref.apiVersion()));
            Group group = groups.get(key);
            if (group == null) {
                group = new Group();
                groups.put(key, group);
                if (service == null) {
                    namespaceWide.computeIfAbsent(ref.namespace(), n -> new ArrayList<>()).add(key);
                }
            }
            group.objects++;
            String waits = outcome.waiting().get(ref);
            String failed = outcome.failed().get(ref);
            if (waits != null) {
                group.waiting.add(ref + " " + waits);
            } else if (failed != null) {
                group.failed.add(ref + ": " + failed);
            }
        }
    }

    /** Sets the service's conditions in {@code status}. */
    void write(String namespace, String service, ObjectStatus status, Long generation, Instant now) {
        boolean workload = write(status, WORKLOAD, "workload objects", merged(namespace, service, false), generation, now);
        boolean policies = write(status, POLICIES, "policies", merged(namespace, service, true), generation, now);
        status.condition(READY, workload && policies, workload && policies ? "Applied" : "NotApplied",
                workload && policies ? "its workload and policies are applied"
                        : "not all its objects are applied: see " + (workload ? POLICIES : WORKLOAD), generation, now);
    }

    /**
     * Everything {@link #write} takes from this pass for one service: equal signatures write equal conditions onto
     * the same status, so a service whose signature, placement and object are as last recorded need not be looked at.
     */
    Object signature(String namespace, String service) {
        Group workload = merged(namespace, service, false);
        Group policies = merged(namespace, service, true);
        return List.of(workload.objects, workload.waiting, workload.failed, policies.objects, policies.waiting, policies.failed);
    }

    /**
     * A placed service whose objects no one has reported applied: {@code Ready} is Unknown with why, and the group
     * conditions, which would only be guesses, go.
     */
    static void unknown(ObjectStatus status, String reason, String message, Long generation, Instant now) {
        List<String> groups = List.of(WORKLOAD, POLICIES);
        if (status.conditions().stream().anyMatch(c -> groups.contains(c.type()))) {
            status.conditions(status.conditions().stream().filter(c -> !groups.contains(c.type())).toList());
        }
        status.unknown(READY, reason, message, generation, now);
    }

    /** Takes the conditions away from a service that is not placed. */
    static void clear(ObjectStatus status) {
        List<String> ours = List.of(WORKLOAD, POLICIES, READY);
        if (status.conditions().stream().anyMatch(c -> ours.contains(c.type()))) {
            status.conditions(status.conditions().stream().filter(c -> !ours.contains(c.type())).toList());
        }
    }

    /** The service's group with its namespace's: looked up for every service of a fleet on each pass. */
    private Group merged(String namespace, String service, boolean policies) {
        Group merged = new Group();
        add(merged, groups.get(new Key(namespace, service, policies)));
        for (Key key : namespaceWide.getOrDefault(namespace, List.of())) {
            if (key.policies() == policies) {
                add(merged, groups.get(key));
            }
        }
        return merged;
    }

    private static void add(Group merged, Group g) {
        if (g != null) {
            merged.objects += g.objects;
            merged.waiting.addAll(g.waiting);
            merged.failed.addAll(g.failed);
        }
    }

    private static boolean write(ObjectStatus status, String type, String what, Group group, Long generation, Instant now) {
        if (!group.failed.isEmpty()) {
            status.condition(type, false, "ApplyFailed", group.failed.size() + " of " + group.objects + " " + what + " refused: "
                    + listed(group.failed) + (group.waiting.isEmpty() ? "" : "; " + group.waiting.size() + " waiting"), generation, now);
            return false;
        }
        if (!group.waiting.isEmpty()) {
            status.condition(type, false, "WaitingForKind", group.waiting.size() + " of " + group.objects + " " + what + " waiting: "
                    + listed(group.waiting), generation, now);
            return false;
        }
        status.condition(type, true, "Applied", group.objects + " " + what + " applied", generation, now);
        return true;
    }

    private static String listed(List<String> items) {
        String shown = String.join("; ", items.subList(0, Math.min(LISTED, items.size())));
        return items.size() > LISTED ? shown + " and " + (items.size() - LISTED) + " more" : shown;
    }
}
