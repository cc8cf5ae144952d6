package io.delegatebroker.broker.domain.delegate;

import io.delegatebroker.broker.domain.ConnectRefused;
import io.delegatebroker.broker.domain.Delegate;
import io.delegatebroker.broker.domain.Profile;
import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.domain.profile.ProfileDirectory;
import io.delegatebroker.broker.domain.token.TokenVerifier;
import io.delegatebroker.broker.vocabulary.RefusalReason;
import io.vertx.core.Future;

/**
 * Decides whether a delegate may connect: the token is live and of the account, the profile exists, the delegate
 * is not rejected; registers the delegate when it is new. Knows nothing of WebSockets.
 */
public final class ConnectAdmission {

  private final TokenVerifier verifier;
  private final ProfileDirectory profiles;
  private final DelegateRegistry registry;

  public ConnectAdmission(TokenVerifier verifier, ProfileDirectory profiles, DelegateRegistry registry) {
    this.verifier = verifier;
    this.profiles = profiles;
    this.registry = registry;
  }

  /** An admitted connection: the verified token, the profile and the registered delegate. */
  public record Admission(TokenRecord token, Profile profile, Delegate delegate) {
  }

  public Future<Admission> admit(String accountId, String tokenValue, String delegateName, String type, String profileName) {
    return verifier.verify(accountId, tokenValue)
        .compose(token -> profiles.find(accountId, profileName)
            .compose(profile -> profile
                .map(p -> registry.register(accountId, delegateName, type, p, token).map(d -> new Admission(token, p, d)))
                .orElseGet(() -> Future.failedFuture(new ConnectRefused(RefusalReason.PROFILE_NOT_FOUND,
                    "The profile does not exist in this account.")))));
  }
}
