package io.qkms.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Principal;
import io.qkms.engine.credentials.AccessKey;
import io.qkms.engine.credentials.AccessKeys;
import io.qkms.engine.credentials.CredentialsFile;
import io.qkms.engine.credentials.NewAccessKey;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.KeyStoreOpenException;
import io.qkms.engine.store.file.RootKeySource;
import io.qkms.engine.wire.Dispatcher;
import io.qkms.engine.wire.WireResponse;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The {@code qkms} command line: AWS-CLI-style commands for every operation of the engine. A thin
 * adapter: it turns options into the API's request JSON (or takes {@code --cli-input-json} as it
 * is), hands it to the engine's {@link Dispatcher} over a {@link FileKeyStore}, and prints the
 * response JSON.
 *
 * <p>Exit status, as the AWS CLI: 0 success; 252 bad usage (unknown option, missing or bad value);
 * 254 an API error ({@code {"__type": ..., "message": ...}} on stderr); 255 any other failure (no
 * store, wrong root key, damaged store, I/O), reported in one line.
 */
public final class Qkms {
  static final int OK = 0;
  static final int USAGE = 252;
  static final int API_ERROR = 254;
  static final int FAILURE = 255;

  static final String KEYSTORE_ENV = "QKMS_KEYSTORE";
  static final String DEBUG_ENV = "QKMS_DEBUG";
  static final String DEFAULT_ACCOUNT = "111122223333";
  static final String DEFAULT_REGION = "us-east-1";
  static final String SERVE = "serve";
  static final String CREATE_ACCESS_KEY = "create-access-key";
  static final String LIST_ACCESS_KEYS = "list-access-keys";
  static final String DELETE_ACCESS_KEY = "delete-access-key";
  private static final List<String> LOCAL_COMMANDS =
      List.of("init", SERVE, CREATE_ACCESS_KEY, LIST_ACCESS_KEYS, DELETE_ACCESS_KEY);

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

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
              "    --query CiphertextBlob --output text | base64 -d > data.enc.new",
              "qkms re-encrypt --cli-input-json file://request.json"));

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;

  private Qkms(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    // A command prints results, not log lines; the server shows its warnings (slf4j-simple).
    boolean serving = SERVE.equals(commandIn(args));
    System.setProperty(
        "org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("qkms.logLevel", serving ? "warn" : "off"));
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, UTF8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), false, UTF8);
    int status = run(args, System.getenv(), out, err);
    out.flush();
    err.flush();
    System.exit(status);
  }

  /** Runs one command line; returns the exit status. Never exits the JVM. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return new Qkms(env, out, err).run(args);
  }

  private int run(String[] args) {
    CommandLine cl = new CommandLine(rootSpec(commandIn(args)));
    cl.setExpandAtFiles(false); // "@x" is a value, not a file of arguments
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    ParseResult parsed;
    try {
      parsed = cl.parseArgs(args);
    } catch (ParameterException e) {
      return usageError(e.getMessage());
    }
    if (CommandLine.printHelpIfRequested(parsed)) {
      return OK;
    }
    ParseResult sub = parsed.subcommand();
    if (sub == null) {
      return usageError("the following arguments are required: <command>");
    }
    try {
      String command = sub.commandSpec().name();
      return switch (command) {
        case "init" -> init(sub);
        case SERVE -> serve(sub);
        case CREATE_ACCESS_KEY -> createAccessKey(sub);
        case LIST_ACCESS_KEYS -> listAccessKeys(sub);
        case DELETE_ACCESS_KEY -> deleteAccessKey(sub);
        default -> api(ApiOperations.byCommand(command), sub);
      };
    } catch (UsageException e) {
      return usageError(e.getMessage());
    } catch (KeyStoreOpenException e) {
      return failure(e.getMessage(), e);
    } catch (RuntimeException e) {
      return failure(describe(e), e);
    }
  }

  // ---- The API commands ---------------------------------------------------------------------

  private int api(ApiOperations.Operation op, ParseResult sub) {
    CommandSpec spec = sub.commandSpec();
    Output output = output(sub);
    ParamValues.BinaryFormat binary =
        ParamValues.BinaryFormat.parse(value(sub, "--cli-binary-format", "base64"));
    String input = value(sub, "--cli-input-json", null);
    ObjectNode request =
        input == null ? JsonNodeFactory.instance.objectNode() : ParamValues.inputJson(input);
    boolean fromOptions = false;
    for (ApiOperations.Member m : op.members()) {
      OptionSpec option = spec.findOption(m.option());
      if (sub.hasMatchedOption(option)) {
        request.set(m.name(), requestValue(m, option, binary));
        fromOptions = true;
      }
    }
    List<String> missing = new ArrayList<>();
    for (ApiOperations.Member m : op.members()) {
      JsonNode v = request.get(m.name());
      if (op.required().contains(m.name()) && (v == null || v.isNull())) {
        missing.add(m.option());
      }
    }
    if (!missing.isEmpty()) {
      throw new UsageException(
          "the following arguments are required: " + String.join(", ", missing));
    }
    Region region = optionalRegion(sub);
    String principal = value(sub, "--principal", null);
    if (principal != null && Principal.tryParse(principal) == null) {
      throw new UsageException(
          "Invalid value for --principal: expected arn:verenc:<account>:root,"
              + " arn:verenc:<account>:user/<name> or arn:verenc:<account>:role/<name>");
    }
    // --cli-input-json alone is sent exactly as given; options on top of it are merged in.
    byte[] body =
        input != null && !fromOptions
            ? ParamValues.text("--cli-input-json", input).getBytes(UTF8)
            : request.toString().getBytes(UTF8);

    Path dir = keystore(sub);
    RootKeySource source = rootKeySource(sub, dir);
    FileKeyStore store;
    try {
      store = FileKeyStore.open(dir, source, FileKeyStore.Mode.READ_WRITE);
    } finally {
      if (source instanceof RootKeySource.Passphrase p) {
        p.wipe();
      }
    }
    try (store;
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      Caller caller =
          new Caller(
              principal == null ? Principal.root(engine.accountId()) : Principal.parse(principal),
              region == null ? engine.homeRegion() : region);
      WireResponse r =
          new Dispatcher(engine).dispatch(Dispatcher.TARGET_PREFIX + op.target(), body, caller);
      if (r.isError()) {
        err.println(Output.errorLine(r.body()));
        return API_ERROR;
      }
      print(output.render(r.body()));
      return OK;
    }
  }

  private static JsonNode requestValue(
      ApiOperations.Member m, OptionSpec option, ParamValues.BinaryFormat binary) {
    String name = m.option();
    Object v = option.getValue();
    return switch (m.kind()) {
      case STRING -> ParamValues.textNode(ParamValues.text(name, (String) v));
      case INTEGER -> JsonNodeFactory.instance.numberNode(ParamValues.integer(name, (String) v));
      case BOOLEAN -> JsonNodeFactory.instance.booleanNode((Boolean) v);
      case BLOB -> ParamValues.textNode(ParamValues.blob(name, (String) v, binary));
      case STRING_MAP -> ParamValues.stringMap(name, (String) v);
      case STRING_LIST -> ParamValues.stringList(name, strings(v));
      case STRUCTURE -> ParamValues.structure(name, (String) v);
      case TAGS -> ParamValues.structureList(name, strings(v));
    };
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object v) {
    return (List<String>) v;
  }

  // ---- init ---------------------------------------------------------------------------------

  private int init(ParseResult sub) {
    Output output = output(sub);
    Path dir = keystore(sub);
    String accountText = value(sub, "--account", DEFAULT_ACCOUNT);
    if (!AccountId.isValid(accountText)) {
      throw new UsageException(
          "Invalid value for --account: '" + accountText + "' (an account ID is 12 digits)");
    }
    List<String> regionNames = sub.matchedOptionValue("--region", List.of(DEFAULT_REGION));
    LinkedHashSet<Region> regions = new LinkedHashSet<>();
    for (String name : regionNames) {
      if (!regions.add(region(name))) {
        throw new UsageException("--region " + name + " is given twice");
      }
    }
    RootKeySource source = rootKeySource(sub, dir);
    boolean keyFileExisted = source instanceof RootKeySource.KeyFile f && Files.exists(f.path());
    AccountId account = AccountId.of(accountText);
    NewAccessKey rootAccessKey;
    Path credentials = dir.resolve(CredentialsFile.FILE_NAME);
    FileKeyStore created;
    try {
      created = FileKeyStore.create(dir, account, List.copyOf(regions), source);
    } finally {
      if (source instanceof RootKeySource.Passphrase p) {
        p.wipe();
      }
    }
    try (created) {
      // The account root's access key for the HTTP endpoint, and a credentials file for clients.
      rootAccessKey = AccessKeys.of(created).create(Principal.root(account));
      CredentialsFile.write(
          credentials,
          CredentialsFile.PROFILE,
          rootAccessKey.accessKeyId(),
          rootAccessKey.secretAccessKey());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("KeyStore", dir.toAbsolutePath().normalize().toString());
    if (source instanceof RootKeySource.KeyFile f) {
      result.put("RootKeyFile", f.path().toAbsolutePath().normalize().toString());
      result.put("RootKeyFileCreated", !keyFileExisted);
    } else {
      result.put("RootKey", "passphrase (" + RootKeySource.PASSPHRASE_ENV + ")");
    }
    result.put("AccountId", accountText);
    ArrayNode rs = result.putArray("Regions");
    regions.forEach(r -> rs.add(r.name()));
    result.put("HomeRegion", regions.iterator().next().name());
    result.put("CredentialsFile", credentials.toAbsolutePath().normalize().toString());
    result.put("Profile", CredentialsFile.PROFILE);
    result.put("AccessKeyId", rootAccessKey.accessKeyId());
    print(output.render(result));
    return OK;
  }

  // ---- serve --------------------------------------------------------------------------------

  private int serve(ParseResult sub) {
    String host = value(sub, "--host", "127.0.0.1");
    int port;
    try {
      port = Integer.parseInt(value(sub, "--port", "8471"));
    } catch (NumberFormatException e) {
      throw new UsageException("Invalid value for --port: expected a number 0..65535");
    }
    if (port < 0 || port > 65535) {
      throw new UsageException("Invalid value for --port: expected a number 0..65535");
    }
    String accessLog = value(sub, "--access-log", "-");
    FileKeyStore store = openStore(sub);
    try {
      return Serve.run(store, host, port, accessLog.equals("none") ? null : accessLog, out, err);
    } catch (IOException e) {
      store.close();
      return failure(
          "cannot serve on " + host + ":" + port + ": " + e.getMessage(),
          new UncheckedIOException(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OK;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    } catch (Exception e) {
      store.close();
      throw new IllegalStateException(e);
    }
  }

  // ---- Access keys --------------------------------------------------------------------------

  private int createAccessKey(ParseResult sub) {
    Output output = output(sub);
    String arn = value(sub, "--principal", null);
    FileKeyStore store = openStore(sub);
    try (store) {
      AccessKeys accessKeys = AccessKeys.of(store);
      Principal principal = arn == null ? Principal.root(accessKeys.accountId()) : principal(arn);
      NewAccessKey k;
      try {
        k = accessKeys.create(principal);
      } catch (IllegalArgumentException e) {
        throw new UsageException("Invalid value for --principal: " + e.getMessage());
      }
      ObjectNode key = JsonNodeFactory.instance.objectNode();
      if (principal.kind() == Principal.Kind.USER) {
        key.put("UserName", principal.arn().substring(principal.arn().indexOf(":user/") + 6));
      }
      key.put("AccessKeyId", k.accessKeyId());
      key.put("Status", "Active");
      key.put("SecretAccessKey", k.secretAccessKey());
      key.put("CreateDate", epochSeconds(k.createDate()));
      key.put("Principal", principal.arn());
      ObjectNode result = JsonNodeFactory.instance.objectNode();
      result.set("AccessKey", key);
      print(output.render(result));
      return OK;
    }
  }

  private int listAccessKeys(ParseResult sub) {
    Output output = output(sub);
    String arn = value(sub, "--principal", null);
    Principal only = arn == null ? null : principal(arn);
    try (FileKeyStore store = openStore(sub)) {
      ArrayNode keys = JsonNodeFactory.instance.arrayNode();
      for (AccessKey r : AccessKeys.of(store).list()) {
        if (only != null && !only.arn().equals(r.principalArn())) {
          continue;
        }
        ObjectNode k = keys.addObject();
        int user = r.principalArn().indexOf(":user/");
        if (user >= 0) {
          k.put("UserName", r.principalArn().substring(user + 6));
        }
        k.put("AccessKeyId", r.accessKeyId());
        k.put("Status", "Active");
        k.put("CreateDate", epochSeconds(r.createDate()));
        k.put("Principal", r.principalArn());
      }
      ObjectNode result = JsonNodeFactory.instance.objectNode();
      result.set("AccessKeyMetadata", keys);
      result.put("IsTruncated", false);
      print(output.render(result));
      return OK;
    }
  }

  private int deleteAccessKey(ParseResult sub) {
    String id = value(sub, "--access-key-id", null);
    if (id == null) {
      throw new UsageException("the following arguments are required: --access-key-id");
    }
    try (FileKeyStore store = openStore(sub)) {
      if (!AccessKeys.of(store).delete(id)) {
        WireResponse error =
            WireResponse.error(
                404, "NoSuchEntityException", "The Access Key with id " + id + " cannot be found.");
        err.println(Output.errorLine(error.body()));
        return API_ERROR;
      }
      return OK;
    }
  }

  private static java.math.BigDecimal epochSeconds(Instant t) {
    return java.math.BigDecimal.valueOf(t.toEpochMilli(), 3);
  }

  private static Principal principal(String arn) {
    Principal p = Principal.tryParse(arn);
    if (p == null) {
      throw new UsageException(
          "Invalid value for --principal: expected arn:verenc:<account>:root,"
              + " arn:verenc:<account>:user/<name> or arn:verenc:<account>:role/<name>");
    }
    return p;
  }

  private FileKeyStore openStore(ParseResult sub) {
    Path dir = keystore(sub);
    RootKeySource source = rootKeySource(sub, dir);
    try {
      return FileKeyStore.open(dir, source, FileKeyStore.Mode.READ_WRITE);
    } finally {
      if (source instanceof RootKeySource.Passphrase p) {
        p.wipe();
      }
    }
  }

  // ---- Shared option handling ---------------------------------------------------------------

  private Path keystore(ParseResult sub) {
    String dir = value(sub, "--keystore", env.get(KEYSTORE_ENV));
    if (dir == null || dir.isBlank()) {
      throw new UsageException(
          "the following arguments are required: --keystore (or set " + KEYSTORE_ENV + ")");
    }
    return Path.of(dir);
  }

  private RootKeySource rootKeySource(ParseResult sub, Path dir) {
    String file = value(sub, "--root-key-file", null);
    return file != null
        ? new RootKeySource.KeyFile(Path.of(file))
        : RootKeySource.fromEnvironment(dir, env);
  }

  private static Output output(ParseResult sub) {
    return new Output(
        Output.Format.parse(value(sub, "--output", "json")), value(sub, "--query", null));
  }

  private static Region optionalRegion(ParseResult sub) {
    String r = value(sub, "--region", null);
    return r == null ? null : region(r);
  }

  private static Region region(String name) {
    if (!Region.isValid(name)) {
      throw new UsageException(
          "Invalid value for --region: '" + name + "' (a region looks like us-east-1)");
    }
    return Region.of(name);
  }

  private static String value(ParseResult sub, String option, String fallback) {
    return sub.matchedOptionValue(option, fallback);
  }

  private void print(String text) {
    if (!text.isEmpty()) {
      out.println(text);
    }
  }

  private int usageError(String message) {
    err.println("usage: qkms <command> [options]");
    err.println("To see help text, you can run:");
    err.println();
    err.println("  qkms --help");
    err.println("  qkms <command> --help");
    err.println();
    err.println("qkms: error: " + message);
    return USAGE;
  }

  private int failure(String message, RuntimeException e) {
    err.println("qkms: " + message);
    if (env.get(DEBUG_ENV) != null) {
      e.printStackTrace(err);
    }
    return FAILURE;
  }

  private static String describe(RuntimeException e) {
    if (e instanceof UncheckedIOException u) {
      return "I/O error: " + u.getCause().getMessage();
    }
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  // ---- The command specs --------------------------------------------------------------------

  /**
   * The command {@code args} name, if it is one: the first argument not starting with '-' (the root
   * command takes no option values).
   */
  private static String commandIn(String[] args) {
    for (String a : args) {
      if (!a.startsWith("-")) {
        return LOCAL_COMMANDS.contains(a) || ApiOperations.byCommand(a) != null ? a : null;
      }
    }
    return null;
  }

  /**
   * The command tree; with {@code only} set, just that command in it. Building all 29 commands'
   * options costs a tenth of a second at start-up, and one command line runs one command.
   */
  private static CommandSpec rootSpec(String only) {
    CommandSpec root = CommandSpec.create().name("qkms").mixinStandardHelpOptions(true);
    root.version("qkms " + version());
    root.usageMessage()
        .customSynopsis("qkms <command> [options]")
        .description("Manage QKMS keys the way `aws kms` manages AWS KMS keys.")
        .footer(
            "%nEvery command takes --help, and --keystore DIR (default $QKMS_KEYSTORE). The root"
                + " key comes from --root-key-file, $QKMS_ROOT_KEY_FILE, $QKMS_PASSPHRASE or"
                + " DIR/root.key, in that order.",
            EXIT_STATUS);
    if (only == null || only.equals("init")) {
      root.addSubcommand("init", initSpec());
    }
    if (only == null || only.equals(SERVE)) {
      root.addSubcommand(SERVE, serveSpec());
    }
    if (only == null || only.equals(CREATE_ACCESS_KEY)) {
      root.addSubcommand(CREATE_ACCESS_KEY, createAccessKeySpec());
    }
    if (only == null || only.equals(LIST_ACCESS_KEYS)) {
      root.addSubcommand(LIST_ACCESS_KEYS, listAccessKeysSpec());
    }
    if (only == null || only.equals(DELETE_ACCESS_KEY)) {
      root.addSubcommand(DELETE_ACCESS_KEY, deleteAccessKeySpec());
    }
    for (ApiOperations.Operation op : ApiOperations.all()) {
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
                + " overwrite an existing store. Keep the root key safe: without it the keys are"
                + " lost.")
        .footer(EXIT_STATUS);
    spec.addOption(
        option("--keystore", "<dir>", "The key store directory (default $QKMS_KEYSTORE)."));
    spec.addOption(
        option(
            "--account", "<id>", "The account ID, 12 digits (default " + DEFAULT_ACCOUNT + ")."));
    spec.addOption(
        OptionSpec.builder("--region")
            .paramLabel("<region>")
            .type(List.class)
            .auxiliaryTypes(String.class)
            .arity("1")
            .description(
                "A region of the store; repeat for more. The first is the home region (default "
                    + DEFAULT_REGION
                    + ").")
            .build());
    spec.addOption(
        option(
            "--root-key-file",
            "<file>",
            "Where to write (or find) the root key (default $QKMS_ROOT_KEY_FILE, else"
                + " DIR/root.key)."));
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
    spec.addOption(
        option("--keystore", "<dir>", "The key store directory (default $QKMS_KEYSTORE)."));
    spec.addOption(
        option(
            "--root-key-file",
            "<file>",
            "The root key file (default $QKMS_ROOT_KEY_FILE, $QKMS_PASSPHRASE, else"
                + " DIR/root.key)."));
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
    return spec;
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
    spec.addOption(option("--access-key-id", "<id>", "* The access key to delete."));
    return spec;
  }

  private static CommandSpec apiSpec(ApiOperations.Operation op) {
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
                + Dispatcher.TARGET_PREFIX
                + op.target()
                + "; options marked * are required unless --cli-input-json holds them.")
        .footer(footer.toArray(String[]::new));
    for (ApiOperations.Member m : op.members()) {
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
    spec.addOption(
        option("--keystore", "<dir>", "The key store directory (default $QKMS_KEYSTORE)."));
    spec.addOption(option("--region", "<region>", "The region (default the store's home region)."));
    spec.addOption(
        option(
            "--principal", "<arn>", "Who calls (default the account root, arn:verenc:<id>:root)."));
    spec.addOption(
        option(
            "--root-key-file",
            "<file>",
            "The root key file (default $QKMS_ROOT_KEY_FILE, $QKMS_PASSPHRASE, else"
                + " DIR/root.key)."));
    addOutputOptions(spec);
    return spec;
  }

  private static void addOutputOptions(CommandSpec spec) {
    spec.addOption(option("--output", "<format>", "json (default) or text."));
    spec.addOption(
        option(
            "--query",
            "<member>",
            "Print only this top-level member of the response, e.g. CiphertextBlob."));
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

  static String version() {
    String v = Qkms.class.getPackage().getImplementationVersion();
    return v == null ? "(development build)" : v;
  }
}
