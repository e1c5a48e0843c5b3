package io.qkms.pipeline;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The job's command line before Beam parses it: {@code --fields profile.ssn} (a space, as the
 * {@code qkms} command line takes it) is read as {@code --fields=profile.ssn}; the runner is Flink
 * (an embedded cluster) unless {@code --runner} says otherwise; and {@code --help} lists the job's
 * own options, grouped, before (and instead of) Beam's, which {@code --help=beam} shows.
 */
final class JobArguments {
  /** The job's options in the order {@code --help} lists them, by group. */
  private static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

  static {
    GROUPS.put(
        "Input and output",
        List.of("input", "inputFormat", "output", "deadLetter", "replayDeadLetters"));
    GROUPS.put(
        "Fields, keys and contexts",
        List.of(
            "fields",
            "fieldEncoding",
            "destinationKeyId",
            "sourceKeyId",
            "sourceEncryptionContext",
            "destinationEncryptionContext",
            "grantTokens",
            "spec",
            "skipIfCurrent",
            "onlySourceKeys",
            "onlyMaterialsCreatedBefore"));
    GROUPS.put(
        "Key store and caller",
        List.of("keystore", "shipKeystore", "region", "principal", "cacheTtl", "cacheCapacity"));
    GROUPS.put(
        "KMS endpoint (instead of a key store)",
        List.of(
            "kmsEndpoint",
            "kmsCaBundle",
            "kmsMaxRequestsPerSecond",
            "kmsMaxInFlight",
            "kmsBatchSize",
            "kmsMaxThrottledRetries",
            "kmsPricePer10k"));
    GROUPS.put(
        "Checks and reporting",
        List.of("maxDeadLetterFraction", "allowAbsentFields", "checkCommitted", "progressSeconds"));
    GROUPS.put("Resumable runs", List.of("resumable", "resume", "shardBytes"));
    GROUPS.put("Other modes", List.of("census", "estimateOnly"));
  }

  private JobArguments() {}

