package dev.lattice.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource({
        "100m, 100m",
        "0.1, 100m",
        "2, 2",
        "16Gi, 16Gi",
        "1.5Gi, 1536Mi",
        "10Ti, 10Ti",
        "1024Gi, 1Ti",
        "500T, 500T",
        "1000, 1k",
        "1500, 1500",
        "1e3, 1e3",
        "0.5, 500m",
        "1n, 1n",
        "0.0000000001, 1n",
        "2560, 2560",
        "0, 0",
        "+3, 3",
        "12e6, 12e6",
        "2E, 2E",
        "1Ei, 1Ei",
        "3e+2, 300",
    })
    @DisplayName("prints the canonical Kubernetes form")
    void canonicalForm(String input, String expected) {
        assertThat(Quantity.parse(input)).hasToString(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "10TB", "1.2.3", "Gi", "1 Gi", "--1", "1e", "1x"})
    void rejectsWhatKubernetesRejects(String input) {
        assertThat(Quantity.tryParse(input)).isEmpty();
        assertThatThrownBy(() -> Quantity.parse(input)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void arithmeticIsExact() {
        Quantity large = Quantity.parse("64Gi");
        assertThat(large.times(30).plus(Quantity.parse("32Gi").times(3))).hasToString("2016Gi");
        assertThat(Quantity.parse("10Ti").minus(Quantity.parse("3120Gi"))).hasToString("7120Gi");
        assertThat(Quantity.parse("100m").times(3).millis()).isEqualTo(300);
        assertThat(Quantity.parse("3.2Ti").ceilUnits()).isEqualTo(new BigInteger("3518437208884"));
        assertThat(Quantity.parse("500T").ceilUnits()).isEqualTo(new BigInteger("500000000000000"));
    }

    @Test
    void equalityIsByValueNotBySpelling() {
        assertThat(Quantity.parse("1Ki")).isEqualTo(Quantity.parse("1024"));
        assertThat(Quantity.parse("1Ki").hashCode()).isEqualTo(Quantity.parse("1024").hashCode());
        assertThat(Quantity.parse("0.5")).isEqualTo(Quantity.parse("500m"));
        assertThat(Quantity.parse("1G")).isLessThan(Quantity.parse("1Gi"));
    }
}
