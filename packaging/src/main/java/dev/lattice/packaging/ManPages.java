package dev.lattice.packaging;

import dev.lattice.cli.command.LatticeCommand;
import dev.lattice.cli.command.VersionCommand.Client;
import java.io.File;
import java.io.IOException;
import picocli.CommandLine.Model.CommandSpec;
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
        CommandSpec spec = LatticeCommand.commandLine().getCommandSpec();
        // Every page's footer shows its source as man pages do, "lattice VERSION", beside the build date. The rest of
        // --version's first line would not fit an 80-column footer, and AsciiDoc blanks its build time's colons.
        stamp(spec, "lattice " + Client.current().version());
        int code = ManPageGenerator.generateManPage(out, null, new boolean[0], true, spec);
        if (code != 0) {
            throw new IOException("man page generation failed with " + code);
        }
    }

    private static void stamp(CommandSpec spec, String version) {
        spec.versionProvider(() -> new String[] {version});
        spec.subcommands().values().forEach(sub -> stamp(sub.getCommandSpec(), version));
    }
}
