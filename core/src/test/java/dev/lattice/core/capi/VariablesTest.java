package dev.lattice.core.capi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VariablesTest {
    private static final Map<String, String> ENV = Map.of("REGION", "eu-west-1", "EMPTY", "", "PRICE", "$5 \\o/");

    @Test
    void replacesSetVariablesAndNamesTheMissingOnes() {
        Variables.Result r = Variables.substitute("region: ${REGION}\nkey: ${SSH_KEY}\nagain: ${SSH_KEY}", ENV);
        assertThat(r.text()).isEqualTo("region: eu-west-1\nkey: ${SSH_KEY}\nagain: ${SSH_KEY}");
        assertThat(r.missing()).containsExactly("SSH_KEY");
    }

    @Test
    void colonDefaultsCoverUnsetAndEmptyPlainDefaultsOnlyUnset() {
        assertThat(Variables.substitute("${UNSET:=a} ${EMPTY:=b} ${UNSET:-c} ${EMPTY:-d} ${UNSET=e} ${EMPTY=f} ${UNSET-g}", ENV).text())
                .isEqualTo("a b c d e  g");
        assertThat(Variables.substitute("${REGION:=other} ${NS:=}", ENV).text()).isEqualTo("eu-west-1 ");
        assertThat(Variables.substitute("${UNSET:=x}", ENV).missing()).isEmpty();
    }

    @Test
    void valuesAreTakenLiterallyAndOtherDollarsAreLeftAlone() {
        assertThat(Variables.substitute("price ${PRICE}; shell $HOME and $(cat x) and ${1x} ${a b}", ENV).text())
                .isEqualTo("price $5 \\o/; shell $HOME and $(cat x) and ${1x} ${a b}");
    }

    @Test
    void listsEveryReferencedName() {
        assertThat(Variables.referenced("${B:=1} ${A} ${B}")).containsExactly("A", "B");
    }
}
