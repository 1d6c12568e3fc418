package dev.lattice.core.parse;

import java.util.ArrayList;
import java.util.List;

/** Collects every problem of a run, so a user sees them all at once. */
public final class Problems {
    private final List<Problem> list = new ArrayList<>();

    public void error(Location at, String message) {
        list.add(Problem.error(at, message, null));
    }

    public void error(Location at, String message, String hint) {
        list.add(Problem.error(at, message, hint));
    }

    public void warning(Location at, String message, String hint) {
        list.add(Problem.warning(at, message, hint));
    }

    public void add(Problem problem) {
        list.add(problem);
    }

    public void addAll(Problems other) {
        list.addAll(other.list);
    }

    /** True when nothing was found, not even a warning. */
    public boolean isEmpty() {
        return list.isEmpty();
    }

    public boolean hasErrors() {
        return list.stream().anyMatch(Problem::isError);
    }

    public int errorCount() {
        return (int) list.stream().filter(Problem::isError).count();
    }

    /** All problems, sorted by where they are, each place once. */
    public List<Problem> sorted() {
        return list.stream().distinct().sorted(Problem.BY_LOCATION).toList();
    }
}
