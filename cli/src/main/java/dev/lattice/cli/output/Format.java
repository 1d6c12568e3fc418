package dev.lattice.cli.output;

/** Output formats every command that prints data supports; {@code wide} is a table with more detail where a command has it. */
public enum Format {
    table, wide, json, yaml
}
