package io.qkms.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.api.Principal;
import io.qkms.engine.credentials.AccessKey;
import io.qkms.engine.credentials.AccessKeys;
import io.qkms.engine.credentials.CredentialsFile;
import io.qkms.engine.credentials.NewAccessKey;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import io.qkms.engine.wire.WireResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.ParseResult;

/**
 * The commands that administer a key store rather than call the API: {@code init} (a new store, its
 * root key, and the account root's access key with a credentials file), and the HTTP endpoint's
 * access keys ({@code create-access-key}, {@code list-access-keys}, {@code delete-access-key}),
 * printed as IAM prints them. Creating and deleting an access key is recorded in the store's audit
 * trail ({@link CliAudit}).
 */
final class StoreCommands {
  private StoreCommands() {}

  static int init(Invocation inv, ParseResult sub) {
    Output output = Invocation.output(sub);
    Path dir = inv.keystore(sub);
    String accountText = Invocation.value(sub, "--account", Qkms.DEFAULT_ACCOUNT);
    if (!AccountId.isValid(accountText)) {
      throw new UsageException(
          "Invalid value for --account: '" + accountText + "' (an account ID is 12 digits)");
    }
    List<String> regionNames = sub.matchedOptionValue("--region", List.of(Qkms.DEFAULT_REGION));
    LinkedHashSet<Region> regions = new LinkedHashSet<>();
    for (String name : regionNames) {
      if (!regions.add(Invocation.region(name))) {
        throw new UsageException("--region " + name + " is given twice");
      }
    }
    RootKeySource source = inv.rootKeySource(sub, dir);
    boolean keyFileExisted =
        source instanceof RootKeySource.KeyFile f
            && Files.exists(f.path(), LinkOption.NOFOLLOW_LINKS);
    // An existing store is reported as such by create(), before anything about its root key.
    boolean storeExists = Files.exists(dir.resolve(FileKeyStore.STORE_FILE));
    if (keyFileExisted && !storeExists) {
      if (!sub.hasMatchedOption(CommandTree.REUSE_ROOT_KEY)) {
        throw new CommandFailedException(
            "Root key file "
                + ((RootKeySource.KeyFile) source).path()
                + " already exists and init did not create it; pass "
                + CommandTree.REUSE_ROOT_KEY
                + " to use it (check first who made it)");
      }
      inv.checkKeyFileAccess(sub, dir, source);
    }
    AccountId account = AccountId.of(accountText);
    NewAccessKey rootAccessKey;
    Path credentials = dir.resolve(CredentialsFile.FILE_NAME);
    FileKeyStore created;
    try {
      created = FileKeyStore.create(dir, account, List.copyOf(regions), source);
    } finally {
      Invocation.wipe(source);
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
    inv.print(output.render(result));
    return Qkms.OK;
  }

  static int createAccessKey(Invocation inv, ParseResult sub) {
    Output output = Invocation.output(sub);
    String arn = Invocation.value(sub, "--principal", null);
    boolean refuseUnaudited = CliAudit.refuses(sub);
    FileKeyStore store = inv.openStore(sub);
    try (store;
        CliAudit audit = CliAudit.open(inv, sub, store, refuseUnaudited)) {
      AccessKeys accessKeys = AccessKeys.of(store);
      Principal principal =
          arn == null ? Principal.root(accessKeys.accountId()) : Invocation.principal(arn);
      NewAccessKey k;
      try {
        k = accessKeys.create(principal);
      } catch (IllegalArgumentException e) {
        throw new UsageException("Invalid value for --principal: " + e.getMessage());
      }
      ObjectNode params = JsonNodeFactory.instance.objectNode();
      params.put("Principal", principal.arn());
      params.put("AccessKeyId", k.accessKeyId()); // the ID only: the secret never goes in a line
      audit.recordStoreCommand(
          "CreateAccessKey", Principal.root(accessKeys.accountId()).arn(), params, null);
      ObjectNode key = JsonNodeFactory.instance.objectNode();
      if (principal.kind() == Principal.Kind.USER) {
        key.put("UserName", principal.name());
      }
      key.put("AccessKeyId", k.accessKeyId());
      key.put("Status", "Active");
      key.put("SecretAccessKey", k.secretAccessKey());
      key.put("CreateDate", epochSeconds(k.createDate()));
      key.put("Principal", principal.arn());
      ObjectNode result = JsonNodeFactory.instance.objectNode();
      result.set("AccessKey", key);
      inv.print(output.render(result));
      return Qkms.OK;
    }
  }

  static int listAccessKeys(Invocation inv, ParseResult sub) {
    Output output = Invocation.output(sub);
    String arn = Invocation.value(sub, "--principal", null);
    Principal only = arn == null ? null : Invocation.principal(arn);
    try (FileKeyStore store = inv.openStore(sub)) {
      ArrayNode keys = JsonNodeFactory.instance.arrayNode();
      for (AccessKey r : AccessKeys.of(store).list()) {
        if (only != null && !only.arn().equals(r.principalArn())) {
          continue;
        }
        ObjectNode k = keys.addObject();
        Principal p = Principal.tryParse(r.principalArn());
        if (p != null && p.kind() == Principal.Kind.USER) {
          k.put("UserName", p.name());
        }
        k.put("AccessKeyId", r.accessKeyId());
        k.put("Status", "Active");
        k.put("CreateDate", epochSeconds(r.createDate()));
        k.put("Principal", r.principalArn());
      }
      ObjectNode result = JsonNodeFactory.instance.objectNode();
      result.set("AccessKeyMetadata", keys);
      result.put("IsTruncated", false);
      inv.print(output.render(result));
      return Qkms.OK;
    }
  }

  static int deleteAccessKey(Invocation inv, ParseResult sub) {
    String id = Invocation.value(sub, "--access-key-id", null);
    if (id == null) {
      throw new UsageException("the following arguments are required: --access-key-id");
    }
    boolean refuseUnaudited = CliAudit.refuses(sub);
    try (FileKeyStore store = inv.openStore(sub);
        CliAudit audit = CliAudit.open(inv, sub, store, refuseUnaudited)) {
      AccessKeys accessKeys = AccessKeys.of(store);
      boolean deleted = accessKeys.delete(id);
      ObjectNode params = JsonNodeFactory.instance.objectNode();
      params.put("AccessKeyId", id);
      audit.recordStoreCommand(
          "DeleteAccessKey",
          Principal.root(accessKeys.accountId()).arn(),
          params,
          deleted ? null : "NoSuchEntityException");
      if (!deleted) {
        WireResponse error =
            WireResponse.error(
                404, "NoSuchEntityException", "The Access Key with id " + id + " cannot be found.");
        inv.err.println(Output.errorLine(error.body()));
        return Qkms.API_ERROR;
      }
      return Qkms.OK;
    }
  }

  private static BigDecimal epochSeconds(Instant t) {
    return BigDecimal.valueOf(t.toEpochMilli(), 3);
  }
}
