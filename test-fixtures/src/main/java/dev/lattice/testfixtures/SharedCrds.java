package dev.lattice.testfixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The real CRDs of the systems Lattice writes objects for (CAPI, Cilium, Istio), from {@code ../shared/crds}
 * beside the project. Reference data, not part of the project: tests that use it skip where it is absent.
 */
public final class SharedCrds {
    private static final Map<String, Map<String, Object>> SCHEMAS = new HashMap<>();

    private SharedCrds() {
    }

    /** The folder, when it is there. */
    public static Optional<Path> dir() {
        Path dir = Examples.projectRoot().getParent().resolve("shared").resolve("crds");
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** Why a test that needs the CRDs cannot run here. */
    public static String absence() {
        return "../shared/crds (the real CAPI, Cilium and Istio CRDs) is not beside the project at "
                + Examples.projectRoot().getParent().resolve("shared").resolve("crds");
    }

    /** What the served schema of {@code apiVersion}/{@code kind} says is wrong with {@code object}; empty when it conforms. */
    public static List<String> violations(Map<String, Object> object) {
        String apiVersion = (String) object.get("apiVersion");
        String kind = (String) object.get("kind");
        Map<String, Object> schema = schema(apiVersion, kind)
                .orElseThrow(() -> new IllegalArgumentException("no served CRD version for " + apiVersion + " " + kind + " in " + dir()));
        return StructuralSchema.violations(object, schema);
    }

    /**
     * Creates the real CRDs of these files (e.g. {@code "cilium/ciliumnetworkpolicies.cilium.io.yaml"}) in a test API
     * server, as its README says they must be: without conversion webhooks, by a plain create (a 1.20 server refuses
     * their CEL rules on server-side apply), then waits until each is served.
     */
    @SuppressWarnings("unchecked")
    public static void install(io.fabric8.kubernetes.client.KubernetesClient client, String... files) {
        Path dir = dir().orElseThrow(() -> new IllegalStateException(absence()));
        List<String> names = new java.util.ArrayList<>();
        for (String file : files) {
            try {
                Map<String, Object> crd = (Map<String, Object>) new Load(LoadSettings.builder().build())
                        .loadFromString(Files.readString(dir.resolve(file)));
                ((Map<String, Object>) crd.get("spec")).remove("conversion");
                var resource = client.getKubernetesSerialization().convertValue(crd,
                        io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class);
                client.apiextensions().v1().customResourceDefinitions().resource(resource).create();
                names.add(resource.getMetadata().getName());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String name : names) {
            client.apiextensions().v1().customResourceDefinitions().withName(name)
                    .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
                            && c.getStatus().getConditions().stream().anyMatch(x -> "Established".equals(x.getType())
                            && "True".equals(x.getStatus())), 30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The CRDs of the kinds Lattice compiles services into: CiliumNetworkPolicy, AuthorizationPolicy, ServiceEntry. */
    public static void installMesh(io.fabric8.kubernetes.client.KubernetesClient client) {
        install(client, "cilium/ciliumnetworkpolicies.cilium.io.yaml", "istio/authorizationpolicies.security.istio.io.yaml",
                "istio/serviceentries.networking.istio.io.yaml");
    }

    /** The OpenAPI schema of a served version of a CRD in the folder. */
    @SuppressWarnings("unchecked")
    public static synchronized Optional<Map<String, Object>> schema(String apiVersion, String kind) {
        String key = apiVersion + "/" + kind;
        if (!SCHEMAS.containsKey(key)) {
            SCHEMAS.put(key, find(apiVersion, kind));
        }
        return Optional.ofNullable(SCHEMAS.get(key));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> find(String apiVersion, String kind) {
        String group = apiVersion.substring(0, apiVersion.indexOf('/'));
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        Path dir = dir().orElseThrow(() -> new IllegalStateException(absence()));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
                    if (!(doc instanceof Map<?, ?> crd) || !"CustomResourceDefinition".equals(crd.get("kind"))) {
                        continue;
                    }
                    Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
                    Map<String, Object> names = (Map<String, Object>) spec.get("names");
                    if (!group.equals(spec.get("group")) || !kind.equals(names.get("kind"))) {
                        continue;
                    }
                    for (Map<String, Object> v : (List<Map<String, Object>>) spec.get("versions")) {
                        if (version.equals(v.get("name")) && Boolean.TRUE.equals(v.get("served"))) {
                            return (Map<String, Object>) ((Map<String, Object>) v.get("schema")).get("openAPIV3Schema");
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return null;
    }
}
