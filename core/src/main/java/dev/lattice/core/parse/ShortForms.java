package dev.lattice.core.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rewrites the short LatticeCluster forms some documents use into the canonical shape, before binding.
 * Rewritten nodes keep the places they were written at, so later errors still point at the user's text.
 *
 * <ul>
 *   <li>{@code spec.kubernetes} → {@code spec.provider.kubernetes};</li>
 *   <li>{@code spec.controlPlane} / {@code spec.workers} → {@code spec.nodes.controlPlane} / a worker pool;</li>
 *   <li>{@code nodes: {controlPlane: 3, workers: 10}} → replicas of the control plane and of a worker pool
 *       named {@value #DEFAULT_POOL};</li>
 *   <li>{@code machineType} → {@code instanceType} (an alias the binder accepts);</li>
 *   <li>{@code config.proxmox} snake_case keys → camelCase; {@code cp_cores}, {@code cp_memory_mib},
 *       {@code cp_disk_gib} (and {@code worker_*}) → explicit instance types.</li>
 * </ul>
 */
public final class ShortForms {
    /** The worker pool a short {@code workers:} form becomes. */
    public static final String DEFAULT_POOL = "default";

    /** Fields a short form puts directly under {@code spec}, and where each belongs in the canonical shape. */
    public static final Map<String, String> HOISTED = hoisted();

    /** A short {@code config.proxmox} machine size's suffix, and the explicit instance type's field it becomes. */
    private static final Map<String, String> SIZES = sizes();

    /** The machine-size keys of a short {@code config.proxmox}: {@code cp_} or {@code worker_} and a size. */
    public static final List<String> PROXMOX_SIZES = java.util.stream.Stream.of("cp_", "worker_")
            .flatMap(role -> SIZES.keySet().stream().map(size -> role + size)).toList();

    private static Map<String, String> sizes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cores", "cores");
        m.put("sockets", "sockets");
        m.put("memory_mib", "memoryGib");
        m.put("disk_gib", "diskGib");
        return java.util.Collections.unmodifiableMap(m);
    }

    private static Map<String, String> hoisted() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kubernetes", "provider.kubernetes");
        m.put("controlPlane", "nodes.controlPlane");
        m.put("workers", "nodes.workers");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The snake_case spelling a short {@code config.proxmox} may use for a field: {@code templateId} → {@code template_id}. */
    public static String snake(String camel) {
        StringBuilder out = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private final Problems problems;

    private ShortForms(Problems problems) {
        this.problems = problems;
    }

    static YNode.Mapping cluster(YNode.Mapping spec, Problems problems) {
        return new ShortForms(problems).normalise(spec);
    }

    private YNode.Mapping normalise(YNode.Mapping spec) {
        for (Map.Entry<String, String> e : HOISTED.entrySet()) {
            String[] to = e.getValue().split("\\.");
            spec = hoist(spec, e.getKey(), to[0], to[1]);
        }
        Optional<YNode.Mapping> nodes = mapping(spec, "nodes");
        if (nodes.isPresent()) {
            spec = spec.with(keyOf(spec, "nodes"), nodes(nodes.get()));
        }
        Optional<YNode.Mapping> provider = mapping(spec, "provider");
        Optional<YNode.Mapping> config = provider.flatMap(p -> mapping(p, "config"));
        Optional<YNode.Mapping> proxmox = config.flatMap(c -> mapping(c, "proxmox"));
        if (proxmox.isPresent()) {
            spec = proxmox(spec, provider.get(), config.get(), proxmox.get());
        }
        return spec;
    }

    /** Moves {@code spec.<from>} to {@code spec.<parent>.<to>} unless the canonical place is already taken. */
    private YNode.Mapping hoist(YNode.Mapping spec, String from, String parent, String to) {
        Optional<YNode.Entry> shortForm = spec.entry(from);
        if (shortForm.isEmpty()) {
            return spec;
        }
        YNode target = spec.get(parent).orElse(null);
        if (target != null && !(target instanceof YNode.Mapping)) {
            return spec;
        }
        YNode.Mapping parentMap = target == null
                ? new YNode.Mapping(List.of(), shortForm.get().key().location())
                : (YNode.Mapping) target;
        if (parentMap.entry(to).isPresent()) {
            problems.error(shortForm.get().key().location(), "spec." + from + " and spec." + parent + "." + to
                    + " say the same thing", "keep one of them");
            return spec.without(from);
        }
        YNode.Scalar parentKey = spec.entry(parent).map(YNode.Entry::key)
                .orElse(key(parent, shortForm.get().key().location()));
        return spec.without(from).with(parentKey, parentMap.with(key(to, shortForm.get().key().location()),
                shortForm.get().value()));
    }

    private YNode.Mapping nodes(YNode.Mapping nodes) {
        Optional<YNode.Entry> cp = nodes.entry("controlPlane");
        if (cp.isPresent() && cp.get().value() instanceof YNode.Scalar count && !count.isNull()) {
            nodes = nodes.with(cp.get().key(), new YNode.Mapping(
                    List.of(new YNode.Entry(key("replicas", count.location()), count)), count.location()));
        }
        Optional<YNode.Entry> workers = nodes.entry("workers");
        if (workers.isEmpty()) {
            return nodes;
        }
        YNode pool = workers.get().value();
        if (pool instanceof YNode.Scalar count) {
            pool = new YNode.Mapping(List.of(new YNode.Entry(key("replicas", count.location()), count)), count.location());
        }
        YNode existing = nodes.get("workerPools").orElse(null);
        if (existing != null && !(existing instanceof YNode.Mapping)) {
            return nodes;
        }
        YNode.Mapping pools = existing == null
                ? new YNode.Mapping(List.of(), workers.get().key().location())
                : (YNode.Mapping) existing;
        if (pools.entry(DEFAULT_POOL).isPresent()) {
            problems.error(workers.get().key().location(), "\"workers\" makes a worker pool named \"" + DEFAULT_POOL
                    + "\", and workerPools already has one", "move these workers into workerPools under another name");
            return nodes.without("workers");
        }
        YNode.Scalar poolsKey = nodes.entry("workerPools").map(YNode.Entry::key)
                .orElse(key("workerPools", workers.get().key().location()));
        return nodes.without("workers")
                .with(poolsKey, pools.with(key(DEFAULT_POOL, workers.get().key().location()), pool));
    }

    private YNode.Mapping proxmox(YNode.Mapping spec, YNode.Mapping provider, YNode.Mapping config, YNode.Mapping proxmox) {
        List<YNode.Entry> kept = new ArrayList<>();
        YNode.Mapping cpType = new YNode.Mapping(List.of(), proxmox.location());
        YNode.Mapping workerType = new YNode.Mapping(List.of(), proxmox.location());
        boolean sizeBroken = false;
        for (YNode.Entry e : proxmox.entries()) {
            String k = e.key().value();
            if (k.startsWith("cp_") || k.startsWith("worker_")) {
                String field = sizeField(k.substring(k.indexOf('_') + 1));
                if (field != null) {
                    YNode value = field.equals("memoryGib") ? mibToGib(e.value()) : e.value();
                    YNode.Scalar key = key(field, e.key().location());
                    if (value == null) {
                        // already reported; a size with a hole in it would only add a confusing second error
                        sizeBroken = true;
                    } else if (k.startsWith("cp_")) {
                        cpType = cpType.with(key, value);
                    } else {
                        workerType = workerType.with(key, value);
                    }
                    continue;
                }
            }
            kept.add(new YNode.Entry(key(camel(k), e.key().location()), e.value()));
        }
        YNode.Mapping newProxmox = new YNode.Mapping(kept, proxmox.location());
        YNode.Mapping newConfig = config.with(keyOf(config, "proxmox"), newProxmox);
        spec = spec.with(keyOf(spec, "provider"), provider.with(keyOf(provider, "config"), newConfig));
        if (sizeBroken || (cpType.entries().isEmpty() && workerType.entries().isEmpty())) {
            return spec;
        }
        YNode.Mapping nodes = mapping(spec, "nodes").orElse(new YNode.Mapping(List.of(), proxmox.location()));
        if (!cpType.entries().isEmpty()) {
            YNode.Mapping cp = mapping(nodes, "controlPlane").orElse(new YNode.Mapping(List.of(), cpType.location()));
            nodes = nodes.with(keyOf(nodes, "controlPlane"), withInstanceType(cp, cpType));
        }
        if (!workerType.entries().isEmpty()) {
            Optional<YNode.Mapping> pools = mapping(nodes, "workerPools");
            if (pools.isPresent()) {
                List<YNode.Entry> sized = new ArrayList<>();
                for (YNode.Entry pool : pools.get().entries()) {
                    sized.add(pool.value() instanceof YNode.Mapping m
                            ? new YNode.Entry(pool.key(), withInstanceType(m, workerType)) : pool);
                }
                nodes = nodes.with(keyOf(nodes, "workerPools"), new YNode.Mapping(sized, pools.get().location()));
            }
        }
        return spec.with(keyOf(spec, "nodes"), nodes);
    }

    private YNode.Mapping withInstanceType(YNode.Mapping pool, YNode.Mapping size) {
        if (pool.entry("instanceType").isPresent() || pool.entry("machineType").isPresent()) {
            problems.error(size.entries().get(0).key().location(),
                    "config.proxmox sets a machine size that the pool's instanceType already sets", "keep one of them");
            return pool;
        }
        return pool.with(key("instanceType", size.location()), size);
    }

    private static String sizeField(String suffix) {
        return SIZES.get(suffix);
    }

    /** MiB as whole GiB; null (and a problem) when it is not a whole number of GiB. */
    private YNode mibToGib(YNode value) {
        if (value instanceof YNode.Scalar s && s.type() == YNode.ScalarType.INT) {
            try {
                long mib = Binder.yamlInteger(s.value());
                if (mib % 1024 == 0) {
                    return new YNode.Scalar(Long.toString(mib / 1024), YNode.ScalarType.INT, s.location());
                }
                problems.error(s.location(), "memory of " + mib + " MiB is not a whole number of GiB",
                        "use a multiple of 1024, e.g. " + Math.max(1024, (mib + 1023) / 1024 * 1024));
                return null;
            } catch (NumberFormatException e) {
                return value;
            }
        }
        return value;
    }

    private static String camel(String snake) {
        if (!snake.contains("_")) {
            return snake;
        }
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static Optional<YNode.Mapping> mapping(YNode.Mapping m, String key) {
        return m.get(key).filter(YNode.Mapping.class::isInstance).map(YNode.Mapping.class::cast);
    }

    private static YNode.Scalar keyOf(YNode.Mapping m, String key) {
        return m.entry(key).map(YNode.Entry::key).orElse(key(key, m.location()));
    }

    private static YNode.Scalar key(String name, Location at) {
        return new YNode.Scalar(name, YNode.ScalarType.STRING, at);
    }
}
