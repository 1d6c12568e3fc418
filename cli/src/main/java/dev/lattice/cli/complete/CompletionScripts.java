package dev.lattice.cli.complete;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Shell completion scripts written from the command model: picocli's {@link AutoComplete} for bash (zsh loads the
 * same script through bashcompinit), plus a layer that asks {@code lattice __complete} for the values only known at
 * completion time ({@link Dynamic}); fish's script is written here from the same model.
 */
public final class CompletionScripts {
    /** The hidden command the scripts call for dynamic values. */
    public static final String COMPLETE_COMMAND = "__complete";

    private CompletionScripts() {
    }

    /** For bash, and for zsh through bashcompinit. */
    public static String bash(CommandLine root) {
        String name = root.getCommandName();
        Map<Dynamic.Kind, Set<String>> dynamic = dynamicOptions(root.getCommandSpec());
        StringBuilder s = new StringBuilder(AutoComplete.bash(name, root));
        s.append("""

                # Values only known when completing come from `%1$s %2$s -- OPTION WORDS...` (kubeconfig contexts,
                # cluster and pool names, read from the -f files on the command line or from the cluster); file
                # arguments from the shell. Everything else comes from picocli's functions above.
                function _%1$s_complete() {
                  local curr_word=${COMP_WORDS[COMP_CWORD]}
                  local prev_word=${COMP_WORDS[COMP_CWORD-1]}
                  case "${prev_word}" in
                """.formatted(name, COMPLETE_COMMAND));
        if (!dynamic.get(Dynamic.Kind.FILE).isEmpty()) {
            s.append("    ").append(alternatives(dynamic.get(Dynamic.Kind.FILE))).append(")\n").append("""
                          type compopt &>/dev/null && compopt -o filenames
                          local IFS=$'\\n'
                          COMPREPLY=( $(compgen -f -- "${curr_word}") )
                          return 0
                          ;;
                    """);
        }
        Set<String> asked = new TreeSet<>();
        dynamic.forEach((kind, options) -> {
            if (kind != Dynamic.Kind.FILE) {
                asked.addAll(options);
            }
        });
        if (!asked.isEmpty()) {
            s.append("    ").append(alternatives(asked)).append(")\n").append("""
                          local IFS=$'\\n'
                          COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" %s -- "${prev_word}" "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "${curr_word}") )
                          return 0
                          ;;
                    """.formatted(COMPLETE_COMMAND));
        }
        s.append("  esac\n");
        for (Map.Entry<String, String> positional : dynamicPositionals(root).entrySet()) {
            s.append("""
                      if [[ "${curr_word}" != -* && "${prev_word}" != -* ]] && CompWordsContainsArray %s; then
                        local IFS=$'\\n'
                        COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" %s -- %s "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)" -- "${curr_word}") )
                        return 0
                      fi
                    """.formatted(positional.getKey(), COMPLETE_COMMAND, positional.getValue()));
        }
        s.append("""
                  _complete_%1$s "$@"
                }

                complete -F _%1$s_complete -o default %1$s
                """.formatted(name));
        return s.toString();
    }

    /** For zsh: the bash script, which loads zsh's bashcompinit itself when zsh sources it. */
    public static String zsh(CommandLine root) {
        return bash(root);
    }

    /** For fish, from the same model: subcommands, options with their values, and the dynamic values. */
    public static String fish(CommandLine root) {
        String name = root.getCommandName();
        StringBuilder s = new StringBuilder();
        s.append("# fish completion for ").append(name).append(", written from its commands: ")
                .append(name).append(" completion fish > ~/.config/fish/completions/").append(name).append(".fish\n\n");
        s.append("function __").append(name).append("_values --description 'values only known when completing'\n")
                .append("    set -l words (commandline -opc)\n")
                .append("    command ").append(name).append(' ').append(COMPLETE_COMMAND).append(" -- $argv[1] $words[2..-1] 2>/dev/null\n")
                .append("end\n\n");
        s.append("complete -c ").append(name).append(" -f\n");
        fishCommand(s, name, root, new ArrayList<>());
        return s.toString();
    }

