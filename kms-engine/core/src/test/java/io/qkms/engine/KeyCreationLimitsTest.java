package io.qkms.engine;

import static io.qkms.engine.testing.EngineFixture.ACCOUNT;
import static io.qkms.engine.testing.EngineFixture.EU_WEST_1;
import static io.qkms.engine.testing.EngineFixture.US_EAST_1;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.KeyCreators;
import io.qkms.engine.api.Principal;
import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.LimitExceededException;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.ListKeysRequest;
import io.qkms.engine.api.model.ReplicateKeyRequest;
import io.qkms.engine.api.model.ScheduleKeyDeletionRequest;
import io.qkms.engine.store.InMemoryKeyStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyCreationLimitsTest {
  private static final Caller ROOT = new Caller(Principal.root(ACCOUNT), US_EAST_1);
  private static final Caller ALICE = new Caller(Principal.user(ACCOUNT, "alice"), US_EAST_1);
  private static final Caller BOB = new Caller(Principal.user(ACCOUNT, "bob"), US_EAST_1);

  private static KmsEngine engine(KmsEngine.Builder b) {
    return b.keyStore(InMemoryKeyStore.create(ACCOUNT, US_EAST_1, EU_WEST_1)).build();
  }

  private static String create(KmsEngine e, Caller c) {
    return e.createKey(c, CreateKeyRequest.builder().build()).keyMetadata().keyId();
  }

  @Test
  void aRegionAtItsKeyLimitRefusesCreateKeyWithLimitExceeded() {
    try (KmsEngine e = engine(KmsEngine.builder().keysPerRegion(3))) {
      create(e, ROOT);
      create(e, ROOT);
      String third = create(e, ROOT);
      LimitExceededException x = assertThrows(LimitExceededException.class, () -> create(e, ROOT));
      assertThat(
          x.getMessage(),
          equalTo("The maximum number of keys (3) in region us-east-1 was reached."));
      // A key pending deletion still counts, as in AWS.
      e.scheduleKeyDeletion(ROOT, new ScheduleKeyDeletionRequest(third, 7));
      assertThrows(LimitExceededException.class, () -> create(e, ROOT));
      // Nothing was written by the refused calls, and the other region has its own count.
      assertThat(e.listKeys(ROOT, new ListKeysRequest(null, null)).keys().size(), equalTo(3));
      create(e, new Caller(Principal.root(ACCOUNT), EU_WEST_1));
    }
  }

  @Test
  void replicateKeyIntoARegionAtItsLimitIsRefused() {
    try (KmsEngine e = engine(KmsEngine.builder().keysPerRegion(1))) {
      String primary =
          e.createKey(ROOT, CreateKeyRequest.builder().multiRegion(true).build())
              .keyMetadata()
              .keyId();
      create(e, new Caller(Principal.root(ACCOUNT), EU_WEST_1));
      assertThrows(
          LimitExceededException.class,
          () ->
              e.replicateKey(
                  ROOT,
                  new ReplicateKeyRequest(primary, EU_WEST_1.name(), null, null, null, null)));
    }
  }

  @Test
  void byDefaultOnlyTheAccountRootCreatesKeys() {
    try (KmsEngine e = engine(KmsEngine.builder())) {
      create(e, ROOT);
      AccessDeniedException x = assertThrows(AccessDeniedException.class, () -> create(e, ALICE));
      assertThat(
          x.getMessage(),
          equalTo(
              "User: arn:verenc:111122223333:user/alice is not authorized to perform:"
                  + " kms:CreateKey because no identity-based policy allows the kms:CreateKey"
                  + " action"));
      assertThat(e.listKeys(ROOT, new ListKeysRequest(null, null)).keys().size(), equalTo(1));
    }
  }

  @Test
  void namedKeyCreatorsMayCreateKeysAndOthersMayNot() {
    KeyCreators alice = KeyCreators.of(List.of(ALICE.principal()));
    try (KmsEngine e = engine(KmsEngine.builder().keyCreators(alice))) {
      create(e, ALICE);
      create(e, ROOT);
      assertThrows(AccessDeniedException.class, () -> create(e, BOB));
    }
  }

  @Test
  void anyPrincipalSettingLetsEveryPrincipalOfTheAccountCreateKeys() {
    try (KmsEngine e = engine(KmsEngine.builder().keyCreators(KeyCreators.anyPrincipal()))) {
      create(e, BOB);
    }
  }

  @Test
  void aKeyLimitBelowOneIsRefusedByTheBuilder() {
    assertThrows(IllegalArgumentException.class, () -> KmsEngine.builder().keysPerRegion(0));
  }
}
