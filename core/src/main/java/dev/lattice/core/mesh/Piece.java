package dev.lattice.core.mesh;

import dev.lattice.core.graph.ServiceGraph.ServiceId;
import dev.lattice.core.mesh.PolicyRenderer.Peer;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.LatticeService.Resource;
import dev.lattice.core.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A part of one cluster's compiled objects together with everything it is rendered from, and nothing else: two equal
 * pieces render the same objects. A daemon that has applied a piece need neither render nor apply an equal one again,
 * so a change to one service in a fleet of thousands renders and applies only the pieces it touches.
 */
public sealed interface Piece {
    /** The piece's objects, made afresh on each call. */
    List<HasMetadata> render();

    /** A Namespace (applied before anything in it) and its default-deny baseline. */
    record Namespace(String namespace, boolean mesh) implements Piece {
        @Override
        public List<HasMetadata> render() {
            List<HasMetadata> objects = new ArrayList<>();
            objects.add(WorkloadRenderer.namespace(namespace, mesh));
            objects.addAll(PolicyRenderer.baseline(namespace, mesh));
            return objects;
        }
    }

    /**
     * A service's ServiceAccount, claims, Deployment, Service and, when it is autoscaled, KEDA's ScaledObject.
     *
     * @param volumeOwners the owners of the shared volumes it uses, by volume key
     */
    record Workload(LatticeService service, Map<String, String> volumeOwners) implements Piece {
        public Workload {
            service = bare(service);
            volumeOwners = Map.copyOf(volumeOwners);
        }

        @Override
        public List<HasMetadata> render() {
            List<HasMetadata> objects = new ArrayList<>();
            objects.add(WorkloadRenderer.serviceAccount(service));
            service.spec().resources().values().stream().filter(Resource::ownsVolume)
                    .forEach(r -> objects.add(WorkloadRenderer.claim(service, r)));
            objects.add(WorkloadRenderer.deployment(service, volumeOwners));
            HasMetadata front = WorkloadRenderer.service(service);
            if (front != null) {
                objects.add(front);
            }
            HasMetadata scaler = WorkloadRenderer.scaledObject(service);
            if (scaler != null) {
                objects.add(scaler);
            }
            return objects;
        }
    }

    /** Cilium's ingress rule for a service's agreed callers and, where the cluster runs Istio, Istio's allow rule. */
    record Ingress(LatticeService callee, List<Peer> callers, List<ServiceId> meshCallers, String trustDomain) implements Piece {
        public Ingress {
            callee = bare(callee);
            callers = List.copyOf(callers);
            meshCallers = meshCallers == null ? null : List.copyOf(meshCallers);
        }

        @Override
        public List<HasMetadata> render() {
            List<HasMetadata> objects = new ArrayList<>();
            objects.add(PolicyRenderer.ciliumIngress(callee, callers));
            if (meshCallers != null) {
                objects.add(PolicyRenderer.istioAllow(callee, meshCallers, trustDomain));
            }
            return objects;
        }
    }

    /**
     * The monitoring add-on's agent scrapes a service that serves metrics (a container port named {@code metrics}): its
     * VMPodScrape, and the policies that let the agent reach that port.
     */
    record Metrics(LatticeService service, PolicyRenderer.Port port, boolean mesh) implements Piece {
        public Metrics {
            service = bare(service);
        }

        @Override
        public List<HasMetadata> render() {
            List<HasMetadata> objects = new ArrayList<>();
            objects.add(WorkloadRenderer.podScrape(service));
            objects.addAll(PolicyRenderer.metricsIngress(service, port, mesh));
            return objects;
        }
    }

    /** Cilium's egress rule for a service: to its agreed callees (with the services they are) and external endpoints. */
    record Egress(LatticeService caller, List<Peer> callees, Map<ServiceId, LatticeService> calleeServices,
                  List<ExternalEndpoint> endpoints) implements Piece {
        public Egress {
            caller = bare(caller);
            callees = List.copyOf(callees);
            Map<ServiceId, LatticeService> bare = new java.util.HashMap<>();
            calleeServices.forEach((id, s) -> bare.put(id, bare(s)));
            calleeServices = Map.copyOf(bare);
            endpoints = List.copyOf(endpoints);
        }

        @Override
        public List<HasMetadata> render() {
            return List.of(PolicyRenderer.ciliumEgress(caller, callees, calleeServices, endpoints));
        }
    }

    /** The network policy of the daemon's own pods (see {@link PolicyRenderer#daemon}). */
    record Daemon(String namespace, LatticeCluster.EndpointsSpec parent) implements Piece {
        @Override
        public List<HasMetadata> render() {
            return List.of(PolicyRenderer.daemon(namespace, parent));
        }
    }

    /** Istio's ServiceEntries for an external service's endpoints. */
    record ServiceEntries(ServiceId external, List<ExternalEndpoint> endpoints) implements Piece {
        public ServiceEntries {
            endpoints = List.copyOf(endpoints);
        }

        @Override
        public List<HasMetadata> render() {
            return endpoints.stream().map(e -> (HasMetadata) PolicyRenderer.serviceEntry(external, e)).toList();
        }
    }

    /**
     * The service as rendering reads it: its name, namespace and spec. Its status, labels and resource version change
     * without changing a single object (the daemon writes the status), so they are left out of what pieces compare.
     * A service already so is returned as it is: a compiler that makes each service bare once has its pieces share it.
     */
    static LatticeService bare(LatticeService s) {
        ObjectMeta m = s.metadata();
        if (s.status() == LatticeService.Status.EMPTY && m.labels().isEmpty() && m.annotations().isEmpty() && m.uid() == null
                && m.resourceVersion() == null && m.generation() == null && m.creationTimestamp() == null) {
            return s;
        }
        return new LatticeService(new ObjectMeta(m.name(), m.namespace(), null, null, null, null, null, null), s.spec(), null);
    }
}
