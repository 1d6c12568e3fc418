package dev.lattice.daemon.agent;

import dev.lattice.core.capi.ClusterRenderer;
import dev.lattice.daemon.reconciler.ObjectSync;
import dev.lattice.engine.kube.Coordinates;
import dev.lattice.engine.kube.RequestPool;
import dev.lattice.engine.pivot.Mover;
import dev.lattice.proto.agent.v1.AgentMessage;
import dev.lattice.proto.agent.v1.CommandResult;
import dev.lattice.proto.agent.v1.ObjectOutcome;
import dev.lattice.proto.agent.v1.ParentCommand;
import dev.lattice.proto.agent.v1.StateReport;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a parent asks of its child over the agent stream, carried out on the child: report the objects it placed here,
 * apply or delete objects (as {@link #FROM_PARENT}, through {@link ObjectSync}), hand its Cluster API objects back
 * to be deleted (unpivot), and carry out requests that came through the parent's proxy port ({@link ApiRequests}).
 * Each command gets one result, or for a proxied request the frames of its answer; a failure is a result, never a
 * broken stream.
 */
public final class ParentCommands {
    /** The source label of objects a parent placed here (see ObjectSync). */
    public static final String FROM_PARENT = "parent";
    private static final Logger LOG = LoggerFactory.getLogger(ParentCommands.class);

    private final KubernetesClient client;
    private final Supplier<String> self;
    private final ObjectSync sync;
    private final ApiRequests requests;
    /** The parent's last apply while some of its objects wait for their kind; null when none waits. */
    private Waiting waiting;

    /** The parent's apply whose objects are not all in place, and where to send its result again. */
    private record Waiting(ParentCommand command, List<GenericKubernetesResource> objects, Consumer<AgentMessage> reply) {
    }

    /** @param unserved why this cluster cannot take an object's kind yet (its CRD is not served), or null when it can */
    public ParentCommands(KubernetesClient client, Supplier<String> self, Function<Coordinates, String> unserved, RequestPool pool) {
        this.client = client;
        this.self = self;
        this.sync = new ObjectSync(client, unserved, pool);
        this.requests = new ApiRequests(client);
    }

    /**
     * Carries out one command from the parent, sending what it answers to {@code reply}: one result at once, or for a
     * request through the parent's proxy, the frames of its answer as they come.
     */
    void handle(ParentCommand command, Consumer<AgentMessage> reply) {
        switch (command.getPayloadCase()) {
            case KUBE_REQUEST -> requests.start(command.getId(), command.getKubeRequest(), reply);
            case KUBE_CANCEL -> requests.cancel(command.getKubeCancel().getRequestId());
            default -> reply.accept(carryOut(command, reply));
        }
    }

    /** The stream to the parent closed: the proxy's requests have no one left to answer. */
    void streamClosed() {
        requests.cancelAll();
        synchronized (this) {
            waiting = null; // the next stream brings the parent's objects again
        }
    }

    /**
     * The kinds this cluster serves changed (a CRD came or went): the parent's objects that waited for their kind are
     * applied now, in the background, and the parent gets the apply's result again with what is still not in place.
     */
    public void kindsChanged() {
        CompletableFuture.runAsync(() -> {
            Waiting w;
            AgentMessage result;
            synchronized (this) {
                w = waiting;
                if (w == null) {
                    return;
                }
                result = applied(w.command(), w.objects(), w.reply());
            }
            w.reply().accept(result);
        }).exceptionally(e -> {
            LOG.warn("applying the parent's objects that waited for their kinds failed: {}", e.getMessage());
            return null;
        });
    }

    /** Carries out one command from the parent; the result says how it went, and goes to {@code reply}. */
    private AgentMessage carryOut(ParentCommand command, Consumer<AgentMessage> reply) {
        try {
            switch (command.getPayloadCase()) {
                case STATE_SYNC -> {
                    StateReport.Builder report = StateReport.newBuilder();
                    sync.held(FROM_PARENT).forEach(r -> report.addObjects(AgentServer.toProto(r)));
                    return AgentMessage.newBuilder().setState(report).build();
                }
                case APPLY -> {
                    List<GenericKubernetesResource> objects = new ArrayList<>();
                    for (String json : command.getApply().getObjectsJsonList()) {
                        objects.add(client.getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class));
                    }
                    synchronized (this) {
                        return applied(command, objects, reply);
                    }
                }
                case DELETE -> {
                    Map<Coordinates, String> failed = sync.delete(command.getDelete().getObjectsList().stream().map(AgentServer::fromProto).toList());
                    if (!failed.isEmpty()) {
                        return result(command, false, "could not delete " + failed.size() + " objects: "
                                + failed.entrySet().stream().limit(3).map(e -> e.getKey() + ": " + e.getValue()).toList());
                    }
                    return result(command, true, "deleted " + command.getDelete().getObjectsCount() + " objects");
                }
                case UNPIVOT -> {
                    // The parent takes this cluster's Cluster API objects over to delete it: they stay here, paused.
                    String name = self.get();
                    List<GenericKubernetesResource> graph = new Mover(client, null, new Mover.Listener() {
                    }).export(ClusterRenderer.namespaceOf(name), name);
                    CommandResult.Builder result = CommandResult.newBuilder().setCommandId(command.getId()).setOk(true)
                            .setMessage("paused; " + graph.size() + " Cluster API objects handed to the parent");
                    for (GenericKubernetesResource o : graph) {
                        result.addObjectsJson(client.getKubernetesSerialization().asJson(o));
                    }
                    LOG.info("unpivot: paused {} and handed its {} Cluster API objects to the parent", name, graph.size());
                    return AgentMessage.newBuilder().setResult(result).build();
                }
                default -> {
                    return result(command, false, "unknown command: this agent is older than its parent");
                }
            }
        } catch (Exception e) {
            LOG.warn("command {} from the parent failed: {}", command.getPayloadCase(), e.getMessage());
            return result(command, false, String.valueOf(e.getMessage()));
        }
    }

    /** Applies the parent's {@code objects}, remembers them if some wait for their kind, and says how it went. */
    private AgentMessage applied(ParentCommand command, List<GenericKubernetesResource> objects, Consumer<AgentMessage> reply) {
        ObjectSync.Outcome outcome = sync.apply(FROM_PARENT, objects);
        waiting = outcome.waiting().isEmpty() ? null : new Waiting(command, objects, reply);
        int inPlace = objects.size() - outcome.waiting().size() - outcome.failed().size();
        StringBuilder message = new StringBuilder(inPlace + " of " + objects.size() + " objects in place");
        if (!outcome.waiting().isEmpty()) {
            message.append("; ").append(outcome.waiting().size()).append(" wait for their kind");
        }
        if (!outcome.failed().isEmpty()) {
            message.append("; refused: ").append(outcome.failed().entrySet().stream().limit(3)
                    .map(e -> e.getKey() + ": " + e.getValue()).toList());
        }
        CommandResult.Builder result = CommandResult.newBuilder().setCommandId(command.getId()).setOk(outcome.failed().isEmpty())
                .setMessage(message.toString());
        outcome.waiting().forEach((ref, why) -> result.addWaiting(outcome(ref, why)));
        outcome.failed().forEach((ref, why) -> result.addFailed(outcome(ref, why)));
        return AgentMessage.newBuilder().setResult(result).build();
    }

    private static ObjectOutcome outcome(Coordinates ref, String why) {
        return ObjectOutcome.newBuilder().setObject(AgentServer.toProto(ref)).setReason(why).build();
    }

    private static AgentMessage result(ParentCommand command, boolean ok, String message) {
        return AgentMessage.newBuilder().setResult(CommandResult.newBuilder().setCommandId(command.getId()).setOk(ok)
                .setMessage(message)).build();
    }

}
