package io.delegatebroker.broker.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.broker.limits.BrokerLimits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Verifies that one account's listings run a few at a time, in order, without holding up another account's. */
class ListingGateTest {

  private final ListingGate gate = new ListingGate();

  @Test
  void aBurstFromOneAccountRunsAFewAtATimeAndNeverDelaysAnotherAccount() {
    // GIVEN 10 listings of account A that have not finished
    List<Promise<String>> started = new ArrayList<>();
    List<Future<String>> answers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      answers.add(gate.run("acc-a", () -> {
        Promise<String> p = Promise.promise();
        started.add(p);
        return p.future();
      }));
    }
    // THEN only DEFAULT_LISTINGS_PER_ACCOUNT of them run, and account B's listing runs at once
    assertEquals(BrokerLimits.DEFAULT_LISTINGS_PER_ACCOUNT, started.size());
    assertEquals("b", gate.run("acc-b", () -> Future.succeededFuture("b")).result());

    // WHEN one of A's finishes THEN its answer arrives and the next waiting one starts, in arrival order
    started.get(0).complete("a0");
    assertEquals("a0", answers.get(0).result());
    assertEquals(BrokerLimits.DEFAULT_LISTINGS_PER_ACCOUNT + 1, started.size());
    // each completion starts the next waiting listing, which this loop then reaches too
    for (int i = 0; i < started.size(); i++) {
      started.get(i).tryComplete("done");
    }
    assertEquals(10, started.size());
    answers.forEach(a -> assertTrue(a.succeeded()));
  }

  @Test
  void pastTheWaitingLimitTheAccountIsAnswered503() {
    for (int i = 0; i < BrokerLimits.DEFAULT_LISTINGS_PER_ACCOUNT + BrokerLimits.DEFAULT_LISTINGS_WAITING; i++) {
      gate.run("acc-a", () -> Promise.<String>promise().future());
    }
    Future<String> refused = gate.run("acc-a", () -> Future.succeededFuture("never"));
    assertTrue(refused.failed());
    assertEquals(503, ((BrokerException) refused.cause()).code().status());
  }
}
