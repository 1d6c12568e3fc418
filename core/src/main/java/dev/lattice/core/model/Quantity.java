package dev.lattice.core.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An exact Kubernetes resource quantity ({@code 100m}, {@code 2}, {@code 16Gi}, {@code 10Ti}, {@code 500T}).
 *
 * <p>Arithmetic is exact; like Kubernetes, precision below one nano-unit is rounded up. The canonical form
 * follows Kubernetes: binary suffixes stay binary where the value allows it, otherwise the largest decimal
 * suffix that keeps the number whole.
 */
public final class Quantity implements Comparable<Quantity> {

    /** How a quantity was written, which decides how it is printed back. */
    public enum Format { BINARY_SI, DECIMAL_SI, DECIMAL_EXPONENT }

    public static final Quantity ZERO = new Quantity(BigDecimal.ZERO, Format.DECIMAL_SI);

    private static final Pattern SYNTAX =
            Pattern.compile("([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");
    private static final String[] BINARY = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    private static final BigDecimal KI = BigDecimal.valueOf(1024);
    private static final int NANO = 9;

    private final BigDecimal value;
    private final Format format;

    private Quantity(BigDecimal value, Format format) {
        this.value = roundUpToNano(value);
        this.format = format;
    }

    /** Parses Kubernetes quantity syntax; empty when the text is not a quantity. */
    public static Optional<Quantity> tryParse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = SYNTAX.matcher(text.trim());
        if (!m.matches() || text.trim().isEmpty()) {
            return Optional.empty();
        }
        BigDecimal number = new BigDecimal(m.group(1));
        String suffix = m.group(2) == null ? "" : m.group(2);
        // "E" and "Ei" are exa and exbi; only an e or E followed by digits is an exponent.
        if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E') && suffix.charAt(1) != 'i') {
            int exponent;
            try {
                exponent = Integer.parseInt(suffix.substring(1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (Math.abs(exponent) > 100) {
                return Optional.empty();
            }
            return Optional.of(new Quantity(number.scaleByPowerOfTen(exponent), Format.DECIMAL_EXPONENT));
        }
        for (int i = 1; i < BINARY.length; i++) {
            if (BINARY[i].equals(suffix)) {
                return Optional.of(new Quantity(number.multiply(KI.pow(i)), Format.BINARY_SI));
            }
        }
        return Optional.of(new Quantity(number.scaleByPowerOfTen(decimalExponent(suffix)), Format.DECIMAL_SI));
    }

    /** Parses Kubernetes quantity syntax, throwing {@link IllegalArgumentException} on bad input. */
    public static Quantity parse(String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException("invalid quantity \"" + text + "\""));
    }

    public static Quantity ofMillis(long millis) {
        return new Quantity(BigDecimal.valueOf(millis, 3), Format.DECIMAL_SI);
    }

    public static Quantity ofBytes(BigInteger bytes) {
        return new Quantity(new BigDecimal(bytes), Format.BINARY_SI);
    }

    /** Bytes counted in decimal units (disks sold in GB), printed with decimal suffixes. */
    public static Quantity ofDecimalBytes(BigInteger bytes) {
        return new Quantity(new BigDecimal(bytes), Format.DECIMAL_SI);
    }

    public BigDecimal value() {
        return value;
    }

    public Format format() {
        return format;
    }

    public boolean isNegative() {
        return value.signum() < 0;
    }

    public Quantity plus(Quantity other) {
        return new Quantity(value.add(other.value), format);
    }

    public Quantity minus(Quantity other) {
        return new Quantity(value.subtract(other.value), format);
    }

    public Quantity times(long factor) {
        return new Quantity(value.multiply(BigDecimal.valueOf(factor)), format);
    }

    /** The value in thousandths, rounded up (how Kubernetes counts CPU). */
    public long millis() {
        return value.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** The value as a whole number, rounded up (how Kubernetes counts bytes). */
    public BigInteger ceilUnits() {
        return value.setScale(0, RoundingMode.CEILING).toBigIntegerExact();
    }

    @Override
    public int compareTo(Quantity other) {
        return value.compareTo(other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && value.compareTo(q.value) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(value.stripTrailingZeros());
    }

    /** The canonical Kubernetes string form. */
    @Override
    public String toString() {
        if (value.signum() == 0) {
            return "0";
        }
        if (format == Format.BINARY_SI && isWhole(value)) {
            // Kubernetes keeps a binary quantity binary only when the whole value is representable that way.
            BigDecimal v = value;
            int i = 0;
            while (i < BINARY.length - 1 && isWhole(v.divide(KI)) && v.abs().compareTo(KI) >= 0) {
                v = v.divide(KI);
                i++;
            }
            if (i > 0 || v.abs().compareTo(KI) < 0) {
                return v.toBigIntegerExact() + BINARY[i];
            }
        }
        return decimal(format == Format.DECIMAL_EXPONENT);
    }

    private String decimal(boolean exponentForm) {
        // Smallest exponent multiple of 3 that keeps the mantissa whole, then the largest one that still does.
        BigDecimal stripped = value.stripTrailingZeros();
        int exponent = -stripped.scale();
        int e3 = Math.floorDiv(exponent, 3) * 3;
        e3 = Math.max(-NANO, Math.min(e3, 18));
        while (e3 > -NANO && !isWhole(value.movePointLeft(e3))) {
            e3 -= 3;
        }
        BigInteger mantissa = value.movePointLeft(e3).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
        if (exponentForm) {
            return e3 == 0 ? mantissa.toString() : mantissa + "e" + e3;
        }
        return mantissa + decimalSuffix(e3);
    }

    private static boolean isWhole(BigDecimal v) {
        return v.signum() == 0 || v.stripTrailingZeros().scale() <= 0;
    }

    private static BigDecimal roundUpToNano(BigDecimal v) {
        return v.scale() > NANO ? v.setScale(NANO, RoundingMode.CEILING) : v;
    }

    private static int decimalExponent(String suffix) {
        switch (suffix) {
            case "n": return -9;
            case "u": return -6;
            case "m": return -3;
            case "": return 0;
            case "k": return 3;
            case "M": return 6;
            case "G": return 9;
            case "T": return 12;
            case "P": return 15;
            case "E": return 18;
            default: throw new IllegalStateException("unreachable suffix " + suffix);
        }
    }

    private static String decimalSuffix(int exponent) {
        switch (exponent) {
            case -9: return "n";
            case -6: return "u";
            case -3: return "m";
            case 0: return "";
            case 3: return "k";
            case 6: return "M";
            case 9: return "G";
            case 12: return "T";
            case 15: return "P";
            case 18: return "E";
            default: throw new IllegalStateException("unreachable exponent " + exponent);
        }
    }
}
