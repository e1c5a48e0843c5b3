package io.qkms.engine.api;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which principals may call CreateKey (AWS decides this by IAM policy, which QKMS does not have).
 * The account root always may: it is the store's administrator. The default, {@link
 * #accountRoot()}, lets no one else; a server opens it to named principals or to any principal of
 * the account.
 */
public final class KeyCreators {
  private static final KeyCreators ROOT = new KeyCreators(Set.of(), false);
  private static final KeyCreators ANY = new KeyCreators(Set.of(), true);

  private final Set<String> arns;
  private final boolean any;

  private KeyCreators(Set<String> arns, boolean any) {
    this.arns = arns;
    this.any = any;
  }

  /** Only the account root (the default). */
  public static KeyCreators accountRoot() {
    return ROOT;
  }

  /** Every principal of the account (QKMS's behaviour before this setting existed). */
  public static KeyCreators anyPrincipal() {
    return ANY;
  }

  /** The account root and these principals. */
  public static KeyCreators of(Collection<Principal> principals) {
    return new KeyCreators(
        principals.stream().map(Principal::arn).collect(Collectors.toUnmodifiableSet()), false);
  }

  /** Whether {@code principal} may create keys. */
  public boolean allows(Principal principal) {
    Objects.requireNonNull(principal, "principal");
    return any || principal.isRoot() || arns.contains(principal.arn());
  }

  /** The principals named besides the root, sorted (empty for the two fixed settings). */
  public List<String> named() {
    return arns.stream().sorted().toList();
  }

  @Override
  public String toString() {
    return any ? "any principal" : arns.isEmpty() ? "the account root" : "root, " + named();
  }
}
