package dev.lattice.core.model;

/** A reference to a Secret holding credentials. */
public record SecretRef(
        @Field(required = true) String name,
        @Field(doc = "Namespace of the Secret; defaults to lattice-system.") String namespace) {
}
