package dev.lattice.packaging;

import dev.lattice.cli.LatticeCommand;
import java.io.File;
import java.io.IOException;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Build step of the distribution: an AsciiDoc man page for lattice and each of its commands (picocli-codegen's
 * generator, over the same command tree the tool runs), which asciidoctor then renders as man(1) pages.
 */
public final class ManPages {
    private ManPages() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ManPages OUTPUT_DIR");
        }
        File out = new File(args[0]);
        if (!out.isDirectory() && !out.mkdirs()) {
            throw new IOException("cannot create " + out);
        }
        int code = ManPageGenerator.generateManPage(out, null, new boolean[0], true, LatticeCommand.commandLine().getCommandSpec());
        if (code != 0) {
            throw new IOException("man page generation failed with " + code);
        }
    }
}
