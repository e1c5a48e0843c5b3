package io.qkms.engine.internal.ops;

/** What each group of operations works with: the shared context and the key lookups and checks. */
abstract class OperationGroup {
  final EngineContext ctx;
  final KeyAccess keys;

  OperationGroup(EngineContext ctx, KeyAccess keys) {
    this.ctx = ctx;
    this.keys = keys;
  }
}
