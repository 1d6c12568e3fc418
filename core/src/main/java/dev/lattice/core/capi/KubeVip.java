package dev.lattice.core.capi;

import dev.lattice.core.io.Documents;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The control plane's address where no cloud load balancer fronts it (Proxmox): kube-vip as a static pod on every
 * control-plane machine. One of them at a time holds the virtual IP and answers ARP for it, chosen by a Lease in the
 * cluster's own API, so the address moves when that machine goes. The kubelet starts it from a file the bootstrap
 * provider writes, before the API server is up: the first machine can then reach its own API through the address.
 */
final class KubeVip {
    /** The release pinned here. */
    static final String IMAGE = "ghcr.io/kube-vip/kube-vip:v1.0.4";
    /** Where kubeadm's kubelet looks for static pods. */
    static final String KUBEADM_MANIFEST = "/etc/kubernetes/manifests/kube-vip.yaml";
    /** Where RKE2's kubelet looks for static pods. */
    static final String RKE2_MANIFEST = "/var/lib/rancher/rke2/agent/pod-manifests/kube-vip.yaml";
    static final String KUBEADM_KUBECONFIG = "/etc/kubernetes/admin.conf";
    /**
     * From Kubernetes 1.29 kubeadm's admin.conf is authorised through a binding that kubeadm creates only once the API
     * answers, which on the first machine is through this very address; until then only super-admin.conf works.
     */
    static final String KUBEADM_SUPER_ADMIN = "/etc/kubernetes/super-admin.conf";
    static final String RKE2_KUBECONFIG = "/etc/rancher/rke2/rke2.yaml";

    private KubeVip() {
    }

    /** The static pod's manifest for the virtual IP {@code address} in front of the API server's {@code port}. */
    static String manifest(String address, int port, String kubeconfig) {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("address", address, null));
        env.add(new EnvVar("port", String.valueOf(port), null));
        // The control plane's address only; Services of type LoadBalancer are not kube-vip's here.
        env.add(new EnvVar("cp_enable", "true", null));
        env.add(new EnvVar("vip_arp", "true", null));
        env.add(new EnvVar("vip_leaderelection", "true", null));
        env.add(new EnvVar("vip_leaseduration", "15", null));
        env.add(new EnvVar("vip_renewdeadline", "10", null));
        env.add(new EnvVar("vip_retryperiod", "2", null));
        Pod pod = new PodBuilder()
                .withNewMetadata().withName("kube-vip").withNamespace("kube-system").endMetadata()
                .withNewSpec()
                .withHostNetwork(true)
                // Its kubeconfig names the API by the cluster's endpoint; on the node that is this machine itself.
                .addNewHostAlias().withIp("127.0.0.1").withHostnames("kubernetes").endHostAlias()
                .addNewContainer()
                .withName("kube-vip").withImage(IMAGE).withImagePullPolicy("IfNotPresent").withArgs("manager").withEnv(env)
                .withNewSecurityContext().withNewCapabilities().withAdd("NET_ADMIN", "NET_RAW").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("kubeconfig").withMountPath("/etc/kubernetes/admin.conf").withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("kubeconfig").withNewHostPath().withPath(kubeconfig).withType("FileOrCreate").endHostPath().endVolume()
                .endSpec()
                .build();
        return Documents.yaml(pod);
    }

    /** The file that puts the static pod on a control-plane machine. */
    static Capi.File file(String path, String address, int port, String kubeconfig) {
        return new Capi.File(path, "root:root", "0644", manifest(address, port, kubeconfig), null);
    }

    /**
     * kubeadm from 1.29: the commands before kubeadm that point kube-vip at super-admin.conf on the machine that
     * initialises the cluster (Cluster API writes {@code /run/kubeadm/kubeadm.yaml} only there), and those after it
     * that point it back at admin.conf, which works from then on.
     */
    static List<String> kubeadmBefore() {
        return List.of("if [ -f /run/kubeadm/kubeadm.yaml ]; then sed -i 's#path: " + KUBEADM_KUBECONFIG + "#path: " + KUBEADM_SUPER_ADMIN
                + "#' " + KUBEADM_MANIFEST + "; fi");
    }

    static List<String> kubeadmAfter() {
        return List.of("sed -i 's#path: " + KUBEADM_SUPER_ADMIN + "#path: " + KUBEADM_KUBECONFIG + "#' " + KUBEADM_MANIFEST);
    }

    /** Whether kubeadm of {@code version} ({@code v1.31.0}) needs the super-admin switch. */
    static boolean needsSuperAdmin(String version) {
        String[] parts = version.replaceFirst("^v", "").split("[.+-]");
        int major = Integer.parseInt(parts[0]);
        int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return major > 1 || major == 1 && minor >= 29;
    }
}
