// The operator console: a client of the public admin API only. Pages are chosen by the URL fragment
// (#/accounts, #/a/<account>/tokens, ...); the key never appears there. Lists refresh by polling every 2 s.

import { h } from './dom.js';
import { get, session, seg } from './api.js';
import { signInPage } from './pages/signin.js';
import { accountsPage } from './pages/accounts.js';
import { tokensPage } from './pages/tokens.js';
import { delegatesPage } from './pages/delegates.js';
import { profilesPage } from './pages/profiles.js';
import { auditPage, keysPage } from './pages/audit.js';
import { clusterPage } from './pages/cluster.js';

const POLL_MILLIS = 2000;
const ACCOUNT_PAGES = {
  tokens: { label: 'Tokens', make: tokensPage },
  delegates: { label: 'Delegates', make: delegatesPage },
  profiles: { label: 'Delegate Profiles', make: profilesPage },
  audit: { label: 'Audit', make: auditPage },
  keys: { label: 'Admin Keys', make: keysPage },
};

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const signOut = document.getElementById('sign-out');
const notice = document.getElementById('notice');
const accountNames = new Map();
let page = null;
let refreshing = false;
let noticeTimer = null;

function notify(text) {
  notice.textContent = text;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { notice.textContent = ''; }, 8000);
}

function link(href, label, current) {
  return h('a', { href, 'aria-current': current ? 'page' : null }, label);
}

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'a' && parts[1]) return { acc: parts[1], view: ACCOUNT_PAGES[parts[2]] ? parts[2] : 'tokens' };
  if (parts[0] === 'cluster') return { view: 'cluster' };
  return { view: 'accounts' };
}

async function accountName(acc) {
  if (!accountNames.has(acc)) {
    try {
      accountNames.set(acc, (await get(`/v1/accounts/${seg(acc)}`)).name);
    } catch (e) {
      return acc;
    }
  }
  return accountNames.get(acc);
}

function showSignIn(reason) {
  page = null;
  nav.replaceChildren();
  who.textContent = '';
  signOut.hidden = true;
  const s = signInPage(() => {
    if (!session.isRoot()) history.replaceState(null, '', `#/a/${seg(session.account())}/tokens`);
    else if (!location.hash.startsWith('#/')) history.replaceState(null, '', '#/accounts');
    render();
  }, reason);
  main.replaceChildren(s.node);
  document.title = 'Sign in \u2014 Delegate broker console';
  s.focus();
}

async function render() {
  if (!session.key()) {
    showSignIn();
    return;
  }
  const root = session.isRoot();
  let r = route();
  if (!root && (r.acc !== session.account())) {
    // An account key reaches its own account only: every other address opens that account.
    history.replaceState(null, '', `#/a/${seg(session.account())}/${r.view in ACCOUNT_PAGES ? r.view : 'tokens'}`);
    r = route();
  }
  signOut.hidden = false;
  who.textContent = root ? 'Signed in with the root key' : 'Signed in with an account key';
  const items = [];
  if (root) {
    items.push(link('#/accounts', 'Accounts', r.view === 'accounts'), link('#/cluster', 'Cluster', r.view === 'cluster'));
  }
  let title;
  if (r.acc) {
    const name = await accountName(r.acc);
    items.push(h('span', { class: 'account' }, 'Account: ', h('strong', {}, name)));
    for (const [view, p] of Object.entries(ACCOUNT_PAGES)) {
      items.push(link(`#/a/${seg(r.acc)}/${view}`, p.label, r.view === view));
    }
    page = ACCOUNT_PAGES[r.view].make({ acc: r.acc, notify });
    title = `${ACCOUNT_PAGES[r.view].label} \u2014 ${name}`;
  } else {
    page = r.view === 'cluster' ? clusterPage({ notify }) : accountsPage({ notify });
    title = r.view === 'cluster' ? 'Cluster' : 'Accounts';
  }
  nav.replaceChildren(h('ul', {}, items.map((i) => h('li', {}, i))));
  main.replaceChildren(page.node);
  document.title = `${title} \u2014 Delegate broker console`;
  await refresh();
}

async function refresh() {
  if (!page || refreshing || document.hidden) return;
  refreshing = true;
  try {
    await page.refresh();
  } finally {
    refreshing = false;
  }
}

signOut.addEventListener('click', () => {
  session.clear();
  accountNames.clear();
  history.replaceState(null, '', location.pathname);
  showSignIn();
});
window.addEventListener('console:unauthorized', () => {
  session.clear();
  showSignIn('The broker no longer accepts this key. Sign in again.');
});
window.addEventListener('hashchange', () => {
  render().then(() => main.focus());
});
setInterval(refresh, POLL_MILLIS);
render();
