package dev.lattice.cli.command;

import dev.lattice.engine.warm.Claims;
import picocli.CommandLine.Option;

/** {@code -n}: the namespace of the claims a command works on. */
public final class ClaimNamespace {

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
            description = "The claims' namespace (default: the kubeconfig context's, else default).")
    String namespace;

    /** The namespace named, else the kubeconfig context's, else {@code default}. */
    String of(Claims claims) {
        return namespace != null ? namespace : claims.defaultNamespace();
    }
}
