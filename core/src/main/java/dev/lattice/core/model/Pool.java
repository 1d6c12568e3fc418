package dev.lattice.core.model;

import java.util.List;

/** A StaticPool or a CloudPool: what clusters draw on, whichever kind it is. */
public sealed interface Pool extends LatticeObject permits StaticPool, CloudPool {

    /** The infrastructure provider the pool's machines come from. */
    Provider provider();

    /** The Secret holding the provider's credentials, or null. */
    SecretRef credentialsRef();

    /** Whether the pool serves many clusters or exactly one. */
    Sharing sharing();

    /** A pool's status, whichever kind it is. */
    interface Status {
        List<Condition> conditions();
    }
}
