package dev.lattice.cli.output;

import dev.lattice.core.io.Documents;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints a command's result as a kubectl-like table, JSON or YAML. The one printer all commands share. */
public final class Printer {
    private final PrintWriter out;
    private final Format format;

    public Printer(PrintWriter out, Format format) {
        this.out = out;
        this.format = format;
    }

    /**
     * Prints {@code data} (plain maps and lists) as JSON or YAML, or {@code table} when the format is table.
     */
    public void print(Object data, Table table) {
        print(data, table::render);
    }

    /** Prints {@code data} as JSON or YAML, or the text {@code table} renders when the format is a table. */
    public void print(Object data, java.util.function.Supplier<String> table) {
        print(data, table, () -> Documents.yaml(data));
    }

    /**
     * Prints {@code data} as JSON, the text {@code yaml} renders as YAML (a multi-document stream of objects, say),
     * or the text {@code table} renders when the format is a table.
     */
    public void print(Object data, java.util.function.Supplier<String> table, java.util.function.Supplier<String> yaml) {
        switch (format) {
            case json:
                out.print(Documents.json(data));
                break;
            case yaml:
                out.print(yaml.get());
                break;
            default:
                out.print(table.get());
                break;
        }
        out.flush();
    }

    /** A table with kubectl's look: upper-case headers, columns padded with three spaces. */
    public static final class Table {
        private final List<String> headers;
        private final List<List<String>> rows = new ArrayList<>();

        public Table(String... headers) {
            this.headers = List.of(headers);
        }

        public Table row(Object... cells) {
            List<String> row = new ArrayList<>();
            for (Object cell : cells) {
                row.add(cell == null ? "<none>" : String.valueOf(cell));
            }
            rows.add(row);
            return this;
        }

        /** True before any row. */
        public boolean isEmpty() {
            return rows.isEmpty();
        }

        public String render() {
            int[] widths = new int[headers.size()];
            for (int i = 0; i < headers.size(); i++) {
                widths[i] = headers.get(i).length();
                for (List<String> row : rows) {
                    widths[i] = Math.max(widths[i], row.get(i).length());
                }
            }
            StringBuilder sb = new StringBuilder();
            line(sb, headers, widths);
            rows.forEach(r -> line(sb, r, widths));
            return sb.toString();
        }

        private static void line(StringBuilder sb, List<String> cells, int[] widths) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                l.append(cells.get(i));
                if (i < cells.size() - 1) {
                    l.append(" ".repeat(widths[i] - cells.get(i).length() + 3));
                }
            }
            sb.append(l.toString().stripTrailing()).append('\n');
        }
    }
}
