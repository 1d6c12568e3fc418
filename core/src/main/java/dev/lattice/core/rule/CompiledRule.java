package dev.lattice.core.rule;


/** A placement rule after compilation: ready to evaluate, or the reason it is not. */
public sealed interface CompiledRule permits PlacementRule, InvalidRule {
}
