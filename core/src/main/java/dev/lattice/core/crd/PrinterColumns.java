package dev.lattice.core.crd;

import dev.lattice.core.model.Kind;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinitionBuilder;
import java.util.ArrayList;
import java.util.List;

/** The columns {@code kubectl get} shows for each kind. */
final class PrinterColumns {
    private PrinterColumns() {
    }

    static List<CustomResourceColumnDefinition> of(Kind kind) {
        List<CustomResourceColumnDefinition> c = new ArrayList<>();
        switch (kind) {
            case STATIC_POOL:
                c.add(column("Provider", "string", ".spec.provider", 0));
                c.add(column("Cores", "integer", ".spec.capacity.cores", 0));
                c.add(column("Used", "integer", ".status.used.cores", 0));
                c.add(column("Memory", "string", ".spec.capacity.memory", 0));
                c.add(column("Sharing", "string", ".spec.sharing", 1));
                c.add(column("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", 0));
                break;
            case CLOUD_POOL:
                c.add(column("Provider", "string", ".spec.provider", 0));
                c.add(column("Budget", "number", ".spec.budget.monthly", 0));
                c.add(column("Projected", "number", ".status.spend.projected", 0));
                c.add(column("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", 0));
                c.add(column("Budget-Warning", "string", ".status.conditions[?(@.type==\"BudgetWarning\")].status", 1));
                break;
            case LATTICE_CLUSTER:
                c.add(column("Phase", "string", ".status.phase", 0));
                c.add(column("Pool", "string", ".spec.pool", 0));
                c.add(column("Version", "string", ".spec.provider.kubernetes.version", 0));
                c.add(column("Control-Plane", "integer", ".status.readyControlPlane", 0));
                c.add(column("Workers", "integer", ".status.readyWorkers", 0));
                c.add(column("Endpoint", "string", ".status.endpoint", 1));
                c.add(column("Last-Backup", "date", ".status.lastBackup.completed", 1));
                break;
            case LATTICE_SERVICE:
                c.add(column("Phase", "string", ".status.phase", 0));
                c.add(column("Cluster", "string", ".status.cluster", 0));
                // True once its workload and policies are applied where it runs (set by the daemon of that cluster).
                c.add(column("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", 0));
                c.add(column("Replicas", "integer", ".spec.replicas", 0));
                c.add(column("Message", "string", ".status.message", 1));
                break;
            case WARM_POOL:
                c.add(column("Pool", "string", ".spec.pool", 0));
                c.add(column("Size", "integer", ".spec.size", 0));
                c.add(column("Available", "integer", ".status.available", 0));
                c.add(column("Claimed", "integer", ".status.claimed", 0));
                c.add(column("Resetting", "integer", ".status.resetting", 1));
                c.add(column("Provisioning", "integer", ".status.provisioning", 1));
                c.add(column("Error", "integer", ".status.error", 1));
                c.add(column("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", 0));
                c.add(column("Exhausted", "string", ".status.conditions[?(@.type==\"Exhausted\")].status", 0));
                break;
            case CLUSTER_CLAIM:
                c.add(column("Pool", "string", ".spec.pool", 0));
                c.add(column("Phase", "string", ".status.phase", 0));
                c.add(column("Cluster", "string", ".status.cluster", 0));
                c.add(column("Session", "string", ".spec.session", 1));
                c.add(column("Expires", "date", ".status.expiresAt", 0));
                c.add(column("Message", "string", ".status.message", 1));
                break;
            default:
                c.add(column("Phase", "string", ".status.phase", 0));
                break;
        }
        c.add(column("Age", "date", ".metadata.creationTimestamp", 0));
        return c;
    }

    private static CustomResourceColumnDefinition column(String name, String type, String path, int priority) {
        return new CustomResourceColumnDefinitionBuilder().withName(name).withType(type).withJsonPath(path)
                .withPriority(priority > 0 ? priority : null).build();
    }
}
