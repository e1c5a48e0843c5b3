package io.qkms.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code qkms} command tree (picocli specs built in code): the store commands, {@code serve},
 * and one command per entry of the {@link CommandTable}, each with its options and help text.
 */
final class CommandTree {
  static final String INIT = "init";
  static final String SERVE = "serve";
  static final String CREATE_ACCESS_KEY = "create-access-key";
  static final String LIST_ACCESS_KEYS = "list-access-keys";
  static final String DELETE_ACCESS_KEY = "delete-access-key";
  static final String TLS_CERT = "tls-cert";
  static final String AUDIT = "audit";
  static final String AUDIT_VERIFY = "verify";
  static final String AUDIT_QUERY = "query";

  /** The commands that are not API operations, in the order the help lists them. */
  private static final Map<String, Supplier<CommandSpec>> LOCAL_COMMANDS = localCommands();

  private static Map<String, Supplier<CommandSpec>> localCommands() {
    Map<String, Supplier<CommandSpec>> m = new LinkedHashMap<>();
    m.put(INIT, CommandTree::initSpec);
    m.put(SERVE, CommandTree::serveSpec);
    m.put(TLS_CERT, CommandTree::tlsCertSpec);
    m.put(AUDIT, CommandTree::auditSpec);
    m.put(CREATE_ACCESS_KEY, CommandTree::createAccessKeySpec);
    m.put(LIST_ACCESS_KEYS, CommandTree::listAccessKeysSpec);
    m.put(DELETE_ACCESS_KEY, CommandTree::deleteAccessKeySpec);
    return Collections.unmodifiableMap(m);
  }

  private static final String EXIT_STATUS =
      "%nExit status: 0 success, 252 bad usage, 254 API error ({\"__type\": ..., \"message\":"
          + " ...} on stderr), 255 other failure (no store, wrong root key, damaged store).";

  private static final Map<String, List<String>> EXAMPLES =
      Map.of(
          "create-key",
          List.of(
              "key=$(qkms create-key --description payroll --query KeyMetadata.KeyId --output text)"),
          "encrypt",
          List.of(
              "qkms encrypt --key-id alias/payroll --plaintext fileb://data.txt \\",
              "    --encryption-context Department=Finance \\",
              "    --query CiphertextBlob --output text | base64 -d > data.enc"),
          "decrypt",
          List.of(
              "qkms decrypt --ciphertext-blob fileb://data.enc \\",
              "    --encryption-context Department=Finance \\",
              "    --query Plaintext --output text | base64 -d"),
          "re-encrypt",
          List.of(
              "qkms re-encrypt --ciphertext-blob fileb://data.enc \\",
              "    --source-encryption-context Department=Finance \\",
              "    --destination-key-id alias/payroll-2026 \\",
              "    --destination-encryption-context Department=Finance \\",
              "    --query CiphertextBlob --output text | base64 -d > data.enc.new",
              "qkms re-encrypt --cli-input-json file://request.json"));

  private CommandTree() {}

  /**
   * The command {@code args} name, if it is one: the first argument not starting with '-' (the root
   * command takes no option values).
   */
  static String commandIn(String[] args) {
    for (String a : args) {
      if (!a.startsWith("-")) {
        return LOCAL_COMMANDS.containsKey(a) || CommandTable.byCommand(a) != null ? a : null;
      }
    }
    return null;
  }

  /**
   * The command tree; with {@code only} set, just that command in it. Building all 29 commands'
   * options costs a tenth of a second at start-up, and one command line runs one command.
   */
  static CommandSpec rootSpec(String only) {
    CommandSpec root = CommandSpec.create().name("qkms").mixinStandardHelpOptions(true);
    root.version("qkms " + Qkms.version());
    root.usageMessage()
        .customSynopsis("qkms <command> [options]")
        .description("Manage QKMS keys the way `aws kms` manages AWS KMS keys.")
        .footer(
            "%nEvery command takes --help, and --keystore DIR (default $QKMS_KEYSTORE). The root"
                + " key comes from --root-key-file, $QKMS_ROOT_KEY_FILE, $QKMS_PASSPHRASE or"
                + " DIR/root.key, in that order.",
            EXIT_STATUS);
    LOCAL_COMMANDS.forEach(
        (name, spec) -> {
          if (only == null || only.equals(name)) {
            root.addSubcommand(name, spec.get());
          }
        });
    for (CommandTable.Command op : CommandTable.all()) {
      if (only == null || only.equals(op.command())) {
        root.addSubcommand(op.command(), apiSpec(op));
      }
    }
    return root;
  }

