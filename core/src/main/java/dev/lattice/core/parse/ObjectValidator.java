package dev.lattice.core.parse;

import dev.lattice.core.io.Durations;
import dev.lattice.core.model.CloudPool;
import dev.lattice.core.model.ClusterClaim;
import dev.lattice.core.model.LatticeCluster;
import dev.lattice.core.model.LatticeCluster.WorkerPoolSpec;
import dev.lattice.core.model.LatticeExternalService;
import dev.lattice.core.model.LatticeObject;
import dev.lattice.core.model.LatticeService;
import dev.lattice.core.model.LatticeService.Resource;
import dev.lattice.core.model.LatticeService.ResourceType;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.model.StaticPool;
import dev.lattice.core.model.WarmPool;
import dev.lattice.core.rule.InvalidRule;
import dev.lattice.core.rule.PlacementRule;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The rules one object must keep on its own, each reported where the offending value was written. */
final class ObjectValidator {
    /** A machine of any kind costs less than this an hour; more is a typo, and would overflow spend tables. */
    private static final BigDecimal MAX_PRICE_PER_HOUR = new BigDecimal("1000000");
    private static final Pattern K8S_VERSION = Pattern.compile("v?[0-9]+\\.[0-9]+(\\.[0-9]+)?([-+][0-9A-Za-z.+-]+)?");
    private static final Pattern CIDR = Pattern.compile(
            "([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:]+/[0-9]{1,3}");
    /** The capabilities baseline Pod Security lets a container add; a service may keep these and no others. */
    private static final List<String> BASELINE_CAPABILITIES = List.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
            "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
    /** A cron schedule as Velero reads it (robfig/cron): five fields, or a descriptor such as @daily. */
    private static final Pattern CRON = Pattern.compile("(\\S+\\s+){4}\\S+|@(yearly|annually|monthly|weekly|daily|midnight|hourly|every \\S+)");
    private static final String GPU = LatticeService.ResourceRequirements.GPU;
    private static final List<String> URL_SCHEMES = List.of("https", "http", "tcp", "tls", "grpc");

    private final Problems problems;
    private final SourceMap at;

    private ObjectValidator(Problems problems, SourceMap at) {
        this.problems = problems;
        this.at = at;
    }

    static void validate(ParsedObject parsed, Problems problems) {
        new ObjectValidator(problems, parsed.source()).check(parsed.object());
    }

    private void check(LatticeObject object) {
        name("metadata.name", object.kind().kindName() + " name", object.name());
        if (object.metadata().namespace() != null) {
            name("metadata.namespace", "namespace", object.metadata().namespace());
        }
        labels("metadata.labels", object.metadata().labels());
        if (object.metadata().creationTimestamp() != null && object.metadata().created() == null) {
            error("metadata.creationTimestamp", "creationTimestamp must be an RFC 3339 time, got \""
                    + object.metadata().creationTimestamp() + "\"", "the API server sets it, as 2026-01-31T12:00:00Z; leave it out of files");
        }
        if (object instanceof StaticPool pool) {
            staticPool(pool.spec());
        } else if (object instanceof CloudPool pool) {
            cloudPool(pool.spec());
        } else if (object instanceof LatticeCluster cluster) {
            cluster("spec", cluster.spec());
            // A warm pool's cluster is written out whole from its template, defaults and all: what was asked for is the
            // template's to say, where it was written (the warm pool's own file).
            if (!cluster.metadata().labels().containsKey(WarmPool.MEMBER_LABEL)) {
                backupsAskedFor("spec", cluster.spec());
            }
        } else if (object instanceof LatticeService service) {
            service(service.spec());
        } else if (object instanceof LatticeExternalService external) {
            externalService(external.spec());
        } else if (object instanceof WarmPool pool) {
            warmPool(pool.spec());
        } else if (object instanceof ClusterClaim claim) {
            duration("spec.lifetime", claim.spec().lifetime());
        }
    }

