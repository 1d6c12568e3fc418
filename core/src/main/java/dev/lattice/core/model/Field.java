package dev.lattice.core.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How a record component appears on the wire. The parser, the canonical writer and the CRD generator all
 * read it, so the three cannot disagree.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
public @interface Field {
    /** The wire name; empty means the component's own name. */
    String name() default "";

    /** Other names accepted on input; output always uses {@link #name()}. */
    String[] aliases() default {};

    boolean required() default false;

    long min() default Long.MIN_VALUE;

    long max() default Long.MAX_VALUE;

    /**
     * Most characters a string field holds; 0 means {@link #DEFAULT_MAX_LENGTH}. Kubernetes bounds every string
     * the same way (names 63 or 253, condition messages 32768), and the CRDs carry the bound as maxLength.
     */
    int maxLength() default 0;

    /** The naming rule a string field follows. */
    Format format() default Format.FREE;

    /** Characters a string field holds unless it says otherwise. */
    int DEFAULT_MAX_LENGTH = 1024;

    /** Naming rules for string fields that name Kubernetes objects. */
    enum Format {
        /** Any text within the length bound. */
        FREE,
        /** A DNS-1123 label: at most 63 of [a-z0-9-], starting and ending with a letter or digit (namespaces, our objects). */
        DNS_LABEL,
        /** A DNS-1123 subdomain: at most 253 characters, labels joined by dots (Secrets and most other objects). */
        DNS_SUBDOMAIN
    }

    /** Write the field as {@code {}} when it is set but empty: its presence alone means something. */
    boolean keepEmpty() default false;

    /** One line for the CRD's OpenAPI description. */
    String doc() default "";
}
