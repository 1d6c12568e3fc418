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

    /** Write the field as {@code {}} when it is set but empty: its presence alone means something. */
    boolean keepEmpty() default false;

    /** One line for the CRD's OpenAPI description. */
    String doc() default "";
}
