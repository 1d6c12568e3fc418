package dev.lattice.core.parse;

import dev.lattice.core.LatticeException;
import java.util.List;

/** The user's input has problems; nothing was done. Carries every problem found. */
public final class InvalidInputException extends LatticeException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public InvalidInputException(List<Problem> problems) {
        super(summary(problems), "fix the input and run the command again");
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String summary(List<Problem> problems) {
        long errors = problems.stream().filter(Problem::isError).count();
        return "invalid input: " + errors + (errors == 1 ? " problem" : " problems") + " found; nothing was changed";
    }
}
