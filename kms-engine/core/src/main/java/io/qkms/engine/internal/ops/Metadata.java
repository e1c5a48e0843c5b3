package io.qkms.engine.internal.ops;

import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.MultiRegionConfiguration;
import io.qkms.engine.api.model.MultiRegionKey;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Arns;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.Region;
import java.util.ArrayList;
import java.util.List;

/** Builds the API's KeyMetadata from a stored key. */
final class Metadata {
  private Metadata() {}

  static KeyMetadata of(AccountId account, StoreState state, Region region, KeyRecord r) {
    String arn = Arns.keyArn(account, r.keyId());
    MaterialRecord current = r.currentMaterial();
    return KeyMetadata.builder()
        .awsAccountId(account.value())
        .keyId(r.keyId().value())
        .arn(arn)
        .creationDate(r.creationDate())
        .enabled(r.state() == KeyState.ENABLED)
        .description(r.description())
        .keyUsage(r.keyUsage().name())
        .keyState(r.state().wireName())
        .deletionDate(r.deletionDate())
        .origin(r.origin().name())
        .keyManager("CUSTOMER")
        .customerMasterKeySpec(r.keySpec().name())
        .keySpec(r.keySpec().name())
        .encryptionAlgorithms(nullIfEmpty(r.keySpec().encryptionAlgorithms(r.keyUsage())))
        .macAlgorithms(nullIfEmpty(r.keySpec().macAlgorithms()))
        .signingAlgorithms(nullIfEmpty(r.keySpec().signingAlgorithms(r.keyUsage())))
        .multiRegion(r.keyId().isMultiRegion())
        .multiRegionConfiguration(multiRegion(account, state, region, r))
        .pendingDeletionWindowInDays(r.pendingDeletionWindowInDays())
        .currentKeyMaterialId(current == null ? null : current.id().hex())
        .build();
  }

  private static MultiRegionConfiguration multiRegion(
      AccountId account, StoreState state, Region region, KeyRecord r) {
    if (r.multiRegionRole() == KeyRecord.MultiRegionRole.NONE) {
      return null;
    }
    String arn = Arns.keyArn(account, r.keyId());
    Region primary =
        r.multiRegionRole() == KeyRecord.MultiRegionRole.PRIMARY ? region : r.primaryRegion();
    List<MultiRegionKey> replicas = new ArrayList<>();
    for (Region other : state.regionsHolding(r.keyId())) {
      if (!other.equals(primary)) {
        replicas.add(new MultiRegionKey(arn, other.name()));
      }
    }
    return new MultiRegionConfiguration(
        r.multiRegionRole().name(), new MultiRegionKey(arn, primary.name()), replicas);
  }

  private static List<String> nullIfEmpty(List<String> l) {
    return l.isEmpty() ? null : l;
  }
}
