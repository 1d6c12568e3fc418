package dev.lattice.cli.output;

/** Output formats every command that prints data supports. */
public enum Format {
    table, json, yaml
}