  private static CommandSpec initSpec() {
    CommandSpec spec = CommandSpec.create().name("init");
    spec.addOption(helpOption());
    spec.usageMessage()
        .sortOptions(false)
        .header("Creates a key store.")
        .description(
            "Creates a key store in DIR and its root key file (DIR/root.key, mode 0600, unless"
                + " --root-key-file or $QKMS_ROOT_KEY_FILE names another; with $QKMS_PASSPHRASE"
                + " set, the root key is derived from the passphrase instead). Refuses to"
                + " overwrite an existing store, to adopt an existing root key file without "
                + REUSE_ROOT_KEY
                + ", and key files group or others may read or write. Keep the root key safe: without it the keys are"
                + " lost.")
        .footer(EXIT_STATUS);
    spec.addOption(keystoreOption());
    spec.addOption(
        option(
            "--account",
            "<id>",
            "The account ID, 12 digits (default " + Qkms.DEFAULT_ACCOUNT + ")."));
    spec.addOption(
        OptionSpec.builder("--region")
            .paramLabel("<region>")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .arity("1")
            .description(
                "A region of the store; repeat for more. The first is the home region (default "
                    + Qkms.DEFAULT_REGION
                    + ").")
            .build());
    spec.addOption(
        option(
            "--root-key-file",
            "<file>",
            "Where to write (or find) the root key (default $QKMS_ROOT_KEY_FILE, else"
                + " DIR/root.key)."));
    spec.addOption(
        flag(
            REUSE_ROOT_KEY,
            "Use a root key file that already exists (by default init refuses one it did not"
                + " create: someone else may have planted it)."));
    spec.addOption(allowExposedOption());
    addOutputOptions(spec);
    return spec;
  }

  private static CommandSpec localSpec(String name, String header, String description) {
    CommandSpec spec = CommandSpec.create().name(name);
    spec.addOption(helpOption());
    spec.usageMessage()
        .sortOptions(false)
        .header(header)
        .description(description)
        .footer(EXIT_STATUS);
    return spec;
  }

  private static void addStoreOptions(CommandSpec spec) {
    spec.addOption(keystoreOption());
    spec.addOption(rootKeyFileOption());
    spec.addOption(allowExposedOption());
  }

