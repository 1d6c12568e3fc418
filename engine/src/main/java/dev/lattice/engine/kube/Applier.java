package dev.lattice.engine.kube;

import dev.lattice.core.LatticeException;
import dev.lattice.core.io.Durations;
import dev.lattice.engine.Interrupted;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Applies manifests the way {@code kubectl apply --server-side} does, with one field manager: Namespaces and
 * CustomResourceDefinitions first (and the CRDs waited for until they are served), then everything else in the
 * order given. Applying the same manifests again changes nothing, so every caller may simply re-apply on resume.
 */
public final class Applier {
    /** The field manager of everything Lattice applies. */
    public static final String FIELD_MANAGER = "lattice";
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(250);

    private final KubernetesClient client;
    private final Duration poll;
    /** The API server's address, ending in one slash. */
    private final String base;

    public Applier(KubernetesClient client) {
        this(client, POLL);
    }

    public Applier(KubernetesClient client, Duration poll) {
        this.client = client;
        this.poll = poll;
        this.base = client.getMasterUrl().toString().replaceAll("/+$", "") + "/";
    }

    /** Applies the objects, foundations first; returns the objects as the server holds them after the apply. */
    public List<GenericKubernetesResource> apply(List<? extends HasMetadata> objects, Duration timeout) {
        List<GenericKubernetesResource> resources = objects.stream().map(o -> o instanceof GenericKubernetesResource g ? g
                : client.getKubernetesSerialization().convertValue(o, GenericKubernetesResource.class)).toList();
        List<GenericKubernetesResource> applied = new ArrayList<>();
        List<GenericKubernetesResource> crds = new ArrayList<>();
        for (GenericKubernetesResource r : resources) {
            if (isFoundation(r)) {
                applied.add(applyOne(r));
                if (isCrd(r)) {
                    crds.add(r);
                }
            }
        }
        for (GenericKubernetesResource crd : crds) {
            waitUntil(timeout, "CustomResourceDefinition " + crd.getMetadata().getName() + " to be established",
                    () -> established(crd.getMetadata().getName()));
        }
        for (GenericKubernetesResource r : resources) {
            if (!isFoundation(r)) {
                applied.add(applyOne(r));
            }
        }
        return applied;
    }

    /**
     * Waits until every Deployment among {@code objects} reports {@code Available}, telling {@code progress} which
     * ones it is still waiting for.
     */
    public void waitForDeployments(List<? extends HasMetadata> objects, Duration timeout, Consumer<String> progress) {
        List<String[]> deployments = objects.stream()
                .filter(o -> "Deployment".equals(o.getKind()) && o.getApiVersion().startsWith("apps/"))
                .map(o -> new String[] {o.getMetadata().getNamespace(), o.getMetadata().getName()}).toList();
        waitUntil(timeout, "the Deployments to become available", () -> {
            List<String> waiting = deployments.stream().filter(d -> !available(d[0], d[1])).map(d -> d[0] + "/" + d[1]).toList();
            if (!waiting.isEmpty()) {
                progress.accept("waiting for " + String.join(", ", waiting));
            }
            return waiting.isEmpty();
        });
    }

    /** Polls {@code done} until it holds, or fails naming {@code what} after {@code timeout}; interruptible. */
    public void waitUntil(Duration timeout, String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new LatticeException("timed out after " + Durations.format(timeout) + " waiting for " + what,
                        "give it longer with --timeout, or look at the cluster (kubectl get events -A)");
            }
            Interrupted.sleep(poll);
        }
    }


    /**
     * Server-side applies one object of the kind whose resources are called {@code plural}, and reads nothing back but
     * whether the server took it: for callers that send thousands of objects and keep none of the server's copies. The
     * object is written as JSON once; fabric8's own apply would convert it, then parse the whole answer.
     *
     * @throws KubernetesClientException with the server's Status when it refuses the object
     */
    public void send(HasMetadata object, String plural) {
        var meta = object.getMetadata();
        String group = object.getApiVersion().contains("/") ? "apis/" : "api/";
        String path = group + object.getApiVersion() + (meta.getNamespace() == null ? "" : "/namespaces/" + meta.getNamespace())
                + "/" + plural + "/" + meta.getName() + "?fieldManager=" + FIELD_MANAGER + "&force=true";
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder().uri(base + path)
                .method("PATCH", "application/apply-patch+yaml", client.getKubernetesSerialization().asJson(object))
                .timeout(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).build();
        HttpResponse<String> response;
        try {
            response = http.sendAsync(request, String.class).get(SEND_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while applying " + describe(object), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KubernetesClientException("cannot apply " + describe(object) + ": " + e.getMessage(), e);
        }
        if (!response.isSuccessful()) {
            Status status;
            try {
                status = client.getKubernetesSerialization().unmarshal(response.body(), Status.class);
            } catch (RuntimeException e) {
                status = new StatusBuilder().withCode(response.code()).withMessage("HTTP " + response.code() + ": " + response.body()).build();
            }
            throw new KubernetesClientException(status);
        }
    }

    private GenericKubernetesResource applyOne(GenericKubernetesResource r) {
        try {
            return client.resource(r).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw new LatticeException("cannot apply " + describe(r) + " to " + client.getMasterUrl() + ": "
                    + reason(e), "check that the cluster is reachable and that you may create this kind there", 1, e);
        }
    }

    private boolean established(String name) {
        var crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private boolean available(String namespace, String name) {
        var d = client.apps().deployments().inNamespace(namespace).withName(name).get();
        return d != null && d.getStatus() != null && d.getStatus().getConditions() != null && d.getStatus().getConditions()
                .stream().anyMatch(c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static boolean isFoundation(GenericKubernetesResource r) {
        return "Namespace".equals(r.getKind()) && "v1".equals(r.getApiVersion()) || isCrd(r);
    }

    private static boolean isCrd(GenericKubernetesResource r) {
        return "CustomResourceDefinition".equals(r.getKind());
    }

    /** {@code Kind namespace/name}, for messages. */
    public static String describe(HasMetadata r) {
        String ns = r.getMetadata().getNamespace();
        return r.getKind() + " " + (ns == null ? "" : ns + "/") + r.getMetadata().getName();
    }

    /** The server's own words for a failed request, without the request dump fabric8 adds. */
    public static String reason(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // fabric8's own message restates the request; the root cause says what happened (connection refused, ...).
        return Objects.requireNonNullElse(root.getMessage(), root.getClass().getSimpleName());
    }
}
