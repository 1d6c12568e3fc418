package dev.lattice.cli.complete;

import java.util.Collections;
import java.util.Iterator;

/**
 * Marks an option whose values are only known when completing (files, kubeconfig contexts, cluster and pool names),
 * as its {@code completionCandidates}. Generating a script lists none, so the script asks {@code lattice __complete}
 * for them on each Tab instead of carrying a list from the build machine.
 */
public abstract class Dynamic implements Iterable<String> {

    /** What the option names: a file, a kubeconfig context, a LatticeCluster, a pool, a warm pool, any pool, a claim. */
    public enum Kind { FILE, CONTEXT, CLUSTER, POOL, WARM_POOL, ANY_POOL, CLAIM }

    private final Kind kind;

    Dynamic(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public Iterator<String> iterator() {
        return Collections.emptyIterator();
    }

    /** A file or directory, or {@code -} for stdin. */
    public static final class Files extends Dynamic {
        public Files() {
            super(Kind.FILE);
        }
    }

    /** A context of the kubeconfig. */
    public static final class Contexts extends Dynamic {
        public Contexts() {
            super(Kind.CONTEXT);
        }
    }

    /** A LatticeCluster's name. */
    public static final class Clusters extends Dynamic {
        public Clusters() {
            super(Kind.CLUSTER);
        }
    }

    /** A StaticPool's or CloudPool's name. */
    public static final class Pools extends Dynamic {
        public Pools() {
            super(Kind.POOL);
        }
    }

    /** A WarmPool's name. */
    public static final class WarmPools extends Dynamic {
        public WarmPools() {
            super(Kind.WARM_POOL);
        }
    }

    /** A StaticPool's, CloudPool's or WarmPool's name. */
    public static final class AnyPools extends Dynamic {
        public AnyPools() {
            super(Kind.ANY_POOL);
        }
    }

    /** A ClusterClaim's name. */
    public static final class Claims extends Dynamic {
        public Claims() {
            super(Kind.CLAIM);
        }
    }
}
