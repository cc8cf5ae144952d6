// Sign in with an admin key: the root key, or an account key with its account's ID.

import { h, field, errorBox } from '../dom.js';
import { api, session, seg } from '../api.js';

export function signInPage(onSignedIn, reason) {
  const error = errorBox();
  const key = field('Admin key', h('input', { type: 'password', required: true, autocomplete: 'off', spellcheck: 'false' }));
  // A link to an account's page (#/a/<id>/...) fills in its ID, for account keys.
  const linked = /^#\/a\/([^/]+)/.exec(location.hash);
  const account = field('Account ID', h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: linked ? decodeURIComponent(linked[1]) : '' }),
    'Only for an account key: the account it belongs to. Leave empty for the root key.');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'signin', 'aria-labelledby': 'signin-title', novalidate: true },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p', {}, 'The key stays in this browser tab only and is sent only to this broker\u2019s admin API.'),
    key.row, account.row, error.el, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.clear();
    const value = key.input.value.trim();
    const acc = account.input.value.trim();
    if (!value) {
      error.show('Enter an admin key.');
      key.input.focus();
      return;
    }
    submit.disabled = true;
    try {
      let root = true;
      try {
        await api('GET', '/v1/accounts', undefined, value);
      } catch (e) {
        if (e.code !== 'forbidden') throw e;
        root = false;
      }
      if (root) {
        session.save(value, null);
      } else if (!acc) {
        throw new Error('This is an account key: enter its account ID too.');
      } else {
        const a = await api('GET', `/v1/accounts/${seg(acc)}`, undefined, value);
        session.save(value, a.id);
      }
      onSignedIn();
    } catch (e) {
      error.show(e);
      submit.disabled = false;
      key.input.focus();
    }
  });
  if (reason) error.show(reason);
  return { node: form, focus: () => key.input.focus() };
}