  private static CommandSpec serveSpec() {
    CommandSpec spec =
        localSpec(
            SERVE,
            "Serves the AWS KMS JSON API over HTTP.",
            "Serves every operation at POST / (X-Amz-Target: TrentService.<Operation>,"
                + " Content-Type: application/x-amz-json-1.1), for the AWS CLI, boto3 and the AWS"
                + " SDKs with --endpoint-url. Requests must be signed with AWS Signature Version 4"
                + " by an access key of the store (qkms init writes DIR/credentials, profile"
                + " qkms; qkms create-access-key makes more); the call runs as the key's principal"
                + " in the region of its credential scope. SIGTERM or Ctrl-C stops it gracefully.");
    addStoreOptions(spec);
    spec.addOption(option("--host", "<address>", "The address to listen on (default 127.0.0.1)."));
    spec.addOption(option("--port", "<port>", "The port to listen on (default 8471)."));
    spec.addOption(
        option(
            "--access-log",
            "<file>",
            "Where the access log goes: - for stdout (default), a file to append to, or none."));
    spec.addOption(
        option(
            "--audit-dir",
            "<dir>",
            "Where the audit trail goes (one JSON line per API call, hash-chained, with signed"
                + " digests): default DIR/audit; none serves without one, with a warning."));
    spec.addOption(
        option(
            "--audit-failure",
            "<refuse|log>",
            "When the audit trail cannot be written: refuse (default) answers API calls with"
                + " KMSInternalException; log serves them and logs each failure."));
    spec.addOption(
        option(
            "--max-requests-per-second",
            "<n>",
            "The request quota per region, over all access keys (a BatchReEncrypt counts one per"
                + " item); beyond it ThrottlingException (HTTP 400), as AWS KMS answers. Default:"
                + " unlimited."));
    spec.addOption(
        option(
            "--tls-cert",
            "<file>",
            "Serve HTTPS only (TLS 1.3 and 1.2) with this PEM certificate chain (qkms tls-cert"
                + " makes a self-signed one); needs --tls-key."));
    spec.addOption(
        option(
            "--tls-key",
            "<file>",
            "The PEM private key (RSA or EC) of --tls-cert, readable by its owner only."));
    spec.addOption(
        OptionSpec.builder("--allow-plaintext")
            .type(Boolean.class)
            .arity("0")
            .description(
                "Serve plain HTTP on an address other than loopback (refused without it): requests"
                    + " and their data then cross the network unencrypted.")
            .build());
    spec.addOption(
        option(
            "--max-connections",
            "<n>",
            "The most connections open at once; at the limit no more are accepted until some"
                + " close. Default: 4096."));
    spec.addOption(
        option(
            "--body-timeout",
            "<seconds>",
            "How long a request's body may take to arrive once its headers are in; a body that"
                + " stops (or never follows Expect: 100-continue) gets 408. Default: 10."));
    spec.addOption(
        option(
            "--max-keys-per-region",
            "<n>",
            "The most keys a region of the store may hold, in any state; CreateKey beyond it gets"
                + " LimitExceededException. Default: 100000 (AWS's quota per account and region)."));
    spec.addOption(
        option(
            "--key-creators",
            "<arn>[,<arn>...]|any",
            "The principals besides the account root that may call CreateKey, or 'any' for every"
                + " principal of the account. Default: the account root only."));
    spec.addOption(
        option(
            "--max-connections-per-address",
            "<n>",
            "The most connections open at once from one client address; more are closed as they"
                + " open. Default: 512."));
    spec.addOption(
        OptionSpec.builder("--console")
            .type(Boolean.class)
            .arity("0")
            .negatable(true)
            .description(
                "Serve the Try It Out console at /try-it-out (--no-console: don't). Default: on"
                    + " when --host is a loopback address, off otherwise.")
            .build());
    return spec;
  }

  private static CommandSpec tlsCertSpec() {
    CommandSpec spec = CommandSpec.create().name(TLS_CERT);
    spec.addOption(helpOption());
    spec.usageMessage()
        .sortOptions(false)
        .header("Makes a self-signed TLS certificate for qkms serve.")
        .description(
            "Writes a self-signed certificate (EC P-256, for 127.0.0.1, ::1 and localhost plus"
                + " every --tls-san) to --cert and its private key to --key (mode 0600), for"
                + " qkms serve --tls-cert FILE --tls-key FILE, and prints how the AWS CLI, boto3"
                + " and the AWS SDK for Java trust it. Never overwrites a file.")
        .footer(EXIT_STATUS);
    spec.addOption(option("--cert", "<file>", "Where to write the certificate (PEM)."));
    spec.addOption(option("--key", "<file>", "Where to write its private key (PEM, mode 0600)."));
    spec.addOption(
        OptionSpec.builder("--tls-san")
            .paramLabel("<name>")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .arity("1")
            .description("A DNS name or IP address clients reach the server by; repeat for more.")
            .build());
    spec.addOption(
        option("--days", "<n>", "How many days the certificate is valid (default 365)."));
    return spec;
  }

  private static final String TIME_FORMS =
      "an ISO instant (2026-12-06T16:00:00Z) or a UTC date (2026-12-06)";

