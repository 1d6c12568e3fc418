package dev.lattice.cli.command;

import dev.lattice.core.LatticeException;
import dev.lattice.core.model.Quantity;
import dev.lattice.core.parse.InputReader;
import java.util.Map;
import java.util.Optional;

/** How much a command reads from {@code -f} at most: {@code LATTICE_MAX_INPUT_SIZE}, else the parser's default. */
final class InputLimit {
    static final String VARIABLE = "LATTICE_MAX_INPUT_SIZE";

    private InputLimit() {
    }

    static InputReader.Limits from(Map<String, String> environment) {
        String raw = environment.get(VARIABLE);
        String howToRaise = "set " + VARIABLE + " higher (now " + (raw == null ? "16Mi, the default" : raw) + ")";
        if (raw == null || raw.isBlank()) {
            return new InputReader.Limits(InputReader.DEFAULT_MAX_BYTES, howToRaise);
        }
        Optional<Quantity> size = Quantity.tryParse(raw);
        if (size.isEmpty() || size.get().isNegative() || size.get().value().signum() == 0
                || size.get().value().compareTo(java.math.BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
            throw new LatticeException(VARIABLE + " is " + raw + ", not a size between 1 and 2Gi",
                    "set it to a quantity such as 64Mi, or unset it for the default of 16Mi");
        }
        return new InputReader.Limits(size.get().ceilUnits().longValueExact(), howToRaise);
    }
}
