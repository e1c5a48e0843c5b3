package io.qkms.pipeline;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.api.model.DescribeKeyRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.KeyStoreOpenException;
import io.qkms.pipeline.worker.WorkerEngines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checks, before the job starts, what would otherwise dead-letter every record: that the key store
 * opens, that the region and principal fit it, that every destination key exists, may be described
 * by the principal, and is enabled, and that records sampled from the input re-encrypt with the
 * run's settings ({@link SampleCheck}). For a run on this machine the key store must be here; for
 * one on a cluster it may exist only on the workers, and a store (or a root key) this process
 * cannot find is skipped with a note.
 */
final class Preflight {
  private Preflight() {}

  /**
   * @return a note for the user (or null) when the check could not be made here
   * @throws IllegalArgumentException naming what is wrong
   */
  static String check(JobPlan plan, Map<String, String> env, boolean localRun) {
    Path dir = Path.of(plan.keystore());
    if (plan.keystore().contains("://") || !Files.isDirectory(dir)) {
      if (localRun) {
        throw new IllegalArgumentException(
            "--keystore "
                + plan.keystore()
                + ": "
                + (Files.exists(dir) ? "not a directory" : "no such directory")
                + " (a key store is the directory `scripts/qkms init --keystore DIR` makes)");
      }
      return "note: the key store "
          + plan.keystore()
          + " is not on this machine; keys are checked on the workers";
    }
    FileKeyStore store;
    try {
      store = WorkerEngines.openReadOnly(dir, env);
    } catch (KeyStoreOpenException e) {
      if (e.problem() == KeyStoreOpenException.Problem.ROOT_KEY_UNAVAILABLE && !localRun) {
        return "note: the root key of "
            + dir
            + " is not available here; keys are checked on the workers";
      }
      throw new IllegalArgumentException(e.getMessage());
    }
    try (store;
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      Caller caller = WorkerEngines.caller(engine, dir.toString(), plan.region(), plan.principal());
      for (String keyId : plan.destinationKeys()) {
        KeyMetadata m;
        try {
          m =
              engine
                  .describeKey(
                      caller,
                      new DescribeKeyRequest(
                          keyId, plan.grantTokens().isEmpty() ? null : plan.grantTokens()))
                  .keyMetadata();
        } catch (KmsException e) {
          throw new IllegalArgumentException(
              "The destination key "
                  + keyId
                  + " cannot be used: "
                  + e.errorCode()
                  + ": "
                  + e.getMessage());
        }
        checkUsableDestination(keyId, m.arn(), m.keySpec(), m.keyUsage(), m.keyState());
      }
      for (String keyId : plan.selection().sourceKeys()) {
        try {
          engine.describeKey(
              caller,
              new DescribeKeyRequest(
                  keyId, plan.grantTokens().isEmpty() ? null : plan.grantTokens()));
        } catch (KmsException e) {
          throw new IllegalArgumentException(
              "--onlySourceKeys: the key "
                  + keyId
                  + " cannot be used: "
                  + e.errorCode()
                  + ": "
                  + e.getMessage());
        }
      }
      SampleCheck.run(plan, engine, caller);
      return null;
    }
  }

  /**
   * Refuses destination key {@code keyId} (described as {@code arn}) unless ReEncrypt can encrypt
   * under it: a symmetric encryption key, enabled. The embedded and the remote checks both call it.
   */
  static void checkUsableDestination(
      String keyId, String arn, String keySpec, String keyUsage, String keyState) {
    if (!"ENCRYPT_DECRYPT".equals(keyUsage) || !"SYMMETRIC_DEFAULT".equals(keySpec)) {
      throw new IllegalArgumentException(
          "The destination key "
              + keyId
              + " is "
              + keySpec
              + "/"
              + keyUsage
              + "; ReEncrypt needs a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key");
    }
    if (!"Enabled".equals(keyState)) {
      throw new IllegalArgumentException(
          "The destination key "
              + keyId
              + (keyId.equals(arn) ? "" : " (" + arn + ")")
              + " is "
              + keyState);
    }
  }
}