  private static CommandSpec auditSpec() {
    CommandSpec spec =
        localSpec(
            AUDIT,
            "Verifies and queries the audit trail of qkms serve.",
            "The trail is one hash-chained JSON line per API call in DIR/audit (or serve's"
                + " --audit-dir), each closed file with a digest signed by a key derived from the"
                + " root key. Commands: verify, query.");
    CommandSpec verify =
        localSpec(
            AUDIT_VERIFY,
            "Checks that the audit trail was not edited.",
            "Checks the hash chain of every line, the signed digest of every closed file and the"
                + " signed head (the last line written), with the digest key derived from the"
                + " store's root key; prints the files and lines checked. When the trail is not"
                + " intact, prints one line naming the first line changed, removed or inserted"
                + " (file:line) and exits with 1.");
    verify
        .usageMessage()
        .footer(
            "%nExit status: 0 intact, 1 not intact (the problem on stderr), 252 bad usage (no"
                + " such directory, no trail, bad time), 255 other failure (no store, wrong root"
                + " key).");
    addStoreOptions(verify);
    addAuditDirOption(verify);
    verify.addOption(
        option(
            "--from",
            "<time>",
            "Verify the files of this UTC day and later, "
                + TIME_FORMS
                + "; the first line is trusted to follow what came before."));
    verify.addOption(
        option(
            "--to",
            "<time>",
            "Verify the files up to this UTC day (inclusive), " + TIME_FORMS + "."));
    spec.addSubcommand(AUDIT_VERIFY, verify);
    CommandSpec query =
        localSpec(
            AUDIT_QUERY,
            "Lists the API calls the audit trail records.",
            "Prints a table of the calls (time, operation, principal, key ARNs, error code), oldest"
                + " first, or with --json the trail's lines as they are. Reads the trail only; run"
                + " qkms audit verify to check it was not edited.");
    query.addOption(keystoreOption());
    addAuditDirOption(query);
    query.addOption(
        option(
            "--key",
            "<key>",
            "Only calls involving this key: a key ID, key ARN, alias name or alias ARN."));
    query.addOption(option("--since", "<time>", "Only calls at or after " + TIME_FORMS + "."));
    query.addOption(
        option("--operation", "<name>", "Only calls of this operation, e.g. ReEncrypt."));
    query.addOption(flag("--json", "Print the matching lines of the trail (JSON) instead."));
    spec.addSubcommand(AUDIT_QUERY, query);
    return spec;
  }

  private static void addAuditDirOption(CommandSpec spec) {
    spec.addOption(
        option("--audit-dir", "<dir>", "The audit trail's directory (default DIR/audit)."));
  }

  private static CommandSpec createAccessKeySpec() {
    CommandSpec spec =
        localSpec(
            CREATE_ACCESS_KEY,
            "Creates an access key for the HTTP endpoint.",
            "Creates an access key that signs requests to qkms serve as PRINCIPAL and prints it"
                + " as IAM's CreateAccessKey does. The secret is shown only now; the store keeps it"
                + " encrypted under the root key.");
    addStoreOptions(spec);
    addCliAuditOptions(spec);
    spec.addOption(
        option(
            "--principal",
            "<arn>",
            "Whom the key signs for (default the account root, arn:verenc:<id>:root)."));
    addOutputOptions(spec);
    return spec;
  }

  private static CommandSpec listAccessKeysSpec() {
    CommandSpec spec =
        localSpec(
            LIST_ACCESS_KEYS,
            "Lists the access keys of the HTTP endpoint.",
            "Lists access keys (never their secrets), as IAM's ListAccessKeys does.");
    addStoreOptions(spec);
    spec.addOption(option("--principal", "<arn>", "Only the keys of this principal."));
    addOutputOptions(spec);
    return spec;
  }

  private static CommandSpec deleteAccessKeySpec() {
    CommandSpec spec =
        localSpec(
            DELETE_ACCESS_KEY,
            "Deletes an access key of the HTTP endpoint.",
            "Deletes an access key; a running qkms serve refuses it within a second.");
    addStoreOptions(spec);
    addCliAuditOptions(spec);
    spec.addOption(option("--access-key-id", "<id>", "* The access key to delete."));
    return spec;
  }

