package dev.lattice.engine.warm;

import dev.lattice.core.LatticeException;
import dev.lattice.core.capi.CapiVersions;
import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.engine.kube.Applier;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A Snapshot reset's machinery on Proxmox: the VMs a warm cluster runs on, as Cluster API's Proxmox provider records
 * them on the parent (each ProxmoxMachine's {@code spec.virtualMachineID} and {@code status.proxmoxNode}), snapshotted
 * together when the cluster's baseline is recorded and rolled back together to reset it. Disks only: a rolled-back VM
 * boots from its baseline disks, as after a power cut, which etcd and the kubelet recover from; the reset then waits
 * until the cluster is healthy and holds its baseline, as a Clean one does.
 */
public final class ProxmoxSnapshots {
    /** The snapshot each VM of a warm cluster keeps. */
    public static final String BASELINE = "lattice-baseline";
    static final ResourceDefinitionContext MACHINES = new ResourceDefinitionContext.Builder()
            .withGroup("infrastructure.cluster.x-k8s.io").withVersion(CapiVersions.PROXMOX_API.substring(CapiVersions.PROXMOX_API.indexOf('/') + 1))
            .withKind("ProxmoxMachine").withPlural("proxmoxmachines").withNamespaced(true).build();

    private final KubernetesClient parent;
    private final ProxmoxApi api;

    public ProxmoxSnapshots(KubernetesClient parent, ProxmoxApi api) {
        this.parent = parent;
        this.api = api;
    }

    /**
     * The VMs of {@code cluster}, by the name of their ProxmoxMachine; refused while a machine has no VM yet, and when
     * there are none.
     */
    public Map<String, ProxmoxApi.Vm> vms(String cluster) {
        String namespace = ClusterRenderer.namespaceOf(cluster);
        List<GenericKubernetesResource> machines;
        try {
            machines = new ArrayList<>(parent.genericKubernetesResources(MACHINES).inNamespace(namespace)
                    .withLabel(CapiVersions.CLUSTER_NAME_LABEL, cluster).list().getItems());
        } catch (KubernetesClientException e) {
            throw new LatticeException("cannot list the ProxmoxMachines of " + cluster + " in " + namespace + ": " + Applier.reason(e), null, 1, e);
        }
        machines.sort(Comparator.comparing(m -> m.getMetadata().getName()));
        Map<String, ProxmoxApi.Vm> vms = new LinkedHashMap<>();
        for (GenericKubernetesResource m : machines) {
            String name = m.getMetadata().getName();
            Object id = m.get("spec", "virtualMachineID");
            Object node = m.get("status", "proxmoxNode");
            if (!(id instanceof Number n) || !(node instanceof String s) || s.isBlank()) {
                throw new LatticeException("ProxmoxMachine " + namespace + "/" + name + " has no VM yet (spec.virtualMachineID and "
                        + "status.proxmoxNode unset)", null);
            }
            vms.put(name, new ProxmoxApi.Vm(s, n.longValue()));
        }
        if (vms.isEmpty()) {
            throw new LatticeException("cluster " + cluster + " has no ProxmoxMachines in " + namespace + " to snapshot",
                    "a Snapshot reset needs a pool whose provider is proxmox");
        }
        return vms;
    }

    /** Takes the baseline snapshot of each of the cluster's VMs that has none yet, all at once; returns the VMs. */
    public Map<String, ProxmoxApi.Vm> take(String cluster) {
        Map<String, ProxmoxApi.Vm> vms = vms(cluster);
        together(vms, (machine, vm) -> api.snapshots(vm).contains(BASELINE) ? null
                : api.snapshot(vm, BASELINE, "baseline of warm cluster " + cluster + " (machine " + machine + "), taken by Lattice"), "snapshotting");
        return vms;
    }

    /**
     * Rolls each of the cluster's VMs back to its baseline snapshot and starts it, all at once; none is touched when one
     * has no baseline snapshot (a cluster half rolled back would be worse than one not rolled back).
     */
    public void rollBack(String cluster) {
        Map<String, ProxmoxApi.Vm> vms = vms(cluster);
        vms.forEach((machine, vm) -> {
            if (!api.snapshots(vm).contains(BASELINE)) {
                throw new LatticeException(vm + " (machine " + machine + ") has no snapshot " + BASELINE + " to roll back to", null);
            }
        });
        together(vms, (machine, vm) -> api.rollback(vm, BASELINE), "rolling back");
    }

    /** Starts a task per VM ({@code start} returns none when there is nothing to do), then waits for each. */
    private void together(Map<String, ProxmoxApi.Vm> vms, BiFunction<String, ProxmoxApi.Vm, String> start, String doing) {
        Map<String, String> tasks = new LinkedHashMap<>();
        vms.forEach((machine, vm) -> {
            String task = start.apply(machine, vm);
            if (task != null) {
                tasks.put(machine, task);
            }
        });
        tasks.forEach((machine, task) -> api.await(vms.get(machine).node(), task, doing + " " + vms.get(machine) + " (machine " + machine + ")"));
    }
}
