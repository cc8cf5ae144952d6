package io.delegatebroker.broker.store;

import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.store.memory.MemoryStore;

/** Verifies that the in-memory store of dev mode keeps the store contract. */
class MemoryStoreContractTest extends BrokerStoreContract {

  private final MemoryStore store = new MemoryStore();

  @Override
  protected BrokerStore store() {
    return store;
  }
}
