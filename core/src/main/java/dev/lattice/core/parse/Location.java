package dev.lattice.core.parse;


/** A place in a user's input: file, 1-based line and column (0 when the place is the whole file). */
public record Location(String file, int line, int column) {

    public static Location ofFile(String file) {
        return new Location(file, 0, 0);
    }

    @Override
    public String toString() {
        return line <= 0 ? file : file + ":" + line + ":" + column;
    }
}
