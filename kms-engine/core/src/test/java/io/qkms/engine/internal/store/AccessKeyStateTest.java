package io.qkms.engine.internal.store;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.testing.SampleKeyRecords;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The access keys of the HTTP endpoint in a store state, and how their secrets are wrapped. */
class AccessKeyStateTest {
  private static final AccountId ACCOUNT = AccountId.of("111122223333");
  private static final Region US = Region.of("us-east-1");
  private static final Region EU = Region.of("eu-west-1");
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final byte[] SECRET =
      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".getBytes(StandardCharsets.US_ASCII);

  private final RootKeyProtector protector = new RootKeyProtector(RootKeyProtector.newRootKey());

  private static AccessKeyRecord key(String id) {
    return new AccessKeyRecord(id, "arn:verenc:111122223333:root", new byte[40], NOW);
  }

  @Test
  void withAccessKey_addsInCreationOrder_andKeepsRegionsAndRevision() {
    StoreState s =
        StoreState.create(ACCOUNT, List.of(US, EU))
            .withRevision(7)
            .withAccessKey(key("AKIAB"))
            .withAccessKey(key("AKIAA"));

    assertThat(
        s.accessKeys().stream().map(AccessKeyRecord::accessKeyId).toList(),
        contains("AKIAB", "AKIAA"));
    assertThat(s.accessKey("AKIAA").accessKeyId(), equalTo("AKIAA"));
    assertThat(s.regions(), contains(US, EU));
    assertThat(s.revision(), equalTo(7L));
  }

  @Test
  void withAccessKey_sameIdTwice_isRefused() {
    StoreState s = StoreState.create(ACCOUNT, List.of(US)).withAccessKey(key("AKIAA"));

    assertRefused(() -> s.withAccessKey(key("AKIAA")), "Access key already in this store: AKIAA");
  }

  @Test
  void withoutAccessKey_removesOnlyThatKey() {
    StoreState s =
        StoreState.create(ACCOUNT, List.of(US))
            .withAccessKey(key("AKIAA"))
            .withAccessKey(key("AKIAB"))
            .withoutAccessKey("AKIAA");

    assertThat(s.accessKey("AKIAA"), nullValue());
    assertThat(
        s.accessKeys().stream().map(AccessKeyRecord::accessKeyId).toList(), contains("AKIAB"));
  }

  @Test
  void withoutAccessKey_unknownId_returnsTheSameState() {
    StoreState s = StoreState.create(ACCOUNT, List.of(US)).withAccessKey(key("AKIAA"));

    assertThat(s.withoutAccessKey("AKIAZ"), sameInstance(s));
  }

  @Test
  void regionChanges_keepTheAccessKeys() {
    StoreState s =
        StoreState.create(ACCOUNT, List.of(US))
            .withAccessKey(key("AKIAA"))
            .withRegion(US, RegionState.empty())
            .withNewRegion(EU)
            .withRevision(3);

    assertThat(s.accessKey("AKIAA").principalArn(), equalTo("arn:verenc:111122223333:root"));
  }

  @Test
  void unwrapCredential_ofWrapCredential_returnsTheSecret() {
    byte[] wrapped = protector.wrapCredential("AKIAA", SECRET);

    assertThat(protector.unwrapCredential("AKIAA", wrapped), equalTo(SECRET));
  }

  @Test
  void wrapCredential_neverHoldsTheSecretInClear() {
    byte[] wrapped = protector.wrapCredential("AKIAA", SECRET);

    String text = new String(wrapped, StandardCharsets.ISO_8859_1);
    assertThat(text.contains("wJalrXUtnFEMI"), equalTo(false));
    assertThat(wrapped, not(equalTo(protector.wrapCredential("AKIAA", SECRET))));
  }

  @Test
  void unwrapCredential_underAnotherAccessKeyId_isDamagedStore() {
    byte[] wrapped = protector.wrapCredential("AKIAA", SECRET);

    StoreFailureException e =
        assertThrows(
            StoreFailureException.class, () -> protector.unwrapCredential("AKIAB", wrapped));
    assertThat(
        e.getMessage(),
        equalTo("A wrapped access key secret does not authenticate under the root key"));
  }

  @Test
  void unwrap_ofAWrappedCredential_asKeyMaterial_fails() {
    // Domain separation: a credential moved into a material record must not unwrap.
    byte[] wrapped = protector.wrapCredential("AKIAA", SECRET);

    StoreFailureException e =
        assertThrows(
            StoreFailureException.class,
            () ->
                protector.unwrap(
                    SampleKeyRecords.keyId(1), SampleKeyRecords.materialId(1), wrapped));
    assertThat(
        e.getMessage(), equalTo("A wrapped key material does not authenticate under the root key"));
  }

  @Test
  void unwrapCredential_sealedStore_isMaterialUnavailable() {
    byte[] wrapped = protector.wrapCredential("AKIAA", SECRET);
    protector.seal();

    MaterialUnavailableException e =
        assertThrows(
            MaterialUnavailableException.class, () -> protector.unwrapCredential("AKIAA", wrapped));
    assertThat(e.getMessage(), equalTo("The key store is sealed"));
  }
}