  private static CommandSpec apiSpec(CommandTable.Command op) {
    CommandSpec spec = CommandSpec.create().name(op.command());
    spec.addOption(helpOption());
    String rest = op.summary().substring(firstSentence(op.summary()).length()).strip();
    List<String> footer = new ArrayList<>();
    List<String> examples = EXAMPLES.getOrDefault(op.command(), List.of());
    if (!examples.isEmpty()) {
      footer.add("%nExamples:");
      examples.forEach(e -> footer.add("  " + e));
    }
    footer.add(EXIT_STATUS);
    spec.usageMessage()
        .sortOptions(false)
        .header(firstSentence(op.summary()))
        .description(
            (rest.isEmpty() ? "" : rest + " ")
                + "Calls "
                + op.xAmzTarget()
                + "; options marked * are required unless --cli-input-json holds them.")
        .footer(footer.toArray(String[]::new));
    for (CommandTable.Member m : op.members()) {
      String description = (op.required().contains(m.name()) ? "* " : "") + m.description();
      OptionSpec.Builder b = OptionSpec.builder(m.option()).description(description);
      switch (m.kind()) {
        case BOOLEAN -> b.type(Boolean.class).arity("0").negatable(true);
        case STRING_LIST, TAGS ->
            b.type(List.class)
                .auxiliaryTypes(String.class)
                .arity("1..*")
                .paramLabel(m.kind().paramLabel);
        default -> b.type(String.class).arity("1").paramLabel(m.kind().paramLabel);
      }
      spec.addOption(b.build());
    }
    spec.addOption(
        option(
            "--cli-input-json",
            "<json>",
            "The request JSON of the API, inline or file://FILE; options given too override its"
                + " members."));
    spec.addOption(
        option(
            "--cli-binary-format",
            "<format>",
            "How blob options given as text are read: base64 (default) or raw-in-base64-out."));
    spec.addOption(keystoreOption());
    spec.addOption(option("--region", "<region>", "The region (default the store's home region)."));
    spec.addOption(
        option(
            "--principal", "<arn>", "Who calls (default the account root, arn:verenc:<id>:root)."));
    spec.addOption(rootKeyFileOption());
    spec.addOption(allowExposedOption());
    addCliAuditOptions(spec);
    addOutputOptions(spec);
    return spec;
  }

  /** The audit options of a command that calls the engine on a store or changes it. */
  private static void addCliAuditOptions(CommandSpec spec) {
    spec.addOption(
        option(
            "--audit-dir",
            "<dir>",
            "The audit trail this command appends its line to, as qkms serve does (default"
                + " DIR/audit)."));
    spec.addOption(
        option(
            "--audit-failure",
            "<refuse|log>",
            "When the audit trail cannot be written: refuse (default) does nothing and exits with"
                + " 255; log runs the command unaudited with a warning."));
  }

  private static void addOutputOptions(CommandSpec spec) {
    spec.addOption(option("--output", "<format>", "json (default) or text."));
    spec.addOption(
        option(
            "--query",
            "<member>",
            "Print only this top-level member of the response, e.g. CiphertextBlob."));
  }

  static final String REUSE_ROOT_KEY = "--reuse-root-key";
  static final String ALLOW_EXPOSED_KEY_FILES = "--allow-exposed-key-files";

  private static OptionSpec keystoreOption() {
    return option("--keystore", "<dir>", "The key store directory (default $QKMS_KEYSTORE).");
  }

  /** For commands that open a store (init has its own: it writes the file). */
  private static OptionSpec rootKeyFileOption() {
    return option(
        "--root-key-file",
        "<file>",
        "The root key file (default $QKMS_ROOT_KEY_FILE, $QKMS_PASSPHRASE, else DIR/root.key).");
  }

  private static OptionSpec allowExposedOption() {
    return flag(
        ALLOW_EXPOSED_KEY_FILES,
        "Use a root key file or store file that group or others may read or write (refused"
            + " otherwise), with a warning.");
  }

  private static OptionSpec flag(String name, String description) {
    return OptionSpec.builder(name).arity("0").type(boolean.class).description(description).build();
  }

  private static OptionSpec helpOption() {
    return OptionSpec.builder("-h", "--help")
        .usageHelp(true)
        .description("Show this help message and exit.")
        .build();
  }

  private static OptionSpec option(String name, String label, String description) {
    return OptionSpec.builder(name)
        .paramLabel(label)
        .type(String.class)
        .arity("1")
        .description(description)
        .build();
  }

  private static String firstSentence(String s) {
    int dot = s.indexOf(". ");
    return dot < 0 ? s : s.substring(0, dot + 1);
  }
}
