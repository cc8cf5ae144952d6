// Audit (newest first) and Admin Keys. The API never lists keys, so the key list is read from the audit log:
// every key.create whose key has no key.delete.

import { h, errorBox, when, dataTable, loader } from '../dom.js';
import { get, post, del, seg } from '../api.js';
import { openDialog, confirmAction, secretValue } from '../dialogs.js';

export function auditPage(ctx) {
  const error = errorBox();
  const table = dataTable('Audit log, newest first', [
    { label: 'When', cell: (e) => when(e.at) },
    { label: 'Actor', cell: (e) => e.actor },
    { label: 'Action', cell: (e) => h('span', { class: 'mono' }, e.action) },
    { label: 'Target', cell: (e) => h('span', { class: 'mono' }, e.target) },
  ], 'Nothing recorded yet.');
  const refresh = loader(table, error, async () => (await get(`/v1/accounts/${seg(ctx.acc)}/audit`)).items);
  return { node: h('section', {}, h('div', { class: 'page-head' }, h('h1', {}, 'Audit')), error.el, table.table), refresh };
}

export function keysPage(ctx) {
  const base = `/v1/accounts/${seg(ctx.acc)}`;
  const error = errorBox();
  const table = dataTable('Admin keys of this account', [
    { label: 'Key ID', cell: (k) => h('span', { class: 'mono' }, k.id) },
    { label: 'Created', cell: (k) => when(k.at) },
    { label: 'Created by', cell: (k) => k.actor },
    { label: 'Actions', cell: (k) => h('button', { type: 'button', class: 'danger', 'data-key': `delete:${k.id}`, 'aria-label': `Delete key ${k.id}`, onclick: () => remove(k.id) }, 'Delete') },
  ], 'No account keys.');

  const refresh = loader(table, error, async () => {
    const { items } = await get(`${base}/audit`);
    const deleted = new Set(items.filter((e) => e.action === 'key.delete').map((e) => e.target));
    return items.filter((e) => e.action === 'key.create' && !deleted.has(e.target))
      .map((e) => ({ id: e.target.replace(/^key\//, ''), at: e.at, actor: e.actor }));
  });

  async function create() {
    try {
      const k = await post(`${base}/keys`);
      refresh();
      const { body, close } = openDialog('New Admin Key');
      body.append(h('p', {}, `Key ${k.id} created. It reaches this account only; sign in with it and this account's ID.`),
        secretValue('Key value', k.value),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: close }, 'Close')));
      body.querySelector('input').focus();
    } catch (e) {
      error.show(e);
    }
  }

  function remove(id) {
    confirmAction({
      title: `Delete key ${id}?`,
      message: ['Anyone signed in with this key loses access at their next request.'],
      confirmLabel: 'Delete',
      danger: true,
      run: async () => {
        await del(`${base}/keys/${seg(id)}`);
        ctx.notify(`Key ${id} deleted.`);
        refresh();
      },
    });
  }

  const node = h('section', {},
    h('div', { class: 'page-head' }, h('h1', {}, 'Admin Keys'),
      h('button', { type: 'button', class: 'primary', onclick: create }, 'New Admin Key')),
    h('p', { class: 'hint' }, 'Listed from the audit log: the broker stores only a hash of each key and never shows a value again.'),
    error.el, table.table);
  return { node, refresh };
}