    private static void fishCommand(StringBuilder s, String name, CommandLine cmd, List<String> path) {
        List<CommandLine> subs = visible(cmd);
        String here = fishCondition(cmd, path);
        s.append('\n');
        for (CommandLine sub : subs) {
            s.append("complete -c ").append(name).append(" -n ").append(quote(here)).append(" -a ").append(sub.getCommandName())
                    .append(" -d ").append(quote(summary(sub.getCommandSpec().usageMessage().description()))).append('\n');
        }
        for (OptionSpec option : cmd.getCommandSpec().options()) {
            if (option.hidden()) {
                continue;
            }
            s.append("complete -c ").append(name).append(" -n ").append(quote(here));
            for (String n : option.names()) {
                s.append(n.startsWith("--") ? " -l " + n.substring(2) : " -s " + n.substring(1));
            }
            if (option.arity().max() > 0) {
                s.append(fishValues(name, option.completionCandidates(), option.longestName(), option.type()));
            }
            s.append(" -d ").append(quote(summary(option.description()))).append('\n');
        }
        for (PositionalParamSpec positional : cmd.getCommandSpec().positionalParameters()) {
            if (!positional.hidden() && positional.completionCandidates() != null) {
                s.append("complete -c ").append(name).append(" -n ").append(quote(here))
                        .append(fishValues(name, positional.completionCandidates(), positional.paramLabel(), positional.type()))
                        .append(" -d ").append(quote(summary(positional.description()))).append('\n');
            }
        }
        for (CommandLine sub : subs) {
            List<String> deeper = new ArrayList<>(path);
            deeper.add(sub.getCommandName());
            fishCommand(s, name, sub, deeper);
        }
    }

    /** Fish's condition for "this command is the one being completed". */
    private static String fishCondition(CommandLine cmd, List<String> path) {
        List<String> parts = new ArrayList<>();
        if (path.isEmpty()) {
            parts.add("__fish_use_subcommand");
        }
        for (String word : path) {
            parts.add("__fish_seen_subcommand_from " + word);
        }
        List<String> subs = visible(cmd).stream().map(CommandLine::getCommandName).toList();
        if (!path.isEmpty() && !subs.isEmpty()) {
            parts.add("not __fish_seen_subcommand_from " + String.join(" ", subs));
        }
        return String.join("; and ", parts);
    }

    private static String fishValues(String name, Iterable<String> candidates, String option, Class<?> type) {
        if (candidates instanceof Dynamic dynamic) {
            return dynamic.kind() == Dynamic.Kind.FILE ? " -r -F"
                    : " -x -a " + quote("(__" + name + "_values " + option + ")");
        }
        if (candidates != null && candidates.iterator().hasNext()) {
            return " -x -a " + quote(String.join(" ", candidates));
        }
        if (type == java.nio.file.Path.class || type == java.io.File.class) {
            return " -r -F";
        }
        return " -x";
    }

    /** Commands (as their words after the root) with a {@link Dynamic} positional, and that positional's label. */
    static Map<String, String> dynamicPositionals(CommandLine root) {
        Map<String, String> found = new LinkedHashMap<>();
        collectPositionals(root, "", found);
        return found;
    }

    private static void collectPositionals(CommandLine cmd, String path, Map<String, String> found) {
        for (PositionalParamSpec positional : cmd.getCommandSpec().positionalParameters()) {
            if (positional.completionCandidates() instanceof Dynamic && !path.isEmpty()) {
                found.put(path.strip(), positional.paramLabel());
            }
        }
        for (CommandLine sub : visible(cmd)) {
            collectPositionals(sub, path + " " + sub.getCommandName(), found);
        }
    }

    /** Options (by name) whose values are {@link Dynamic}, per kind, across the whole tree. */
    static Map<Dynamic.Kind, Set<String>> dynamicOptions(CommandSpec root) {
        Map<Dynamic.Kind, Set<String>> found = new LinkedHashMap<>();
        for (Dynamic.Kind kind : Dynamic.Kind.values()) {
            found.put(kind, new TreeSet<>());
        }
        collect(root, found);
        return found;
    }

    private static void collect(CommandSpec spec, Map<Dynamic.Kind, Set<String>> found) {
        for (OptionSpec option : spec.options()) {
            if (option.completionCandidates() instanceof Dynamic dynamic) {
                found.get(dynamic.kind()).addAll(List.of(option.names()));
            }
        }
        spec.subcommands().values().forEach(sub -> collect(sub.getCommandSpec(), found));
    }

    private static List<CommandLine> visible(CommandLine cmd) {
        return cmd.getSubcommands().values().stream().distinct()
                .filter(sub -> !sub.getCommandSpec().usageMessage().hidden()).toList();
    }

    private static String alternatives(Set<String> options) {
        return String.join("|", options.stream().map(o -> "'" + o + "'").toList());
    }

    /** The first sentence of a description, without picocli's variables, for a one-line hint. */
    static String summary(String[] description) {
        if (description.length == 0) {
            return "";
        }
        String first = description[0];
        int variable = first.indexOf("${");
        if (variable >= 0) {
            first = first.substring(0, variable);
        }
        int stop = first.replace("e.g. ", "e.g._").replace("i.e. ", "i.e._").indexOf(". ");
        if (stop >= 0) {
            first = first.substring(0, stop);
        }
        first = first.strip();
        first = first.endsWith(".") || first.endsWith(":") || first.endsWith("(") ? first.substring(0, first.length() - 1).strip() : first;
        return first;
    }

    private static String quote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
