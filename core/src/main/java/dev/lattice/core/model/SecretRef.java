package dev.lattice.core.model;

/** A reference to a Secret holding credentials. */
public record SecretRef(
        @Field(required = true, format = Field.Format.DNS_SUBDOMAIN) String name,
        @Field(format = Field.Format.DNS_LABEL, doc = "Namespace of the Secret; defaults to lattice-system.") String namespace) {
}
