package io.qkms.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.qkms.engine.api.Operation;
import io.qkms.engine.api.Operations;
import io.qkms.engine.api.model.Tag;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line's table of API commands, built from the engine's operation catalogue ({@link
 * Operations}) the way the AWS CLI is built from its service model: one command per operation
 * ({@code ReEncrypt} becomes {@code re-encrypt}), one option per member of its request record
 * ({@code KeyId} becomes {@code --key-id}, read as the member's type says). What the catalogue does
 * not say lives here: each command's one-line help and the members it requires, and each member's
 * description.
 */
final class CommandTable {
  /** How a member's option value is read and put into the request JSON. */
  enum Kind {
    STRING("<value>"),
    INTEGER("<integer>"),
    BOOLEAN(""),
    /** base64 text, {@code fileb://FILE} (raw bytes) or raw text with raw-in-base64-out. */
    BLOB("<blob>"),
    /** {@code k=v,k2=v2} or a JSON object of strings. */
    STRING_MAP("<key=value,...>"),
    /** values separated by spaces or commas, or a JSON array of strings. */
    STRING_LIST("<value>"),
    /** shorthand {@code A={k=v},B={k=v}} or JSON. */
    STRUCTURE("<value>"),
    /** shorthand {@code TagKey=k,TagValue=v} per tag, or a JSON array. */
    TAGS("<TagKey=k,TagValue=v>"),
    /** a JSON array of request objects, inline or {@code file://FILE}. */
    STRUCTURE_LIST("<json>");

    final String paramLabel;

    Kind(String paramLabel) {
      this.paramLabel = paramLabel;
    }

    /** The kind of a request record's component, by its Java type. */
    static Kind of(Type type) {
      if (type == String.class) {
        return STRING;
      }
      if (type == Integer.class) {
        return INTEGER;
      }
      if (type == Boolean.class) {
        return BOOLEAN;
      }
      if (type == byte[].class) {
        return BLOB;
      }
      if (type instanceof ParameterizedType p && p.getRawType() == Map.class) {
        return STRING_MAP;
      }
      if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
        Type element = p.getActualTypeArguments()[0];
        return element == String.class ? STRING_LIST : element == Tag.class ? TAGS : STRUCTURE_LIST;
      }
      if (type instanceof Class<?> c && c.isRecord()) {
        return STRUCTURE;
      }
      throw new IllegalStateException("No option kind for a member of type " + type);
    }
  }

  /** A request member and its option. */
  record Member(String name, Kind kind, String description) {
    String option() {
      return optionName(name);
    }
  }

  /** A command: its name, operation, one-line help, members and which of them are required. */
  record Command(
      String command,
      Operation<?, ?> operation,
      String summary,
      List<Member> members,
      Set<String> required) {
    /** The operation's name, e.g. {@code ReEncrypt}. */
    String target() {
      return operation.name();
    }

    /** Its {@code X-Amz-Target}, e.g. {@code TrentService.ReEncrypt}. */
    String xAmzTarget() {
      return operation.target();
    }
  }

  /** One-line help and the required members of an operation's command. */
  private record Help(String summary, Set<String> required) {}

  private static final Map<String, String> DESCRIPTIONS = new HashMap<>();
  private static final Map<String, Help> HELP = new HashMap<>();
  private static final Map<String, Command> BY_COMMAND = new LinkedHashMap<>();

  static {
    String keyIdForms = "key ID, key ARN, alias name (alias/...) or alias ARN";
    describe("KeyId", "The KMS key: " + keyIdForms + ".");
    describe("Description", "A description of the key.");
    describe("Policy", "The key policy (JSON), inline or file://FILE.");
    describe("KeyUsage", "ENCRYPT_DECRYPT (default), SIGN_VERIFY or GENERATE_VERIFY_MAC.");
    describe("KeySpec", "The key spec, e.g. SYMMETRIC_DEFAULT (default), RSA_2048.");
    describe("CustomerMasterKeySpec", "Deprecated name of --key-spec.");
    describe("Origin", "AWS_KMS (default) or EXTERNAL.");
    describe("MultiRegion", "Create a multi-region primary key (mrk-...).");
    describe(
        "BypassPolicyLockoutSafetyCheck",
        "Skip the check that the policy still lets the caller manage the key.");
    describe("Tags", "Tags: TagKey=k,TagValue=v (one per tag) or JSON.");
    describe("Limit", "Most entries to return in one page.");
    describe("Marker", "NextMarker of the previous page.");
    describe("PendingWindowInDays", "Waiting period before deletion, 7 to 30 days.");
    describe("AliasName", "The alias, alias/<name>.");
    describe("TargetKeyId", "The key the alias points to: key ID or key ARN.");
    describe(
        "Plaintext",
        "Data to encrypt: base64, fileb://FILE for raw bytes, or raw text with"
            + " --cli-binary-format raw-in-base64-out.");
    describe("CiphertextBlob", "The ciphertext: fileb://FILE (raw bytes) or base64.");
    describe("EncryptionContext", "Encryption context: k1=v1,k2=v2 or JSON {\"k1\":\"v1\"}.");
    describe(
        "SourceEncryptionContext",
        "Encryption context the ciphertext was made with: k1=v1,... or JSON.");
    describe(
        "DestinationEncryptionContext",
        "Encryption context for the new ciphertext: k1=v1,... or JSON.");
    describe("GrantTokens", "Grant tokens, separated by spaces.");
    describe("EncryptionAlgorithm", "SYMMETRIC_DEFAULT (default) or RSAES_OAEP_SHA_*.");
    describe(
        "DryRun",
        "Check the request without running it (DryRunOperationException if it would succeed).");
    describe("SourceKeyId", "The key the ciphertext was made under: " + keyIdForms + ".");
    describe("DestinationKeyId", "The key to re-encrypt under: " + keyIdForms + ".");
    describe("SourceEncryptionAlgorithm", "Algorithm of the ciphertext.");
    describe("DestinationEncryptionAlgorithm", "Algorithm of the new ciphertext.");
    describe("DryRunModifiers", "Dry-run modifiers.");
    describe("NumberOfBytes", "Length of the data key in bytes (1 to 1024).");
    describe("RotationPeriodInDays", "Days between automatic rotations, 90 to 2560.");
    describe("IncludeKeyMaterial", "ALL_KEY_MATERIAL or ROTATIONS_ONLY.");
    describe("GranteePrincipal", "Who gets the grant: a principal ARN.");
    describe("RetiringPrincipal", "Who may retire the grant: a principal ARN.");
    describe("Operations", "Granted operations, e.g. Encrypt Decrypt ReEncryptFrom ReEncryptTo.");
    describe(
        "Constraints",
        "Context constraints: EncryptionContextSubset={k=v},EncryptionContextEquals={k=v} or"
            + " JSON.");
    describe("Name", "A name for the grant.");
    describe("GrantId", "The grant ID.");
    describe("GrantToken", "The grant token.");
    describe("PolicyName", "The policy name: default.");
    describe("ReplicaRegion", "The region of the replica, e.g. eu-west-1.");
    describe(
        "Items",
        "The ReEncrypt requests (1 to 1,000): a JSON array of ReEncrypt request objects, inline or"
            + " file://FILE.");

    help("CreateKey", "Creates a KMS key.");
    help("DescribeKey", "Shows a key's metadata.", "KeyId");
    help("ListKeys", "Lists the keys of the region.");
    help("EnableKey", "Enables a key.", "KeyId");
    help("DisableKey", "Disables a key.", "KeyId");
    help("ScheduleKeyDeletion", "Schedules a key's deletion after a waiting period.", "KeyId");
    help("CancelKeyDeletion", "Cancels a scheduled deletion.", "KeyId");
    help("CreateAlias", "Creates an alias for a key.", "AliasName", "TargetKeyId");
    help("UpdateAlias", "Points an alias at another key.", "AliasName", "TargetKeyId");
    help("DeleteAlias", "Deletes an alias.", "AliasName");
    help("ListAliases", "Lists aliases, of one key or all.");
    help("Encrypt", "Encrypts data under a key.", "KeyId", "Plaintext");
    help("Decrypt", "Decrypts a ciphertext.", "CiphertextBlob");
    help(
        "ReEncrypt",
        "Decrypts a ciphertext and encrypts it again under another key (or the newest material of"
            + " the same key), inside QKMS: the plaintext never leaves it.",
        "CiphertextBlob",
        "DestinationKeyId");
    help(
        "GenerateDataKey",
        "Returns a new data key, in plaintext and encrypted under a key.",
        "KeyId");
    help(
        "GenerateDataKeyWithoutPlaintext",
        "Returns a new data key encrypted under a key only.",
        "KeyId");
    help("RotateKeyOnDemand", "Gives a key new material now.", "KeyId");
    help("EnableKeyRotation", "Turns on automatic rotation.", "KeyId");
    help("DisableKeyRotation", "Turns off automatic rotation.", "KeyId");
    help("GetKeyRotationStatus", "Shows a key's rotation schedule.", "KeyId");
    help("ListKeyRotations", "Lists a key's rotations.", "KeyId");
    help(
        "CreateGrant",
        "Grants a principal operations on a key.",
        "KeyId",
        "GranteePrincipal",
        "Operations");
    help("ListGrants", "Lists a key's grants.", "KeyId");
    help("RetireGrant", "Retires a grant (by token, or key and grant ID).");
    help("RevokeGrant", "Revokes a grant.", "KeyId", "GrantId");
    help("PutKeyPolicy", "Replaces a key's policy.", "KeyId", "Policy");
    help("GetKeyPolicy", "Shows a key's policy.", "KeyId");
    help(
        "ReplicateKey",
        "Replicates a multi-region primary key into another region of the store.",
        "KeyId",
        "ReplicaRegion");
    help(
        "BatchReEncrypt",
        "Re-encrypts up to 1,000 ciphertexts in one call, each item a ReEncrypt request with its"
            + " own result or error (QKMS only; AWS KMS has no such call).",
        "Items");

    for (Operation<?, ?> op : Operations.all()) {
      BY_COMMAND.put(commandName(op.name()), command(op));
    }
    if (HELP.size() != BY_COMMAND.size()) {
      throw new IllegalStateException("Help for operations the catalogue does not have");
    }
  }

  private CommandTable() {}

  private static void describe(String member, String description) {
    DESCRIPTIONS.put(member, description);
  }

  private static void help(String operation, String summary, String... required) {
    HELP.put(operation, new Help(summary, Set.of(required)));
  }

  private static Command command(Operation<?, ?> op) {
    Help help = HELP.get(op.name());
    if (help == null) {
      throw new IllegalStateException("No help for the command of " + op.name());
    }
    List<Member> members = new ArrayList<>();
    for (RecordComponent c : op.requestType().getRecordComponents()) {
      String name = c.getAccessor().getAnnotation(JsonProperty.class).value();
      String description = DESCRIPTIONS.get(name);
      if (description == null) {
        throw new IllegalStateException("No description of the member " + name);
      }
      members.add(new Member(name, Kind.of(c.getGenericType()), description));
    }
    return new Command(
        commandName(op.name()), op, help.summary(), List.copyOf(members), help.required());
  }

  /** Every API command, in the order of the catalogue. */
  static List<Command> all() {
    return List.copyOf(BY_COMMAND.values());
  }

  /** The command of that name, or null. */
  static Command byCommand(String command) {
    return BY_COMMAND.get(command);
  }

  /** {@code ReEncrypt} becomes {@code re-encrypt}, as in the AWS CLI. */
  static String commandName(String operation) {
    return optionName(operation).substring(2);
  }

  /** {@code KeyId} becomes {@code --key-id}, as in the AWS CLI. */
  static String optionName(String member) {
    StringBuilder b = new StringBuilder("--");
    for (int i = 0; i < member.length(); i++) {
      char c = member.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        b.append('-');
      }
      b.append(Character.toLowerCase(c));
    }
    return b.toString();
  }
}