    private void staticPool(StaticPool.Spec spec) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < spec.machineTypes().size(); i++) {
            String name = spec.machineTypes().get(i).name();
            String path = SourceMap.index("spec.machineTypes", i) + ".name";
            Integer first = seen.putIfAbsent(name, i);
            if (first != null) {
                error(path, "duplicate machine type \"" + name + "\"", "it is already defined at line "
                        + at.value(SourceMap.index("spec.machineTypes", first) + ".name").line());
            }
        }
    }

    private void cloudPool(CloudPool.Spec spec) {
        if (spec.regions().isEmpty()) {
            error("spec.regions", "a CloudPool needs at least one region", "add regions: {us-east-1: {enabled: true}}");
        }
        spec.pricing().forEach((type, price) -> {
            if (price.signum() < 0) {
                error(SourceMap.child("spec.pricing", type), "price of \"" + type + "\" cannot be negative, got "
                        + price.toPlainString(), null);
            } else if (price.compareTo(MAX_PRICE_PER_HOUR) > 0) {
                error(SourceMap.child("spec.pricing", type), "price of \"" + type + "\" is " + price.toPlainString()
                        + " USD an hour, more than " + MAX_PRICE_PER_HOUR.toPlainString(), "prices are per machine and hour");
            }
        });
        if (spec.budget().monthly().compareTo(BigDecimal.ZERO) == 0 && spec.budget().hardLimit()) {
            warn("spec.budget.monthly", "a budget of 0 with hardLimit: true refuses every cluster", null);
        }
    }

    /** A cluster's spec, written at {@code path} (spec, or a warm pool's spec.template). */
    private void cluster(String path, LatticeCluster.Spec spec) {
        if (spec.pool() != null && spec.providerRef() != null && !spec.pool().equals(spec.providerRef())) {
            error(path + ".providerRef", "providerRef \"" + spec.providerRef() + "\" and pool \"" + spec.pool()
                    + "\" name different pools", "a cluster draws on one pool: make them the same, or drop one");
        }
        String version = spec.provider().kubernetes().version();
        if (!K8S_VERSION.matcher(version).matches()) {
            error(path + ".provider.kubernetes.version", "invalid Kubernetes version \"" + version + "\"",
                    "write it as MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. \"1.32.0\"");
        }
        LatticeCluster.ProviderConfig config = spec.provider().config();
        long configured = java.util.stream.Stream.of(config.aws(), config.proxmox(), config.openstack(), config.docker())
                .filter(java.util.Objects::nonNull).count();
        if (configured > 1) {
            error(path + ".provider.config", "provider.config sets " + configured + " providers; a cluster runs on one",
                    "keep exactly one of aws, proxmox, openstack, docker");
        }
        if (config.proxmox() != null && config.proxmox().templateId() == null) {
            error(path + ".provider.config.proxmox", "a Proxmox cluster's machines are clones of a VM template, and templateId is not set",
                    "set " + path + ".provider.config.proxmox.templateId to the template's VM id (100 or more)");
        }
        int cp = spec.nodes().controlPlane().replicas();
        if (cp % 2 == 0) {
            error(path + ".nodes.controlPlane.replicas", "control-plane replicas must be odd so etcd keeps quorum, got " + cp,
                    "use " + (cp - 1) + " or " + (cp + 1));
        }
        spec.nodes().workerPools().forEach((name, pool) -> workerPool(SourceMap.child(path + ".nodes.workerPools", name), name, pool));
        if (spec.parentConfig() != null && spec.parentConfig().host().isBlank()) {
            error(path + ".parentConfig.host", "parentConfig.host is empty", "give the IP or hostname children connect to");
        }
        if (spec.networking() != null) {
            cidrs(path + ".networking.pods", spec.networking().pods());
            cidrs(path + ".networking.services", spec.networking().services());
        }
        backups(path, spec);
    }

    /**
     * Velero needs somewhere to write. {@code backups: true} written without a location is warned about where it is
     * written (seed 002's own example writes it so, and must still plan); left on by default, it waits for a location
     * without a word, and the plan says Velero is not installed yet.
     */
    private void backupsAskedFor(String path, LatticeCluster.Spec spec) {
        if (spec.backups() && spec.backupLocation() == null && at.has(path + ".backups")) {
            warn(path + ".backups", "backups: true, but no backupLocation says where the backups go: Velero is not installed until one does",
                    "add " + path + ".backupLocation {bucket, region, credentialsSecret}, or set backups: false");
        }
    }

    /** A backup location that cannot work, or is not used. */
    private void backups(String path, LatticeCluster.Spec spec) {
        LatticeCluster.BackupLocation location = spec.backupLocation();
        if (location == null) {
            return;
        }
        String where = path + ".backupLocation";
        if (!spec.backups()) {
            warn(where, "backupLocation is not used while backups is false", "set backups: true, or leave backupLocation out");
        }
        if (location.endpoint() != null) {
            URI uri = uri(location.endpoint());
            if (uri == null || !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                error(where + ".endpoint", "endpoint \"" + location.endpoint() + "\" is not an https URL",
                        "the credentials are only sent over verified TLS: give the store's https:// URL, as https://s3.example.com");
            }
        }
        if (!CRON.matcher(location.schedule().strip()).matches()) {
            error(where + ".schedule", "\"" + location.schedule() + "\" is not a cron schedule",
                    "five fields, minute hour day-of-month month day-of-week, as \"0 3 * * *\" (daily at 03:00), or @daily");
        }
        duration(where + ".ttl", location.ttl());
    }

    private static URI uri(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private void warmPool(WarmPool.Spec spec) {
        if (spec.maxSize() != null && spec.maxSize() < spec.size()) {
            error("spec.maxSize", "maxSize " + spec.maxSize() + " is less than size " + spec.size(),
                    "maxSize counts every cluster of the pool, the size kept ready among them: make it at least " + spec.size());
        }
        String templatePool = spec.template().poolName();
        if (templatePool != null && !templatePool.equals(spec.pool())) {
            error(spec.template().pool() != null ? "spec.template.pool" : "spec.template.providerRef", "the template draws on pool \""
                    + templatePool + "\", the warm pool on \"" + spec.pool() + "\"", "leave the pool out of the template: the warm pool's is used");
        }
        cluster("spec.template", spec.template());
        backupsAskedFor("spec.template", spec.template());
        if (spec.template().parentConfig() != null) {
            error("spec.template.parentConfig", "a warm cluster cannot be a parent: it is reset or recreated after each claim, "
                    + "and its children with it", "leave parentConfig out of the template");
        }
        Duration timeout = duration("spec.reset.timeout", spec.reset().timeout());
        if (timeout != null && timeout.compareTo(Duration.ofMinutes(1)) < 0) {
            error("spec.reset.timeout", "a reset timeout of " + spec.reset().timeout() + " cannot be met", "give a reset at least 1m, as 10m");
        }
        Duration byDefault = duration("spec.claimLifetime.default", spec.claimLifetime().byDefault());
        Duration maximum = duration("spec.claimLifetime.maximum", spec.claimLifetime().maximum());
        if (byDefault != null && maximum != null && byDefault.compareTo(maximum) > 0) {
            error("spec.claimLifetime.default", "the default claim lifetime " + spec.claimLifetime().byDefault()
                    + " is longer than the maximum " + spec.claimLifetime().maximum(), "make the default at most the maximum");
        }
    }

    /** A positive duration as people write it (90s, 30m, 2h, 1h30m), or null (reported) when it is not one; null stays null. */
    private Duration duration(String path, String value) {
        if (value == null) {
            return null;
        }
        try {
            Duration d = Durations.parse(value);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        error(path, "\"" + value + "\" is not a duration", "write hours, minutes and seconds, as 90s, 30m, 2h or 1h30m");
        return null;
    }

    private void workerPool(String path, String name, WorkerPoolSpec pool) {
        String bad = Names.dnsLabelProblem("worker pool name", name);
        if (bad != null) {
            errorAtKey(path, bad, hintName(name));
        }
        if ((pool.min() == null) != (pool.max() == null)) {
            String set = pool.min() != null ? "min" : "max";
            error(path + "." + set, "worker pool " + name + " sets " + set + " without " + (pool.min() != null ? "max" : "min"),
                    "set both min and max to enable autoscaling, or neither");
        }
        if (pool.autoscaling()) {
            if (pool.min() > pool.max()) {
                error(path + ".min", "worker pool " + name + ": min " + pool.min() + " is greater than max " + pool.max(),
                        "min must be at most max");
            } else if (pool.replicas() != null && (pool.replicas() < pool.min() || pool.replicas() > pool.max())) {
                error(path + ".replicas", "worker pool " + name + ": replicas " + pool.replicas() + " is outside min "
                        + pool.min() + " and max " + pool.max(), "set replicas between min and max, or leave it out");
            }
        } else if (pool.replicas() == null && !at.has(path + ".replicas")) {
            error(path, "worker pool " + name + " needs replicas (or min and max for autoscaling)", "add replicas: 1");
        }
        labels(path + ".labels", pool.labels());
        for (int i = 0; i < pool.taints().size(); i++) {
            LatticeCluster.NodeTaint taint = pool.taints().get(i);
            String taintPath = SourceMap.index(path + ".taints", i);
            String keyProblem = Names.labelKeyProblem(taint.key());
            if (keyProblem != null) {
                error(taintPath + ".key", keyProblem.replace("label key", "taint key"), null);
            }
            if (taint.value() != null && Names.labelValueProblem(taint.value()) != null) {
                error(taintPath + ".value", Names.labelValueProblem(taint.value()).replace("label value", "taint value"), null);
            }
        }
    }

    private void service(LatticeService.Spec spec) {
        if (spec.containers().isEmpty()) {
            error("spec.containers", "a service needs at least one container", "add containers: {main: {image: ...}}");
        }
        spec.containers().forEach((name, container) -> {
            String path = SourceMap.child("spec.containers", name);
            String bad = Names.dnsLabelProblem("container name", name);
            if (bad != null) {
                errorAtKey(path, bad, hintName(name));
            }
            if (container.image().isBlank()) {
                error(path + ".image", "container " + name + " has an empty image", null);
            }
            container.env().keySet().stream().filter(k -> !Names.isEnvName(k)).forEach(k -> errorAtKey(
                    SourceMap.child(path + ".env", k), "invalid environment variable name \"" + k + "\"",
                    "use letters, digits, '_', '-' and '.', not starting with a digit"));
            container.ports().forEach((portName, port) -> {
                if (portName.length() > 15 || !Names.isDnsLabel(portName)) {
                    errorAtKey(SourceMap.child(path + ".ports", portName), "invalid port name \"" + portName
                            + "\": at most 15 lowercase letters, digits and '-'", null);
                }
            });
            requestsWithinLimits(path + ".resources", container.resources());
            probe(path + ".livenessProbe", container.livenessProbe());
            probe(path + ".readinessProbe", container.readinessProbe());
            probe(path + ".startupProbe", container.startupProbe());
            securityContext(path + ".securityContext", container.securityContext());
        });
        autoscaling(spec);
        if (spec.service() != null) {
            spec.service().ports().keySet().stream().filter(p -> !Names.isDnsLabel(p)).forEach(p -> errorAtKey(
                    SourceMap.child("spec.service.ports", p), Names.dnsLabelProblem("port name", p), hintName(p)));
        }
        spec.resources().forEach((name, resource) -> resource(SourceMap.child("spec.resources", name), name, resource));
        String placement = spec.requirements().placement();
        if (placement != null && placement.isBlank()) {
            error("spec.requirements.placement", "placement is empty", "write a CEL expression over cluster, or remove it");
        } else if (placement != null && PlacementRule.compile(placement) instanceof InvalidRule invalid) {
            String where = invalid.column() > 0 ? " (at " + (invalid.line() > 1 ? "line " + invalid.line() + ", " : "")
                    + "column " + invalid.column() + " of the rule)" : "";
            error("spec.requirements.placement", "invalid placement rule: " + invalid.message() + where, invalid.hint());
        }
    }

    private void probe(String path, LatticeService.Probe probe) {
        if (probe == null) {
            return;
        }
        long actions = java.util.stream.Stream.of(probe.httpGet(), probe.exec(), probe.tcpSocket()).filter(java.util.Objects::nonNull).count();
        if (actions != 1) {
            error(path, "a probe needs exactly one of httpGet, exec and tcpSocket, got " + actions,
                    actions == 0 ? "add httpGet: {path: /healthz, port: 8080}" : "keep one of them");
        } else if (probe.exec() != null && probe.exec().command().isEmpty()) {
            error(path + ".exec.command", "an exec probe needs a command", "add command: [cat, /tmp/healthy]");
        }
    }

    private void securityContext(String path, LatticeService.SecurityContext context) {
        if (Boolean.TRUE.equals(context.runAsNonRoot()) && Integer.valueOf(0).equals(context.runAsUser())) {
            error(path + ".runAsUser", "runAsUser 0 is root, and runAsNonRoot is true", "give a non-zero user id, or drop runAsNonRoot");
        }
        for (int i = 0; i < context.capabilities().size(); i++) {
            String capability = context.capabilities().get(i);
            if (!BASELINE_CAPABILITIES.contains(capability)) {
                error(SourceMap.index(path + ".capabilities", i), "capability \"" + capability + "\" is not one a service may keep",
                        "baseline Pod Security allows " + String.join(", ", BASELINE_CAPABILITIES) + " (without CAP_)");
            }
        }
    }

    private void requestsWithinLimits(String path, LatticeService.ResourceRequirements resources) {
        // GPUs are whole devices and never overcommitted: Kubernetes refuses a fraction, or a request below its limit.
        Quantity gpuRequest = resources.requests().get(GPU);
        Quantity gpuLimit = resources.limits().get(GPU);
        wholeGpus(path + ".requests", gpuRequest);
        wholeGpus(path + ".limits", gpuLimit);
        for (String share : LatticeService.ResourceRequirements.GPU_SHARES) {
            if (resources.asks(share) && !resources.asks(GPU)) {
                error(SourceMap.child(path + (resources.requests().containsKey(share) ? ".requests" : ".limits"), share), share
                        + " asks for a share of a GPU, but the container asks for no " + GPU, "add " + GPU + ": 1 (how many GPUs it shares)");
            }
        }
        if (gpuRequest != null && gpuLimit != null && gpuRequest.compareTo(gpuLimit) != 0) {
            error(SourceMap.child(path + ".limits", GPU), GPU + " limit " + gpuLimit + " is not its request " + gpuRequest,
                    "GPUs cannot be overcommitted: give the same number in both, or only one of them");
        }
        resources.requests().forEach((resource, request) -> {
            Quantity limit = resources.limits().get(resource);
            if (limit != null && request.compareTo(limit) > 0) {
                error(SourceMap.child(path + ".requests", resource), resource + " request " + request
                        + " is more than its limit " + limit, "a container cannot request more than its limit");
            }
        });
    }

    /** What KEDA can do with the spec's autoscaling, and what it cannot. */
    private void autoscaling(LatticeService.Spec spec) {
        LatticeService.Autoscaling a = spec.autoscaling();
        if (a == null) {
            return;
        }
        if (a.min() > a.max()) {
            error("spec.autoscaling.min", "min " + a.min() + " is more than max " + a.max(), "min must be at most max");
        }
        if (a.metric() == null && a.cpu() == null) {
            error("spec.autoscaling", "autoscaling names nothing to scale on", "add metric: {query, target}, or cpu: PERCENT, or both");
            return;
        }
        if (a.cpu() != null) {
            if (a.min() == 0 && a.metric() == null) {
                error("spec.autoscaling.min", "min 0 cannot be left on CPU alone: no replica, no CPU use to scale up on",
                        "make min at least 1, or scale on a metric too");
            }
            spec.containers().forEach((name, c) -> {
                if (!c.resources().asks("cpu")) {
                    error("spec.autoscaling.cpu", "scaling on CPU needs every container's CPU request, and " + name + " has none",
                            "give containers." + name + ".resources.requests.cpu");
                }
            });
        }
        if (a.metric() != null && a.metric().target().value().signum() <= 0) {
            error("spec.autoscaling.metric.target", "target must be more than 0, got " + a.metric().target(),
                    "the query's value one replica handles, e.g. \"100\"");
        }
        if (at.has("spec.replicas")) {
            warn("spec.replicas", "replicas is left to the autoscaler, between min and max", "leave replicas out");
        }
    }

    private void wholeGpus(String path, Quantity gpus) {
        if (gpus != null && (gpus.value().signum() <= 0 || gpus.value().stripTrailingZeros().scale() > 0)) {
            error(SourceMap.child(path, GPU), GPU + " must be a whole number of GPUs, got " + gpus, "a container gets whole GPUs: 1, 2, ...");
        }
    }

    private void resource(String path, String name, Resource resource) {
        if (resource.type() == ResourceType.VOLUME) {
            if (resource.id() == null && !at.has(path + ".id")) {
                error(path, "volume " + name + " needs an id", "add id: <volume id>; consumers use the owner's id");
            } else if (resource.id() != null) {
                String badId = Names.dnsLabelProblem("volume id", resource.id());
                if (badId != null) {
                    error(path + ".id", badId + " (it names the volume's PersistentVolumeClaim)", hintName(resource.id()));
                }
            }
            if (resource.direction() != null) {
                error(path + ".direction", "a volume has no direction", "remove direction");
            }
            return;
        }
        String bad = Names.dnsLabelProblem(resource.type().wire() + " name", name);
        if (bad != null) {
            errorAtKey(path, bad, hintName(name));
        }
        if (resource.direction() == null) {
            // A direction that was written but is not valid is reported where it was bound.
            if (!at.has(path + ".direction")) {
                error(path, resource.type().wire() + " " + name + " needs a direction",
                        "add direction: outbound (this service calls it), inbound (it calls this service) or both");
            }
        } else if (resource.type() == ResourceType.EXTERNAL_SERVICE && resource.direction() != LatticeService.Direction.OUTBOUND) {
            error(path + ".direction", "an external service can only be called: direction must be outbound", null);
        }
        if (resource.id() != null || resource.params() != null) {
            error(resource.id() != null ? path + ".id" : path + ".params",
                    "id and params belong to volumes, not to a " + resource.type().wire(), "remove them");
        }
        if (resource.namespace() != null) {
            name(path + ".namespace", "namespace", resource.namespace());
        }
    }

    private void externalService(LatticeExternalService.Spec spec) {
        if (spec.endpoints().isEmpty()) {
            error("spec.endpoints", "an external service needs at least one endpoint",
                    "add endpoints: {api: \"https://api.example.com:443\"}");
        }
        spec.endpoints().forEach((name, url) -> {
            String path = SourceMap.child("spec.endpoints", name);
            try {
                URI uri = new URI(url);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    error(path, "endpoint " + name + " \"" + url + "\" is not a URL with a scheme and a host",
                            "write it as https://" + url.replaceFirst("^[a-z]+://", "") + (url.contains(":") ? "" : ":443"));
                } else if (!URL_SCHEMES.contains(uri.getScheme())) {
                    error(path, "endpoint " + name + " has scheme \"" + uri.getScheme() + "\"",
                            "use one of: " + String.join(", ", URL_SCHEMES));
                } else if (uri.getPort() < 0 && uri.getScheme().equals("tcp")) {
                    error(path, "endpoint " + name + " \"" + url + "\" needs a port: tcp has no default one",
                            "write it as " + url + ":<port>");
                }
            } catch (URISyntaxException e) {
                error(path, "endpoint " + name + " \"" + url + "\" is not a valid URL: " + e.getReason(), null);
            }
        });
        for (int i = 0; i < spec.allowedRequesters().size(); i++) {
            name(SourceMap.index("spec.allowed_requesters", i), "service name", spec.allowedRequesters().get(i));
        }
    }

    private void name(String path, String what, String name) {
        String bad = Names.dnsLabelProblem(what, name);
        if (bad != null) {
            error(path, bad, hintName(name));
        }
    }

    private void labels(String path, Map<String, String> labels) {
        labels.forEach((key, value) -> {
            String keyProblem = Names.labelKeyProblem(key);
            if (keyProblem != null) {
                errorAtKey(SourceMap.child(path, key), keyProblem, null);
            }
            String valueProblem = Names.labelValueProblem(value);
            if (valueProblem != null) {
                error(SourceMap.child(path, key), valueProblem, null);
            }
        });
    }

    private void cidrs(String path, List<String> blocks) {
        for (int i = 0; i < blocks.size(); i++) {
            if (!CIDR.matcher(blocks.get(i)).matches()) {
                error(SourceMap.index(path, i), "invalid CIDR block \"" + blocks.get(i) + "\"", "write it as 10.244.0.0/16");
            }
        }
    }

    private static String hintName(String name) {
        String suggestion = Names.suggestLabel(name);
        return suggestion == null || suggestion.equals(name) ? null : "try \"" + suggestion + "\"";
    }

    private void error(String path, String message, String hint) {
        problems.error(at.value(path), message, hint);
    }

    private void errorAtKey(String path, String message, String hint) {
        problems.error(at.key(path), message, hint);
    }

    private void warn(String path, String message, String hint) {
        problems.warning(at.value(path), message, hint);
    }
}
