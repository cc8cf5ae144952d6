// Tokens of an account: list and filter, New Token (value shown once, with install snippets), Revoke (with the
// answer: sessions closed, nodes that did not confirm), and each token's live connections.

import { h, field, errorBox, when, dataTable, loader } from '../dom.js';
import { get, post, seg } from '../api.js';
import { formDialog, confirmAction, openDialog, secretValue } from '../dialogs.js';
import { installSnippets } from '../snippets.js';

/** Active, Revoked, or Expired (an active token past its expiry connects no more). */
function statusBadge(t) {
  if (t.status === 'REVOKED') return h('span', { class: 'badge revoked' }, 'Revoked');
  if (t.expiresAt && Date.parse(t.expiresAt) <= Date.now()) return h('span', { class: 'badge expired' }, 'Expired');
  return h('span', { class: 'badge active' }, 'Active');
}

export function tokensPage(ctx) {
  const base = `/v1/accounts/${seg(ctx.acc)}/tokens`;
  const error = errorBox();
  const status = h('select', {}, h('option', { value: '' }, 'All'), h('option', { value: 'ACTIVE' }, 'Active'),
    h('option', { value: 'REVOKED' }, 'Revoked'));
  const project = h('input', { type: 'text', autocomplete: 'off', placeholder: 'any' });
  const table = dataTable('Delegate tokens', [
    { label: 'Name', cell: (t) => t.name },
    { label: 'Project', cell: (t) => t.project ?? '\u2014' },
    { label: 'Status', cell: statusBadge },
    { label: 'Created', cell: (t) => when(t.createdAt) },
    { label: 'Expires', cell: (t) => when(t.expiresAt) },
    { label: 'Last used', cell: (t) => when(t.lastUsedAt) },
    {
      label: 'Connected instances',
      cell: (t) => h('button', {
        type: 'button', class: 'link', 'data-key': `conn:${t.name}`, 'aria-label': `Connections of ${t.name}: ${t.connectedInstances}`,
        onclick: () => showConnections(ctx, t.name),
      }, String(t.connectedInstances ?? 0)),
    },
    {
      label: 'Actions',
      cell: (t) => (t.status === 'ACTIVE'
        ? h('button', { type: 'button', class: 'danger', 'data-key': `revoke:${t.name}`, 'aria-label': `Revoke ${t.name}`, onclick: () => revoke(t.name) }, 'Revoke')
        : `Revoked ${when(t.revokedAt)}`),
    },
  ], 'No tokens match.');

  const refresh = loader(table, error, async () => {
    const q = new URLSearchParams();
    if (status.value) q.set('status', status.value);
    if (project.value.trim()) q.set('project', project.value.trim());
    return (await get(q.toString() ? `${base}?${q}` : base)).items;
  });

  function revoke(name) {
    confirmAction({
      title: `Revoke token ${name}?`,
      message: ['Every delegate connected with this token is disconnected now, on every node, and the broker will not accept connections with it again.',
        'Revoked tokens keep their name; a new token needs another name.'],
      confirmLabel: 'Confirm',
      danger: true,
      run: async () => {
        const r = await post(`${base}/${seg(name)}/revoke`);
        refresh();
        const closed = `${r.evicted} ${r.evicted === 1 ? 'session' : 'sessions'} closed.`;
        return [
          h('p', { class: 'result', 'data-evicted': r.evicted }, `Token ${r.name} revoked. ${closed}`),
          r.complete ? h('p', {}, 'Every node confirmed.')
            : h('p', { class: 'warning' }, `Nodes that did not confirm within 5 s: ${r.unconfirmed.join(', ')}. They close the token's sessions when they catch up.`),
        ];
      },
    });
  }

  function newToken() {
    const name = field('Name', h('input', { type: 'text', required: true, autocomplete: 'off', pattern: '[A-Za-z0-9._-]{1,128}' }),
      'Letters, digits, dot, dash, underscore.');
    const proj = field('Project', h('input', { type: 'text', autocomplete: 'off' }), 'Optional.');
    const expires = field('Expires', h('input', { type: 'datetime-local' }), 'Optional, in your local time.');
    formDialog({
      title: 'New Token',
      wide: true,
      fields: [name.row, proj.row, expires.row],
      submitLabel: 'Apply',
      submit: async () => {
        const body = { name: name.input.value.trim() };
        if (proj.input.value.trim()) body.project = proj.input.value.trim();
        if (expires.input.value) body.expiresAt = new Date(expires.input.value).toISOString();
        const t = await post(base, body);
        refresh();
        return [h('p', {}, `Token ${t.name} created.`), secretValue('Token value', t.value), installSnippets(ctx.acc, t.value)];
      },
    });
  }

  status.addEventListener('change', refresh);
  project.addEventListener('input', refresh);
  const node = h('section', {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Tokens'),
      h('button', { type: 'button', class: 'primary', onclick: newToken }, 'New Token')),
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter tokens', onsubmit: (e) => e.preventDefault() },
      field('Status', status).row, field('Project', project).row),
    error.el, table.table);
  return { node, refresh };
}

/** A token's live connections, cluster-wide, refreshed while the dialog is open (so a rotation can be watched). */
function showConnections(ctx, name) {
  const { body, dialog } = openDialog(`Connections of ${name}`, { wide: true });
  const error = errorBox();
  const table = dataTable(`Live connections of token ${name}`, [
    { label: 'Delegate', cell: (c) => c.delegate },
    { label: 'Instance', cell: (c) => c.instance },
    { label: 'Node', cell: (c) => c.node },
    { label: 'Connected', cell: (c) => when(c.connectedAt) },
  ], 'No live connections.');
  const load = loader(table, error, async () => (await get(`/v1/accounts/${seg(ctx.acc)}/tokens/${seg(name)}/connections`)).items);
  const timer = setInterval(load, 2000);
  dialog.addEventListener('close', () => clearInterval(timer));
  body.append(error.el, table.table, h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'primary', onclick: () => dialog.close() }, 'Close')));
  body.querySelector('button.primary').focus();
  load();
}
