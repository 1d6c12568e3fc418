package dev.lattice.engine.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Where Kubernetes Events about Lattice objects go ({@code kubectl describe} and {@code kubectl get events} show them):
 * what happened to an object, in a word ({@code reason}) and a sentence. Emitting never blocks and never fails the
 * caller; an event that cannot be written is lost, as Kubernetes' own components lose theirs.
 */
public interface Events {
    /** Events that go nowhere: the command-line tool, which reports to its user directly. */
    Events NONE = (about, warning, reason, message) -> {
    };

    /** Something happened to {@code about} (which must carry its uid): a warning, or a normal event. */
    void emit(HasMetadata about, boolean warning, String reason, String message);
}