  /**
   * The arguments as Beam should see them.
   *
   * @throws IllegalArgumentException naming the argument, for one that is not an option
   */
  static String[] normalize(String[] args) {
    Set<String> booleans = booleanOptions();
    List<String> out = new ArrayList<>();
    boolean runner = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException(
            "'" + a + "' is not an option: options are written --name=value");
      }
      String name = a.substring(2);
      if (name.startsWith("runner")) {
        runner = true;
      }
      if (!name.contains("=") && i + 1 < args.length && !args[i + 1].startsWith("--")) {
        if (booleans.contains(name)) {
          throw new IllegalArgumentException(
              "--" + name + " takes no value (write --" + name + " or --" + name + "=false)");
        }
        out.add(a + "=" + args[++i]);
      } else {
        out.add(a);
      }
    }
    if (!runner) {
      out.add("--runner=FlinkRunner");
    }
    return out.toArray(new String[0]);
  }

  /** True if {@code args} ask for help; {@code --help=beam} asks for Beam's options too. */
  static boolean wantsHelp(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h") || a.startsWith("--help=")) {
        return true;
      }
    }
    return false;
  }

  static void printHelp(String[] args, PrintStream out) {
    for (String a : args) {
      if (a.startsWith("--help=")) {
        PipelineOptionsFactory.register(ReKeyOptions.class);
        String what = a.substring("--help=".length());
        if (what.equalsIgnoreCase("beam")) {
          PipelineOptionsFactory.printHelp(out, PipelineOptions.class);
        } else if (what.equalsIgnoreCase("flink")) {
          PipelineOptionsFactory.printHelp(out, FlinkPipelineOptions.class);
        } else {
          out.println("--help=beam lists Beam's options, --help=flink Flink's");
        }
        return;
      }
    }
    out.println("QKMS re-key: re-encrypts ciphertext fields of Avro or JSON Lines records.");
    out.println();
    out.println(
        "  scripts/rekey --input=<pattern> --output=<new dir> --keystore=<dir> | --kmsEndpoint=<url>"
            + " \\");
    out.println("      --fields=<path,...> --destinationKeyId=<key> [options]");
    out.println(
        "  scripts/rekey --samples [options]   re-key a fresh sample key store and data set");
    out.println(
        "      (samples/work/), check every field and print the bad records it dead-lettered");
    Map<String, Method> byName = describedOptions();
    for (Map.Entry<String, List<String>> group : GROUPS.entrySet()) {
      out.println();
      out.println(group.getKey() + ":");
      for (String name : group.getValue()) {
        printOption(out, name, byName.get(name));
      }
    }
    out.println();
    out.println("Runner:");
    out.println("  --runner=FlinkRunner | DirectRunner");
    out.println("      Default: FlinkRunner, on an embedded cluster (one subtask per core).");
    out.println("  --flinkMaster=<host:port>");
    out.println("      A Flink 1.19 session cluster's REST address (scripts/flink-cluster start");
    out.println("      prints it); paths are then as its TaskManagers see them.");
    out.println("  --parallelism=<n>");
    out.println("      Default: the number of cores, or the cluster's parallelism.default.");
    out.println("  Beam's and Flink's other options: --help=beam, --help=flink.");
    out.println();
    out.println("Exit codes: 0 done (dead letters under the limit), 1 the pipeline failed,");
    out.println("  2 bad options or settings (nothing was written), 3 counts do not add up,");
    out.println("  4 too many dead letters, 5 records dead-lettered by transient errors (replay");
    out.println("  them). Only 0 writes _SUCCESS.");
  }

  private static void printOption(PrintStream out, String name, Method getter) {
    if (getter == null) {
      throw new IllegalStateException("No option " + name + " in ReKeyOptions");
    }
    Class<?> type = getter.getReturnType();
    String value =
        type == boolean.class
            ? ""
            : type == List.class ? "=<a,b,...>" : type == String.class ? "=<text>" : "=<number>";
    out.println("  --" + name + value);
    String description = getter.getAnnotation(Description.class).value();
    String defaultValue = defaultOf(getter);
    wrap(out, description + (defaultValue == null ? "" : " Default: " + defaultValue + "."));
  }

  private static String defaultOf(Method getter) {
    if (getter.getAnnotation(Default.Boolean.class) != null) {
      return Boolean.toString(getter.getAnnotation(Default.Boolean.class).value());
    }
    if (getter.getAnnotation(Default.Integer.class) != null) {
      return String.format(Locale.ROOT, "%,d", getter.getAnnotation(Default.Integer.class).value());
    }
    if (getter.getAnnotation(Default.Double.class) != null) {
      return Double.toString(getter.getAnnotation(Default.Double.class).value());
    }
    if (getter.getAnnotation(Default.String.class) != null) {
      return getter.getAnnotation(Default.String.class).value();
    }
    return null;
  }

  private static void wrap(PrintStream out, String text) {
    StringBuilder line = new StringBuilder("     ");
    for (String word : text.split(" ")) {
      if (line.length() + word.length() + 1 > 96) {
        out.println(line);
        line = new StringBuilder("     ");
      }
      line.append(' ').append(word);
    }
    out.println(line);
  }

  /** The job's own options (those with a description), by name. */
  static Map<String, Method> describedOptions() {
    Map<String, Method> out = new LinkedHashMap<>();
    for (Method m : ReKeyOptions.class.getDeclaredMethods()) {
      if (m.getAnnotation(Description.class) != null && m.getParameterCount() == 0) {
        out.put(propertyName(m), m);
      }
    }
    return out;
  }

  /** The options listed by {@code --help}, in order (a test checks none is left out). */
  static List<String> listedOptions() {
    List<String> all = new ArrayList<>();
    GROUPS.values().forEach(all::addAll);
    return all;
  }

  private static Set<String> booleanOptions() {
    Set<String> out = new TreeSet<>();
    for (Class<?> c : List.of(ReKeyOptions.class, FlinkPipelineOptions.class)) {
      for (Method m : c.getMethods()) {
        if (m.getParameterCount() == 0
            && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class)
            && (m.getName().startsWith("get") || m.getName().startsWith("is"))
            && PipelineOptions.class.isAssignableFrom(m.getDeclaringClass())) {
          out.add(propertyName(m));
        }
      }
    }
    return out;
  }

  private static String propertyName(Method getter) {
    String n = getter.getName();
    String bare = n.startsWith("is") ? n.substring(2) : n.substring(3);
    return Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
  }
}
