package dev.lattice.core.rule;


/** Why a placement rule does not compile; {@code line} and {@code column} count from 1 within the rule, 0 when unknown. */
public record InvalidRule(String message, String hint, int line, int column) implements CompiledRule {
}
