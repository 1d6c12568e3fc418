package dev.lattice.core.capi;

import dev.lattice.core.model.LatticeCluster.Bootstrap;
import dev.lattice.core.model.Provider;
import dev.lattice.core.model.Wire;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place the Cluster API providers Lattice installs are pinned: the releases whose CRDs the rendered
 * objects are checked against, and the API version of each kind the renderer writes.
 */
public final class CapiVersions {
    private CapiVersions() {
    }

    /** On a provider's objects and CRDs, as clusterctl labels them: which provider they belong to. */
    public static final String PROVIDER_LABEL = "cluster.x-k8s.io/provider";
    /** On every object of one cluster: the cluster's name. */
    public static final String CLUSTER_NAME_LABEL = "cluster.x-k8s.io/cluster-name";

    public static final String CLUSTER_API = "cluster.x-k8s.io/v1beta1";
    public static final String KUBEADM_BOOTSTRAP_API = "bootstrap.cluster.x-k8s.io/v1beta1";
    public static final String KUBEADM_CONTROL_PLANE_API = "controlplane.cluster.x-k8s.io/v1beta1";
    public static final String RKE2_BOOTSTRAP_API = "bootstrap.cluster.x-k8s.io/v1beta1";
    public static final String RKE2_CONTROL_PLANE_API = "controlplane.cluster.x-k8s.io/v1beta1";
    public static final String DOCKER_API = "infrastructure.cluster.x-k8s.io/v1beta1";
    /** CAPA serves only v1beta2 of its kinds. */
    public static final String AWS_API = "infrastructure.cluster.x-k8s.io/v1beta2";
    public static final String OPENSTACK_API = "infrastructure.cluster.x-k8s.io/v1beta1";
    public static final String PROXMOX_API = "infrastructure.cluster.x-k8s.io/v1alpha1";

    /** What kind of provider a component is, as clusterctl names them; cert-manager, which they all need, besides. */
    public enum Type implements Wire {
        CORE("core"), BOOTSTRAP("bootstrap"), CONTROL_PLANE("controlPlane"), INFRASTRUCTURE("infrastructure"),
        CERT_MANAGER("certManager");

        private final String wire;

        Type(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    /**
     * A component to install, at a pinned release: its release-asset file and the repository that publishes it.
     *
     * @param name       the clusterctl provider name ({@code cluster-api}, {@code kubeadm}, {@code docker}, ...)
     * @param repository GitHub {@code owner/name} whose releases hold the file
     * @param file       the components file of the release
     */
    public record Component(String name, Type type, String repository, String version, String file) {
        /** Where the release publishes the file. */
        public String url() {
            return "https://github.com/" + repository + "/releases/download/" + version + "/" + file;
        }

        /**
         * The {@code cluster.x-k8s.io/provider} label clusterctl puts on a provider's objects ({@code cluster-api},
         * {@code bootstrap-kubeadm}, {@code infrastructure-docker}, ...); null for cert-manager, which is no provider.
         */
        public String providerLabel() {
            return switch (type) {
                case CORE -> name;
                case BOOTSTRAP -> "bootstrap-" + name;
                case CONTROL_PLANE -> "control-plane-" + name;
                case INFRASTRUCTURE -> "infrastructure-" + name;
                case CERT_MANAGER -> null;
            };
        }

        /** The file's place in a components directory or the cache: {@code NAME/VERSION/FILE}. */
        public String cachePath() {
            return name + "/" + version + "/" + file;
        }
    }

    public static final Component CERT_MANAGER =
            new Component("cert-manager", Type.CERT_MANAGER, "cert-manager/cert-manager", "v1.17.2", "cert-manager.yaml");
    public static final Component CORE =
            new Component("cluster-api", Type.CORE, "kubernetes-sigs/cluster-api", "v1.14.0", "core-components.yaml");
    public static final Component KUBEADM_BOOTSTRAP =
            new Component("kubeadm", Type.BOOTSTRAP, "kubernetes-sigs/cluster-api", "v1.14.0", "bootstrap-components.yaml");
    public static final Component KUBEADM_CONTROL_PLANE =
            new Component("kubeadm", Type.CONTROL_PLANE, "kubernetes-sigs/cluster-api", "v1.14.0", "control-plane-components.yaml");
    public static final Component RKE2_BOOTSTRAP =
            new Component("rke2", Type.BOOTSTRAP, "rancher/cluster-api-provider-rke2", "v0.25.0", "bootstrap-components.yaml");
    public static final Component RKE2_CONTROL_PLANE =
            new Component("rke2", Type.CONTROL_PLANE, "rancher/cluster-api-provider-rke2", "v0.25.0", "control-plane-components.yaml");
    public static final Component DOCKER =
            new Component("docker", Type.INFRASTRUCTURE, "kubernetes-sigs/cluster-api", "v1.14.0", "infrastructure-components-development.yaml");
    public static final Component AWS =
            new Component("aws", Type.INFRASTRUCTURE, "kubernetes-sigs/cluster-api-provider-aws", "v2.11.1", "infrastructure-components.yaml");
    public static final Component OPENSTACK =
            new Component("openstack", Type.INFRASTRUCTURE, "kubernetes-sigs/cluster-api-provider-openstack", "v0.14.7", "infrastructure-components.yaml");
    public static final Component PROXMOX =
            new Component("proxmox", Type.INFRASTRUCTURE, "ionos-cloud/cluster-api-provider-proxmox", "v0.9.0", "infrastructure-components.yaml");

    /** Everything a cluster with this provider and bootstrap needs, in the order to install it. */
    public static List<Component> componentsFor(Provider provider, Bootstrap bootstrap) {
        List<Component> out = new ArrayList<>(List.of(CERT_MANAGER, CORE));
        if (bootstrap == Bootstrap.RKE2) {
            out.add(RKE2_BOOTSTRAP);
            out.add(RKE2_CONTROL_PLANE);
        } else {
            out.add(KUBEADM_BOOTSTRAP);
            out.add(KUBEADM_CONTROL_PLANE);
        }
        out.add(switch (provider) {
            case DOCKER -> DOCKER;
            case AWS -> AWS;
            case OPENSTACK -> OPENSTACK;
            case PROXMOX -> PROXMOX;
        });
        return out;
    }
}
