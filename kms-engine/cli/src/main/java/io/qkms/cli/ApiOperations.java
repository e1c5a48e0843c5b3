package io.qkms.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API as the command line sees it, model-driven like the AWS CLI: each operation's command name
 * and request members, from which the options are made ({@code KeyId} becomes {@code --key-id}).
 */
final class ApiOperations {
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
    TAGS("<TagKey=k,TagValue=v>");

    final String paramLabel;

    Kind(String paramLabel) {
      this.paramLabel = paramLabel;
    }
  }

  /** A request member and its option. */
  record Member(String name, Kind kind, String description) {
    String option() {
      return optionName(name);
    }
  }

  /** An operation: command name, target, summary, members and which of them are required. */
  record Operation(
      String command, String target, String summary, List<Member> members, Set<String> required) {}

  private static final Map<String, Member> MEMBERS = new LinkedHashMap<>();
  private static final Map<String, Operation> BY_COMMAND = new LinkedHashMap<>();

  static {
    String keyIdForms = "key ID, key ARN, alias name (alias/...) or alias ARN";
    member("KeyId", Kind.STRING, "The KMS key: " + keyIdForms + ".");
    member("Description", Kind.STRING, "A description of the key.");
    member("Policy", Kind.STRING, "The key policy (JSON), inline or file://FILE.");
    member(
        "KeyUsage", Kind.STRING, "ENCRYPT_DECRYPT (default), SIGN_VERIFY or GENERATE_VERIFY_MAC.");
    member("KeySpec", Kind.STRING, "The key spec, e.g. SYMMETRIC_DEFAULT (default), RSA_2048.");
    member("CustomerMasterKeySpec", Kind.STRING, "Deprecated name of --key-spec.");
    member("Origin", Kind.STRING, "AWS_KMS (default) or EXTERNAL.");
    member("MultiRegion", Kind.BOOLEAN, "Create a multi-region primary key (mrk-...).");
    member(
        "BypassPolicyLockoutSafetyCheck",
        Kind.BOOLEAN,
        "Skip the check that the policy still lets the caller manage the key.");
    member("Tags", Kind.TAGS, "Tags: TagKey=k,TagValue=v (one per tag) or JSON.");
    member("Limit", Kind.INTEGER, "Most entries to return in one page.");
    member("Marker", Kind.STRING, "NextMarker of the previous page.");
    member("PendingWindowInDays", Kind.INTEGER, "Waiting period before deletion, 7 to 30 days.");
    member("AliasName", Kind.STRING, "The alias, alias/<name>.");
    member("TargetKeyId", Kind.STRING, "The key the alias points to: key ID or key ARN.");
    member(
        "Plaintext",
        Kind.BLOB,
        "Data to encrypt: base64, fileb://FILE for raw bytes, or raw text with"
            + " --cli-binary-format raw-in-base64-out.");
    member("CiphertextBlob", Kind.BLOB, "The ciphertext: fileb://FILE (raw bytes) or base64.");
    member(
        "EncryptionContext",
        Kind.STRING_MAP,
        "Encryption context: k1=v1,k2=v2 or JSON {\"k1\":\"v1\"}.");
    member(
        "SourceEncryptionContext",
        Kind.STRING_MAP,
        "Encryption context the ciphertext was made with: k1=v1,... or JSON.");
    member(
        "DestinationEncryptionContext",
        Kind.STRING_MAP,
        "Encryption context for the new ciphertext: k1=v1,... or JSON.");
    member("GrantTokens", Kind.STRING_LIST, "Grant tokens, separated by spaces.");
    member("EncryptionAlgorithm", Kind.STRING, "SYMMETRIC_DEFAULT (default) or RSAES_OAEP_SHA_*.");
    member(
        "DryRun",
        Kind.BOOLEAN,
        "Check the request without running it (DryRunOperationException if it would succeed).");
    member(
        "SourceKeyId", Kind.STRING, "The key the ciphertext was made under: " + keyIdForms + ".");
    member("DestinationKeyId", Kind.STRING, "The key to re-encrypt under: " + keyIdForms + ".");
    member("SourceEncryptionAlgorithm", Kind.STRING, "Algorithm of the ciphertext.");
    member("DestinationEncryptionAlgorithm", Kind.STRING, "Algorithm of the new ciphertext.");
    member("DryRunModifiers", Kind.STRING_LIST, "Dry-run modifiers.");
    member("NumberOfBytes", Kind.INTEGER, "Length of the data key in bytes (1 to 1024).");
    member("RotationPeriodInDays", Kind.INTEGER, "Days between automatic rotations, 90 to 2560.");
    member("IncludeKeyMaterial", Kind.STRING, "ALL_KEY_MATERIAL or ROTATIONS_ONLY.");
    member("GranteePrincipal", Kind.STRING, "Who gets the grant: a principal ARN.");
    member("RetiringPrincipal", Kind.STRING, "Who may retire the grant: a principal ARN.");
    member(
        "Operations",
        Kind.STRING_LIST,
        "Granted operations, e.g. Encrypt Decrypt ReEncryptFrom ReEncryptTo.");
    member(
        "Constraints",
        Kind.STRUCTURE,
        "Context constraints: EncryptionContextSubset={k=v},EncryptionContextEquals={k=v} or"
            + " JSON.");
    member("Name", Kind.STRING, "A name for the grant.");
    member("GrantId", Kind.STRING, "The grant ID.");
    member("GrantToken", Kind.STRING, "The grant token.");
    member("PolicyName", Kind.STRING, "The policy name: default.");
    member("ReplicaRegion", Kind.STRING, "The region of the replica, e.g. eu-west-1.");

    op(
        "create-key",
        "CreateKey",
        "Creates a KMS key.",
        List.of(),
        "Policy",
        "Description",
        "KeyUsage",
        "KeySpec",
        "CustomerMasterKeySpec",
        "Origin",
        "MultiRegion",
        "BypassPolicyLockoutSafetyCheck",
        "Tags");
    op(
        "describe-key",
        "DescribeKey",
        "Shows a key's metadata.",
        List.of("KeyId"),
        "KeyId",
        "GrantTokens");
    op("list-keys", "ListKeys", "Lists the keys of the region.", List.of(), "Limit", "Marker");
    op("enable-key", "EnableKey", "Enables a key.", List.of("KeyId"), "KeyId");
    op("disable-key", "DisableKey", "Disables a key.", List.of("KeyId"), "KeyId");
    op(
        "schedule-key-deletion",
        "ScheduleKeyDeletion",
        "Schedules a key's deletion after a waiting period.",
        List.of("KeyId"),
        "KeyId",
        "PendingWindowInDays");
    op(
        "cancel-key-deletion",
        "CancelKeyDeletion",
        "Cancels a scheduled deletion.",
        List.of("KeyId"),
        "KeyId");
    op(
        "create-alias",
        "CreateAlias",
        "Creates an alias for a key.",
        List.of("AliasName", "TargetKeyId"),
        "AliasName",
        "TargetKeyId");
    op(
        "update-alias",
        "UpdateAlias",
        "Points an alias at another key.",
        List.of("AliasName", "TargetKeyId"),
        "AliasName",
        "TargetKeyId");
    op("delete-alias", "DeleteAlias", "Deletes an alias.", List.of("AliasName"), "AliasName");
    op(
        "list-aliases",
        "ListAliases",
        "Lists aliases, of one key or all.",
        List.of(),
        "KeyId",
        "Limit",
        "Marker");
    op(
        "encrypt",
        "Encrypt",
        "Encrypts data under a key.",
        List.of("KeyId", "Plaintext"),
        "KeyId",
        "Plaintext",
        "EncryptionContext",
        "GrantTokens",
        "EncryptionAlgorithm",
        "DryRun");
    op(
        "decrypt",
        "Decrypt",
        "Decrypts a ciphertext.",
        List.of("CiphertextBlob"),
        "CiphertextBlob",
        "EncryptionContext",
        "GrantTokens",
        "KeyId",
        "EncryptionAlgorithm",
        "DryRun");
    op(
        "re-encrypt",
        "ReEncrypt",
        "Decrypts a ciphertext and encrypts it again under another key (or the newest material of"
            + " the same key), inside QKMS: the plaintext never leaves it.",
        List.of("CiphertextBlob", "DestinationKeyId"),
        "CiphertextBlob",
        "SourceEncryptionContext",
        "SourceKeyId",
        "DestinationKeyId",
        "DestinationEncryptionContext",
        "SourceEncryptionAlgorithm",
        "DestinationEncryptionAlgorithm",
        "GrantTokens",
        "DryRun",
        "DryRunModifiers");
    op(
        "generate-data-key",
        "GenerateDataKey",
        "Returns a new data key, in plaintext and encrypted under a key.",
        List.of("KeyId"),
        "KeyId",
        "EncryptionContext",
        "NumberOfBytes",
        "KeySpec",
        "GrantTokens",
        "DryRun");
    op(
        "generate-data-key-without-plaintext",
        "GenerateDataKeyWithoutPlaintext",
        "Returns a new data key encrypted under a key only.",
        List.of("KeyId"),
        "KeyId",
        "EncryptionContext",
        "NumberOfBytes",
        "KeySpec",
        "GrantTokens",
        "DryRun");
    op(
        "rotate-key-on-demand",
        "RotateKeyOnDemand",
        "Gives a key new material now.",
        List.of("KeyId"),
        "KeyId");
    op(
        "enable-key-rotation",
        "EnableKeyRotation",
        "Turns on automatic rotation.",
        List.of("KeyId"),
        "KeyId",
        "RotationPeriodInDays");
    op(
        "disable-key-rotation",
        "DisableKeyRotation",
        "Turns off automatic rotation.",
        List.of("KeyId"),
        "KeyId");
    op(
        "get-key-rotation-status",
        "GetKeyRotationStatus",
        "Shows a key's rotation schedule.",
        List.of("KeyId"),
        "KeyId");
    op(
        "list-key-rotations",
        "ListKeyRotations",
        "Lists a key's rotations.",
        List.of("KeyId"),
        "KeyId",
        "IncludeKeyMaterial",
        "Limit",
        "Marker");
    op(
        "create-grant",
        "CreateGrant",
        "Grants a principal operations on a key.",
        List.of("KeyId", "GranteePrincipal", "Operations"),
        "KeyId",
        "GranteePrincipal",
        "RetiringPrincipal",
        "Operations",
        "Constraints",
        "GrantTokens",
        "Name",
        "DryRun");
    op(
        "list-grants",
        "ListGrants",
        "Lists a key's grants.",
        List.of("KeyId"),
        "KeyId",
        "Limit",
        "Marker",
        "GrantId",
        "GranteePrincipal");
    op(
        "retire-grant",
        "RetireGrant",
        "Retires a grant (by token, or key and grant ID).",
        List.of(),
        "GrantToken",
        "KeyId",
        "GrantId",
        "DryRun");
    op(
        "revoke-grant",
        "RevokeGrant",
        "Revokes a grant.",
        List.of("KeyId", "GrantId"),
        "KeyId",
        "GrantId",
        "DryRun");
    op(
        "put-key-policy",
        "PutKeyPolicy",
        "Replaces a key's policy.",
        List.of("KeyId", "Policy"),
        "KeyId",
        "PolicyName",
        "Policy",
        "BypassPolicyLockoutSafetyCheck");
    op(
        "get-key-policy",
        "GetKeyPolicy",
        "Shows a key's policy.",
        List.of("KeyId"),
        "KeyId",
        "PolicyName");
    op(
        "replicate-key",
        "ReplicateKey",
        "Replicates a multi-region primary key into another region of the store.",
        List.of("KeyId", "ReplicaRegion"),
        "KeyId",
        "ReplicaRegion",
        "Policy",
        "BypassPolicyLockoutSafetyCheck",
        "Description",
        "Tags");
  }

  private ApiOperations() {}

  private static void member(String name, Kind kind, String description) {
    MEMBERS.put(name, new Member(name, kind, description));
  }

  private static void op(
      String command, String target, String summary, List<String> required, String... members) {
    List<Member> ms = new ArrayList<>();
    for (String m : members) {
      Member member = MEMBERS.get(m);
      if (member == null) {
        throw new IllegalStateException("No member " + m);
      }
      ms.add(member);
    }
    BY_COMMAND.put(
        command, new Operation(command, target, summary, List.copyOf(ms), Set.copyOf(required)));
  }

  /** Every operation, in the order of the API reference. */
  static List<Operation> all() {
    return List.copyOf(BY_COMMAND.values());
  }

  /** The operation a command names, or null. */
  static Operation byCommand(String command) {
    return BY_COMMAND.get(command);
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
